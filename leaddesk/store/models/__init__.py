"""Every persisted entity. Importing this package registers all tables on ``Base.metadata``."""

from leaddesk.store.models.activity import Activity
from leaddesk.store.models.campaign import Campaign, Sequence, SequenceStep
from leaddesk.store.models.credit import CreditAccount, CreditTransaction
from leaddesk.store.models.integration import Integration
from leaddesk.store.models.isolation_indexes import OWNER_SORT_INDEXES  # noqa: F401 (registers)
from leaddesk.store.models.lead import Lead, LeadTag
from leaddesk.store.models.lead_changes import LeadChangeSet, LeadSnapshot
from leaddesk.store.models.message import Message, MessageTemplate
from leaddesk.store.models.saved_view import SavedView
from leaddesk.store.models.setting import AppSetting
from leaddesk.store.models.suppression import SendCounter, Suppression
from leaddesk.store.models.task import Task
from leaddesk.store.models.user import BusinessProfile, User

__all__ = [
    "Activity",
    "AppSetting",
    "BusinessProfile",
    "Campaign",
    "CreditAccount",
    "CreditTransaction",
    "Integration",
    "Lead",
    "LeadChangeSet",
    "LeadSnapshot",
    "LeadTag",
    "Message",
    "MessageTemplate",
    "SavedView",
    "SendCounter",
    "Sequence",
    "SequenceStep",
    "Suppression",
    "Task",
    "User",
]

"""Open a database and hand out every service for the acting user.

Each service's module is imported when that service is first asked for: the window's first
paint uses a handful of them, and the rest (the composer's channels and templates, importing)
load when a view or command needs them.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from leaddesk.services.context import Actor, ServiceContext
from leaddesk.store.database import Store

if TYPE_CHECKING:
    from leaddesk.services.activity import ActivityService
    from leaddesk.services.campaigns.service import CampaignService
    from leaddesk.services.credits.ledger import CreditService
    from leaddesk.services.importing.importer import LeadImporter
    from leaddesk.services.leads.bulk_edit import BulkEditService
    from leaddesk.services.leads.changes import ChangeSetService
    from leaddesk.services.leads.duplicates import DuplicateService
    from leaddesk.services.leads.saved_views import SavedViewService
    from leaddesk.services.leads.service import LeadService
    from leaddesk.services.leads.tasks import TaskService
    from leaddesk.services.messaging.compose import ComposeService
    from leaddesk.services.messaging.integrations import IntegrationService
    from leaddesk.services.messaging.messages import MessageService
    from leaddesk.services.messaging.suppression import SuppressionService
    from leaddesk.services.messaging.templates import TemplateService


#: The service modules the window's first paint runs (opening the database, the lead table, the
#: status bar, the first lead's history), whatever imports them first.
FIRST_PAINT_MODULES = (
    "leaddesk.store.migrate",
    "leaddesk.services.credits.ledger",
    "leaddesk.services.credits.settling",
    "leaddesk.services.team.auth",
    "leaddesk.services.team.team_mode",
    "leaddesk.services.team.users",
    "leaddesk.services.leads.search",
    "leaddesk.services.leads.service",
    "leaddesk.services.leads.bulk_edit",
    "leaddesk.services.leads.saved_views",
    "leaddesk.services.leads.tasks",
    "leaddesk.services.messaging.messages",
    "leaddesk.services.campaigns.service",
    "leaddesk.services.demo_rows",
    "leaddesk.store.change_watchers",
    "leaddesk.services.leads.contact_log",
    "leaddesk.services.leads.duplicates",
    "leaddesk.services.preferences.local",
)


def import_before_qt() -> None:
    """Import :data:`FIRST_PAINT_MODULES` (and SQLAlchemy with them) before PySide6 is.

    Once PySide6 is loaded, its ``__feature__`` import hook reads the source of every module
    imported afterwards, looking for "PySide6": ~130 ms of CPU on the first paint when the
    services and SQLAlchemy come after Qt, nearly none when they come before. The window
    imports these modules anyway; only the order changes.
    """
    for name in FIRST_PAINT_MODULES:
        importlib.import_module(name)


@dataclass
class AppServices:
    ctx: ServiceContext

    @classmethod
    def open(
        cls,
        url: str,
        backup_dir: Path | None = None,
        sign_in: Callable[[Store], Actor] | None = None,
    ) -> AppServices:
        """Open ``url``, upgrade its schema when behind (after a backup), and act as the user
        ``sign_in(store)`` returns (given the migrated, unscoped store: a login, the first run),
        by default the local user ("no login on this computer"; refused once sign-in is on).

        Raises ``migrate.DatabaseTooNewError`` for a database from a newer LeadDesk, and
        whatever ``sign_in`` raises (the database is closed again).
        """
        from leaddesk.services.credits.ledger import CreditService
        from leaddesk.services.credits.settling import STALE_AFTER
        from leaddesk.services.leads import search as lead_search
        from leaddesk.services.team.users import ensure_local_user
        from leaddesk.store import migrate

        store = Store.open(url)
        try:
            migrate.upgrade(store.engine, backup_dir)
            lead_search.ensure_search_index(store.engine)
            actor = sign_in(store) if sign_in is not None else ensure_local_user(store)
            # Reservations a crashed run left unsettled come back before anything else runs.
            CreditService(ServiceContext(store, actor)).release_stale_reservations(STALE_AFTER)
        except BaseException:
            store.dispose()
            raise
        return cls(ServiceContext(store, actor))

    @property
    def store(self) -> Store:
        return self.ctx.store

    @functools.cached_property
    def leads(self) -> LeadService:
        from leaddesk.services.leads.service import LeadService

        return LeadService(self.ctx)

    @functools.cached_property
    def credits(self) -> CreditService:
        from leaddesk.services.credits.ledger import CreditService

        return CreditService(self.ctx)

    @functools.cached_property
    def campaigns(self) -> CampaignService:
        from leaddesk.services.campaigns.service import CampaignService

        return CampaignService(self.ctx)

    @functools.cached_property
    def templates(self) -> TemplateService:
        from leaddesk.services.messaging.templates import TemplateService

        return TemplateService(self.ctx)

    @functools.cached_property
    def messages(self) -> MessageService:
        from leaddesk.services.messaging.messages import MessageService

        return MessageService(self.ctx)

    @functools.cached_property
    def activity(self) -> ActivityService:
        from leaddesk.services.activity import ActivityService

        return ActivityService(self.ctx)

    @functools.cached_property
    def tasks(self) -> TaskService:
        from leaddesk.services.leads.tasks import TaskService

        return TaskService(self.ctx)

    @functools.cached_property
    def suppression(self) -> SuppressionService:
        from leaddesk.services.messaging.suppression import SuppressionService

        return SuppressionService(self.ctx)

    @functools.cached_property
    def integrations(self) -> IntegrationService:
        from leaddesk.services.messaging.integrations import IntegrationService

        return IntegrationService(self.ctx)

    @functools.cached_property
    def compose(self) -> ComposeService:
        from leaddesk.services.messaging.compose import ComposeService

        return ComposeService(self.ctx, self.credits, self.integrations)

    @functools.cached_property
    def lead_import(self) -> LeadImporter:
        from leaddesk.services.importing.importer import LeadImporter

        return LeadImporter(self.ctx)

    @functools.cached_property
    def lead_changes(self) -> ChangeSetService:
        from leaddesk.services.leads.changes import ChangeSetService

        return ChangeSetService(self.ctx)

    @functools.cached_property
    def duplicates(self) -> DuplicateService:
        from leaddesk.services.leads.duplicates import DuplicateService

        return DuplicateService(self.ctx)

    @functools.cached_property
    def bulk_edit(self) -> BulkEditService:
        from leaddesk.services.leads.bulk_edit import BulkEditService

        return BulkEditService(self.ctx)

    @functools.cached_property
    def saved_views(self) -> SavedViewService:
        from leaddesk.services.leads.saved_views import SavedViewService

        return SavedViewService(self.ctx)

    def close(self) -> None:
        self.ctx.store.dispose()

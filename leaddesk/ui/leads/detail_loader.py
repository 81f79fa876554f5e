"""The detail panel's loading: the lead shown at once, its timeline (recent messages, activity
and tasks) read off the GUI thread; a timeline that arrives for a lead no longer shown is
dropped."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QObject, Signal

from leaddesk.services.activity import ActivityRecord, ActivityService
from leaddesk.services.leads.service import LeadRecord
from leaddesk.services.leads.tasks import TaskRecord, TaskService
from leaddesk.services.messaging.messages import MessageRecord, MessageService
from leaddesk.ui.leads.detail_panel import LeadDetailPanel
from leaddesk.ui.operations import op


class LeadDetailLoader(QObject):
    """Emits ``failed(text)`` when a timeline cannot be read. ``tasks`` None: no tasks."""

    failed = Signal(str)

    def __init__(
        self,
        panel: LeadDetailPanel,
        messages: MessageService,
        activity: ActivityService,
        tasks: TaskService | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._panel = panel
        self._messages = messages
        self._activity = activity
        self._tasks = tasks
        self._history_for: uuid.UUID | None = None
        self._history_loaded = False

    def show(self, lead: LeadRecord | None) -> None:
        """Show ``lead`` (None: none) unless it is shown already, then load its timeline."""
        if lead == self._panel.lead:
            return
        self._panel.show_lead(lead)
        if lead is None:
            self._history_for = None
            return
        self._load_history(lead.id)  # also after an edit: the timeline has a new entry

    def history_loaded(self) -> bool:
        return self._history_loaded

    def _load_history(self, lead_id: uuid.UUID) -> None:
        self._history_for = lead_id
        self._history_loaded = False
        messages, activity, tasks = self._messages, self._activity, self._tasks
        (
            op(lambda: (messages.for_lead(lead_id, 20), activity.for_lead(lead_id, 20),
                        tasks.for_lead(lead_id, 20) if tasks is not None else None),
               parent=self)
            .success(lambda result: self._history_arrived(lead_id, *result))
            .failure(lambda exc: self.failed.emit(str(exc)))
            .run()
        )

    def _history_arrived(
        self,
        lead_id: uuid.UUID,
        messages: list[MessageRecord],
        activities: list[ActivityRecord],
        tasks: list[TaskRecord] | None,
    ) -> None:
        if lead_id == self._history_for:
            self._history_loaded = True
            self._panel.show_history(messages, activities, tasks)

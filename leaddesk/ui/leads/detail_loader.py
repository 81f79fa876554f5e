"""The detail panel's loading and saving: the lead shown at once, its timeline (recent
messages, activity and tasks) read off the GUI thread; a timeline that arrives for a lead no
longer shown is dropped. What the rep does in the panel (a note, a logged call, a task, a
message opened) is saved here in the background, then the timeline is read again."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from leaddesk.services.activity import ActivityRecord, ActivityService
from leaddesk.services.leads.contact_log import ContactLogService
from leaddesk.services.leads.service import LeadRecord
from leaddesk.services.leads.tasks import TaskRecord, TaskService
from leaddesk.services.messaging.messages import MessageRecord, MessageService
from leaddesk.store.change_feed import Change
from leaddesk.ui.leads.detail_panel import LeadDetailPanel
from leaddesk.ui.leads.message_dialog import SentMessageDialog
from leaddesk.ui.operations import op

#: The tables whose writes change what the panel's timeline shows.
HISTORY_TABLES = ("messages", "activities", "tasks")


class LeadDetailLoader(QObject):
    """Emits ``failed(text)`` when a timeline cannot be read or a write is refused, and
    ``leadChanged(LeadRecord)`` after a note or a logged contact changed the lead.
    ``tasks`` None: no tasks; ``contact_log`` None: notes and logging are hidden."""

    failed = Signal(str)
    leadChanged = Signal(object)
    #: A write from the panel was saved (tests and the status bar wait for it).
    saved = Signal()

    def __init__(
        self,
        panel: LeadDetailPanel,
        messages: MessageService,
        activity: ActivityService,
        tasks: TaskService | None,
        parent: QObject | None = None,
        contact_log: ContactLogService | None = None,
    ) -> None:
        super().__init__(parent)
        self._panel = panel
        self._messages = messages
        self._activity = activity
        self._tasks = tasks
        self._contact_log = contact_log
        self._history_for: uuid.UUID | None = None
        self._history_loaded = False
        self.message_dialog: SentMessageDialog | None = None
        self.set_contact_log(contact_log)
        panel.noteSubmitted.connect(self.add_note)
        panel.contactLogged.connect(self.log_contact)
        panel.taskSubmitted.connect(self.add_task)
        panel.taskCompleted.connect(self.complete_task)
        panel.taskSnoozed.connect(self.snooze_task)
        panel.messageOpened.connect(self.open_message)

    def set_contact_log(self, contact_log: ContactLogService | None) -> None:
        """Where notes and logged contacts are saved (None hides those forms)."""
        self._contact_log = contact_log
        for form in (self._panel.note_form, self._panel.log_form):
            form.setVisible(contact_log is not None)
        self._panel.log_section.setVisible(contact_log is not None)

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

    def on_changes(self, change: Change) -> None:
        """Another window or user wrote the lead's messages, tasks or timeline: read it again."""
        lead = self._panel.lead
        if lead is not None and change.touches(*HISTORY_TABLES):
            self._load_history(lead.id)

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

    # -- the rep's writes ----------------------------------------------------------------------
    def _write(
        self, work: Callable[[uuid.UUID], Any], done: Callable[[Any], None],
        refused: Callable[[str], None],
    ) -> None:
        lead = self._panel.lead
        if lead is None:
            return
        lead_id = lead.id

        def saved(result: Any) -> None:
            done(result)
            if isinstance(result, LeadRecord):
                self.leadChanged.emit(result)
            if self._panel.lead is not None and self._panel.lead.id == lead_id:
                self._load_history(lead_id)
            self.saved.emit()

        def failed(exc: BaseException) -> None:
            message = getattr(exc, "message", None) or str(exc)
            refused(message)
            self.failed.emit(message)

        op(lambda: work(lead_id), parent=self).success(saved).failure(failed).run()

    def add_note(self, text: str) -> None:
        log, form = self._contact_log, self._panel.note_form
        if log is not None:
            self._write(lambda lead_id: log.add_note(lead_id, text),
                        lambda _r: form.saved(), form.show_error)

    def log_contact(self, kind: str, outcome: str, notes: str) -> None:
        log, form = self._contact_log, self._panel.log_form
        if log is not None:
            self._write(lambda lead_id: log.log_contact(lead_id, kind, outcome, notes),
                        lambda _r: form.saved(), form.show_error)

    def add_task(self, kind: str, title: str, due_at: dt.datetime) -> None:
        tasks, form = self._tasks, self._panel.task_form
        if tasks is not None:
            self._write(lambda lead_id: tasks.create(lead_id, kind, title, due_at),
                        lambda _r: form.saved(), form.show_error)

    def complete_task(self, task: TaskRecord) -> None:
        tasks, form = self._tasks, self._panel.task_form
        if tasks is not None:
            self._write(lambda _id: tasks.complete(task.id), lambda _r: None, form.show_error)

    def snooze_task(self, task: TaskRecord, until: dt.datetime) -> None:
        tasks, form = self._tasks, self._panel.task_form
        if tasks is not None:
            self._write(lambda _id: tasks.snooze(task.id, until), lambda _r: None,
                        form.show_error)

    def open_message(self, message: MessageRecord) -> None:
        """Open the message with its own entries of the lead's timeline."""
        activity = self._activity

        def timeline() -> list[ActivityRecord]:
            entries = activity.for_lead(message.lead_id, 500)
            return [e for e in reversed(entries) if e.entity_id == str(message.id)]

        (
            op(timeline, parent=self)
            .success(lambda entries: self._show_message(message, entries))
            .failure(lambda exc: self.failed.emit(str(exc)))
            .run()
        )

    def _show_message(self, message: MessageRecord, entries: list[ActivityRecord]) -> None:
        self.message_dialog = SentMessageDialog(message, entries, self._panel)
        self.message_dialog.open()

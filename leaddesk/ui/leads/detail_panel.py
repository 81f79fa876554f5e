"""The selected lead, where the rep works: every field edited in place, notes, the messages
(each opens with its timeline), tasks (add, done, snooze), logging a call, meeting or email,
and the activity timeline.

Layout and display only: it emits what the rep asked for and the detail loader
(``detail_loader``) saves it; the leads view answers ``messageRequested(LeadRecord)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.activity import ActivityRecord
from leaddesk.services.leads.service import LeadRecord
from leaddesk.services.leads.tasks import TaskRecord
from leaddesk.services.messaging.messages import MessageRecord
from leaddesk.ui.leads.detail_actions import ContactLogForm, NoteForm, NotesEditor, TaskForm
from leaddesk.ui.leads.detail_fields import Choice, LeadFieldsForm
from leaddesk.ui.leads.detail_items import (
    activity_row,
    clear_layout,
    layout_texts,
    message_card,
    task_card,
)
from leaddesk.ui.widgets import badge, muted, section, set_badge, title


def _list() -> QVBoxLayout:
    layout = QVBoxLayout()
    layout.setSpacing(6)
    return layout


class LeadDetailPanel(QScrollArea):
    """Emits the rep's requests: ``messageRequested(LeadRecord)``, ``fieldEdited(field,
    text)``, ``noteSubmitted(text)``, ``contactLogged(kind, outcome, notes)``,
    ``taskSubmitted(kind, title, due_at)``, ``taskCompleted(TaskRecord)``,
    ``taskSnoozed(TaskRecord, until)`` and ``messageOpened(MessageRecord)``."""

    messageRequested = Signal(object)
    noteSubmitted = Signal(str)
    contactLogged = Signal(str, str, str)
    taskSubmitted = Signal(str, str, object)
    taskCompleted = Signal(object)
    taskSnoozed = Signal(object, object)
    messageOpened = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DetailPanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(320)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("DetailBody")
        self.setWidget(body)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(16, 4, 12, 16)
        outer.setSpacing(12)

        self.empty = muted(self.tr("Select a lead to see its details."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.empty)

        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(10)
        outer.addWidget(self.content)
        outer.addStretch(1)

        self.name = title("")
        self.name.setWordWrap(True)
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.role = muted()
        self.role.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        status_row = QHBoxLayout()
        status_row.setSpacing(8)
        self.status = badge("new")
        self.score = QLabel()
        self.score.setProperty("role", "muted")
        self.do_not_contact = badge("Do not contact", "failed")
        status_row.addWidget(self.status)
        status_row.addWidget(self.score)
        status_row.addWidget(self.do_not_contact)
        status_row.addStretch(1)
        self.message_button = QPushButton(self.tr("Message…"))
        self.message_button.setToolTip(self.tr("Write to this lead in the composer"))
        self.message_button.clicked.connect(self._message_clicked)
        status_row.addWidget(self.message_button)
        content.addWidget(self.name)
        content.addWidget(self.role)
        content.addLayout(status_row)

        self.fields = LeadFieldsForm()
        self.fieldEdited = self.fields.fieldEdited
        self.fields.wrapChanged.connect(lambda: QTimer.singleShot(0, self._refit))
        content.addWidget(section(self.tr("Details")))
        content.addWidget(self.fields)

        content.addWidget(section(self.tr("Notes")))
        self.notes_editor = NotesEditor()
        self.notes = self.notes_editor.label
        self.notes_editor.edited.connect(lambda text: self.fieldEdited.emit("notes", text))
        content.addWidget(self.notes_editor)
        self.note_form = NoteForm()
        self.note_form.submitted.connect(self.noteSubmitted)
        content.addWidget(self.note_form)

        self.log_section = section(self.tr("Log a call, meeting or email"))
        content.addWidget(self.log_section)
        self.log_form = ContactLogForm()
        self.log_form.submitted.connect(self.contactLogged)
        content.addWidget(self.log_form)

        self.tasks_section = section(self.tr("Tasks"))
        content.addWidget(self.tasks_section)
        self.tasks = _list()
        content.addLayout(self.tasks)
        self.task_form = TaskForm()
        self.task_form.submitted.connect(self.taskSubmitted)
        content.addWidget(self.task_form)

        content.addWidget(section(self.tr("Messages")))
        self.messages = _list()
        content.addLayout(self.messages)

        content.addWidget(section(self.tr("Activity")))
        self.activity = _list()
        content.addLayout(self.activity)

        self.lead: LeadRecord | None = None
        self.show_lead(None)

    def set_choices(self, owners: Sequence[Choice], campaigns: Sequence[Choice]) -> None:
        self.fields.set_choices(owners, campaigns)

    def show_lead(self, lead: LeadRecord | None) -> None:
        same = lead is not None and self.lead is not None and self.lead.id == lead.id
        self.lead = lead
        self.empty.setVisible(lead is None)
        self.content.setVisible(lead is not None)
        if lead is None:
            return
        self.name.setText(lead.full_name or lead.email or self.tr("Unnamed lead"))
        role = " · ".join(p for p in (lead.title, lead.company) if p)
        self.role.setText(role)
        self.role.setVisible(bool(role))
        set_badge(self.status, lead.status)
        self.score.setText(self.tr("Score %1").replace("%1", str(lead.score)))
        self.do_not_contact.setVisible(lead.do_not_contact)
        self.fields.show_lead(lead)
        self.notes_editor.show_notes(lead.notes)
        if not same:
            for form in (self.note_form, self.log_form, self.task_form):
                form.clear_error()
            self.show_history_loading()

    def _message_clicked(self) -> None:
        if self.lead is not None:
            self.messageRequested.emit(self.lead)

    def show_history_loading(self) -> None:
        for layout in (self.messages, self.tasks, self.activity):
            clear_layout(layout)
            layout.addWidget(muted(self.tr("Loading…")))

    def show_history(
        self,
        messages: Sequence[MessageRecord],
        activities: Sequence[ActivityRecord],
        tasks: Sequence[TaskRecord] | None = None,
    ) -> None:
        """The lead's messages, tasks and timeline; ``tasks`` None hides the Tasks section
        (a view without a task service)."""
        clear_layout(self.messages)
        for message in messages:
            self.messages.addWidget(message_card(message, self.messageOpened.emit))
        if not messages:
            self.messages.addWidget(muted(self.tr("No messages yet.")))
        clear_layout(self.tasks)
        self.tasks_section.setVisible(tasks is not None)
        self.task_form.setVisible(tasks is not None)
        now = dt.datetime.now(dt.UTC)
        for task in tasks or ():
            self.tasks.addWidget(
                task_card(task, now, self.taskCompleted.emit, self.taskSnoozed.emit))
        if tasks is not None and not tasks:
            self.tasks.addWidget(muted(self.tr("No tasks.")))
        clear_layout(self.activity)
        for entry in activities:
            self.activity.addWidget(activity_row(entry))
        if not activities:
            self.activity.addWidget(muted(self.tr("No activity yet.")))
        QTimer.singleShot(0, self._refit)

    def _refit(self) -> None:
        """Size the body to its new content at the current width: a scroll area keeps the
        height it computed before the lists filled, which would squeeze the fields."""
        body = self.widget()
        layout = body.layout()
        layout.invalidate()
        width = self.viewport().width()
        body.setMinimumHeight(layout.totalHeightForWidth(width))
        body.resize(width, max(self.viewport().height(), body.minimumHeight()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refit()

    def activity_lines(self) -> list[str]:
        """The timeline as text, newest first (what a screen reader or a test reads)."""
        return layout_texts(self.activity)

    def task_lines(self) -> list[str]:
        """The tasks as text, in the order shown (what a screen reader or a test reads)."""
        return layout_texts(self.tasks)

    def message_lines(self) -> list[str]:
        return layout_texts(self.messages)

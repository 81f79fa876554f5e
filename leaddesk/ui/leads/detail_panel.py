"""The selected lead: who, how to reach them, tags, messages, tasks and the activity timeline.

Layout and display only; the leads view decides what to show, loads the history and answers
``messageRequested(LeadRecord)`` (the Message… button).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
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
from leaddesk.ui import formatting
from leaddesk.ui.widgets import Card, badge, muted, section, set_badge, title


def _clear(layout: QVBoxLayout | QHBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.deleteLater()


def _texts(layout: QVBoxLayout) -> list[str]:
    """Each row of a list as one line of text (what a screen reader or a test reads)."""
    lines = []
    for i in range(layout.count()):
        widget = layout.itemAt(i).widget()
        labels = widget.findChildren(QLabel) if widget else []
        if labels:
            lines.append(" ".join(label.text() for label in labels if label.text()))
    return lines


def _item_card(heading: str, state: QLabel | None, when: str, summary: str) -> Card:
    """One message or task: its kind in bold, a state badge and a date on top, one line below."""
    row = Card()
    layout = QVBoxLayout(row)
    layout.setContentsMargins(10, 8, 10, 8)
    layout.setSpacing(2)
    top = QHBoxLayout()
    kind = QLabel(heading)
    kind.setProperty("role", "strong")
    top.addWidget(kind)
    if state is not None:
        top.addWidget(state)
    top.addStretch(1)
    top.addWidget(muted(when))
    layout.addLayout(top)
    line = muted(summary)
    line.setWordWrap(False)
    # A long line is cut at the card's edge instead of widening the panel.
    line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    layout.addWidget(line)
    return row


def _value(text: str) -> QLabel:
    label = QLabel(text or "—")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class LeadDetailPanel(QScrollArea):
    messageRequested = Signal(object)

    FIELDS = ("email", "phone", "linkedin_url", "location", "timezone", "source", "consent",
              "created_at")

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
        outer.setContentsMargins(16, 4, 8, 16)
        outer.setSpacing(12)

        self.empty = muted(self.tr("Select a lead to see its details."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.empty)

        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(12)
        outer.addWidget(self.content)
        outer.addStretch(1)

        self.name = title("")
        self.name.setWordWrap(True)
        self.role = muted()
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

        contact = Card()
        form = QFormLayout(contact)
        form.setContentsMargins(14, 12, 14, 12)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(6)
        captions = {
            "email": self.tr("Email"),
            "phone": self.tr("Phone"),
            "linkedin_url": self.tr("LinkedIn"),
            "location": self.tr("Location"),
            "timezone": self.tr("Timezone"),
            "source": self.tr("Source"),
            "consent": self.tr("Consent"),
            "created_at": self.tr("Added"),
        }
        self.values: dict[str, QLabel] = {}
        for name in self.FIELDS:
            caption = QLabel(captions[name])
            caption.setProperty("role", "muted")
            self.values[name] = _value("")
            form.addRow(caption, self.values[name])
        content.addWidget(contact)

        content.addWidget(section(self.tr("Tags")))
        self.tags_row = QHBoxLayout()
        self.tags_row.setSpacing(6)
        content.addLayout(self.tags_row)

        content.addWidget(section(self.tr("Messages")))
        self.messages = QVBoxLayout()
        self.messages.setSpacing(6)
        content.addLayout(self.messages)

        self.tasks_section = section(self.tr("Tasks"))
        content.addWidget(self.tasks_section)
        self.tasks = QVBoxLayout()
        self.tasks.setSpacing(6)
        content.addLayout(self.tasks)

        content.addWidget(section(self.tr("Activity")))
        self.activity = QVBoxLayout()
        self.activity.setSpacing(4)
        content.addLayout(self.activity)

        self.lead: LeadRecord | None = None
        self.show_lead(None)

    def show_lead(self, lead: LeadRecord | None) -> None:
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
        location = ", ".join(p for p in (lead.city, lead.country) if p)
        values = {
            "email": lead.email,
            "phone": lead.phone,
            "linkedin_url": lead.linkedin_url,
            "location": location,
            "timezone": lead.timezone,
            "source": lead.source,
            "consent": lead.consent,
            "created_at": formatting.date_time(lead.created_at),
        }
        for name, text in values.items():
            self.values[name].setText(text or "—")
        _clear(self.tags_row)
        for tag in lead.tags:
            self.tags_row.addWidget(badge(tag, "tag"))
        if not lead.tags:
            self.tags_row.addWidget(muted(self.tr("No tags")))
        self.tags_row.addStretch(1)
        self.show_history_loading()

    def _message_clicked(self) -> None:
        if self.lead is not None:
            self.messageRequested.emit(self.lead)

    def show_history_loading(self) -> None:
        for layout in (self.messages, self.tasks, self.activity):
            _clear(layout)
            layout.addWidget(muted(self.tr("Loading…")))

    def show_history(
        self,
        messages: Sequence[MessageRecord],
        activities: Sequence[ActivityRecord],
        tasks: Sequence[TaskRecord] | None = None,
    ) -> None:
        """The lead's messages, tasks and timeline; ``tasks`` None hides the Tasks section
        (a view without a task service)."""
        _clear(self.messages)
        for message in messages:
            self.messages.addWidget(self._message_row(message))
        if not messages:
            self.messages.addWidget(muted(self.tr("No messages yet.")))
        _clear(self.tasks)
        self.tasks_section.setVisible(tasks is not None)
        now = dt.datetime.now(dt.UTC)
        for task in tasks or ():
            self.tasks.addWidget(self._task_row(task, now))
        if tasks is not None and not tasks:
            self.tasks.addWidget(muted(self.tr("No tasks.")))
        _clear(self.activity)
        for entry in activities:
            self.activity.addWidget(self._activity_row(entry))
        if not activities:
            self.activity.addWidget(muted(self.tr("No activity yet.")))

    def activity_lines(self) -> list[str]:
        """The timeline as text, newest first (what a screen reader or a test reads)."""
        return _texts(self.activity)

    def _message_row(self, message: MessageRecord) -> QWidget:
        lines = message.body.strip().splitlines()
        return _item_card(
            formatting.channel_label(message.channel),
            badge(message.state),
            formatting.date(message.sent_at or message.created_at),
            message.subject or (lines[0] if lines else ""),
        )

    def task_lines(self) -> list[str]:
        """The tasks as text, in the order shown (what a screen reader or a test reads)."""
        return _texts(self.tasks)

    def _task_row(self, task: TaskRecord, now: dt.datetime) -> QWidget:
        state = None
        if task.done:
            state = badge(self.tr("Done"), "done")
        elif task.overdue(now):
            state = badge(self.tr("Overdue"), "failed")
        if task.done:
            when = formatting.date(task.done_at)
        elif task.due_at is not None:
            when = self.tr("due %1").replace("%1", formatting.date_time(task.due_at))
        else:
            when = ""
        return _item_card(formatting.channel_label(task.kind), state, when, task.title)

    def _activity_row(self, entry: ActivityRecord) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        when = muted(formatting.date_time(entry.created_at))
        when.setMinimumWidth(120)
        when.setWordWrap(False)
        what = QLabel(formatting.label(entry.summary or entry.action))
        what.setWordWrap(True)
        layout.addWidget(when, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(what, 1)
        return row

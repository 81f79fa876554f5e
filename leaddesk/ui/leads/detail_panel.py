"""The selected lead: who, how to reach them, tags, messages and the activity timeline.

Layout and display only; the leads view decides what to show, loads the history and answers
``messageRequested(LeadRecord)`` (the Message… button).
"""

from __future__ import annotations

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
from leaddesk.services.leads import LeadRecord
from leaddesk.services.messages import MessageRecord
from leaddesk.ui import formatting
from leaddesk.ui.widgets import Card, badge, muted, section, set_badge, title


def _clear(layout: QVBoxLayout | QHBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.deleteLater()


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
        for layout in (self.messages, self.activity):
            _clear(layout)
            layout.addWidget(muted(self.tr("Loading…")))

    def show_history(
        self, messages: Sequence[MessageRecord], activities: Sequence[ActivityRecord]
    ) -> None:
        _clear(self.messages)
        for message in messages:
            self.messages.addWidget(self._message_row(message))
        if not messages:
            self.messages.addWidget(muted(self.tr("No messages yet.")))
        _clear(self.activity)
        for entry in activities:
            self.activity.addWidget(self._activity_row(entry))
        if not activities:
            self.activity.addWidget(muted(self.tr("No activity yet.")))

    def activity_lines(self) -> list[str]:
        """The timeline as text, newest first (what a screen reader or a test reads)."""
        lines = []
        for i in range(self.activity.count()):
            widget = self.activity.itemAt(i).widget()
            labels = widget.findChildren(QLabel) if widget else []
            if labels:
                lines.append(" ".join(label.text() for label in labels))
        return lines

    def _message_row(self, message: MessageRecord) -> QWidget:
        row = Card()
        layout = QVBoxLayout(row)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(2)
        top = QHBoxLayout()
        channel = QLabel(formatting.label(message.channel))
        channel.setProperty("role", "strong")
        top.addWidget(channel)
        top.addWidget(badge(message.state))
        top.addStretch(1)
        top.addWidget(muted(formatting.date(message.sent_at or message.created_at)))
        layout.addLayout(top)
        lines = message.body.strip().splitlines()
        summary = muted(message.subject or (lines[0] if lines else ""))
        summary.setWordWrap(False)
        # A long subject is cut at the card's edge instead of widening the panel.
        summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(summary)
        return row

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

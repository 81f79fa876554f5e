"""A sent (or queued, or failed) message opened from the detail panel: who it went to, its
subject and text, its state and error, and its timeline (queued, sent, replies, bounces)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.activity import ActivityRecord
from leaddesk.services.messaging.messages import MessageRecord
from leaddesk.ui import formatting
from leaddesk.ui.widgets import badge, muted, section


def _value(text: str) -> QLabel:
    label = QLabel(text or "—")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SentMessageDialog(QDialog):
    def __init__(
        self,
        message: MessageRecord,
        timeline: Sequence[ActivityRecord],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.message = message
        self.setWindowTitle(self.tr("%1 message").replace(
            "%1", formatting.channel_label(message.channel)))
        self.setMinimumSize(480, 420)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.tr("State"), badge(message.state))
        form.addRow(self.tr("To"), _value(message.to_address))
        form.addRow(self.tr("Created"), _value(formatting.date_time(message.created_at)))
        form.addRow(self.tr("Sent"), _value(formatting.date_time(message.sent_at)))
        if message.subject:
            form.addRow(self.tr("Subject"), _value(message.subject))
        if message.error or message.hold_reason:
            error = _value(message.error or message.hold_reason)
            error.setProperty("role", "error")
            form.addRow(self.tr("Problem"), error)
        layout.addLayout(form)
        self.body = QPlainTextEdit(message.body)
        self.body.setReadOnly(True)
        layout.addWidget(self.body, 1)
        layout.addWidget(section(self.tr("Timeline")))
        self.timeline: list[str] = []
        for entry in timeline:
            line = f"{formatting.date_time(entry.created_at)}  " + formatting.label(
                entry.summary or entry.action)
            self.timeline.append(line)
            layout.addWidget(_value(line))
        if not timeline:
            layout.addWidget(muted(self.tr("Nothing recorded for this message yet.")))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

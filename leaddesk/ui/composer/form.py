"""The composer's widgets: editor on the left, preview on the right (layout only)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from leaddesk.ui import formatting
from leaddesk.ui.composer.lead_picker import LeadPicker
from leaddesk.ui.composer.rendering import CHANNELS, Issue, Preview
from leaddesk.ui.widgets import Card, elided_combo, muted, section

_ISSUE_COLOURS = {"error": "#b91c1c", "warning": "#b45309", "info": "#4b5563"}


class ComposerForm(QWidget):
    def __init__(self, picker: LeadPicker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.channel = QComboBox()
        for channel in CHANNELS:
            self.channel.addItem(formatting.channel_label(channel), channel)
        self.template = elided_combo()
        self.template.setMinimumWidth(220)
        self.picker = picker
        #: Who gets it: one lead (the picker), the leads selected in the leads view, or a
        #: saved view (the picker's lead is then the one previewed).
        self.audience = elided_combo()
        self.audience.addItem(self.tr("One lead"), None)
        self.subject_label = QLabel(self.tr("Subject"))
        self.subject = QLineEdit()
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText(
            self.tr("Write the message. Variables: {{ first_name | default('there') }}, "
                    "{{ company }}, {{ title }}, {{ sender.name }}…")
        )
        self.body.setMinimumHeight(220)
        hint = muted(self.tr("Every variable needs a value or a fallback, e.g. "
                             "{{ first_name | default('there') }}."))

        editor = Card()
        form = QFormLayout(editor)
        form.setContentsMargins(16, 14, 16, 14)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(10)
        form.addRow(self.tr("Channel"), self.channel)
        form.addRow(self.tr("Template"), self.template)
        form.addRow(self.tr("Send to"), self.audience)
        form.addRow(self.tr("To"), self.picker)
        form.addRow(self.subject_label, self.subject)
        form.addRow(self.tr("Message"), self.body)
        form.addRow("", hint)

        # Preview
        self.to_line = muted()
        self.preview_subject = QLabel()
        bold = QFont(self.preview_subject.font())
        bold.setWeight(QFont.Weight.DemiBold)
        bold.setPointSizeF(bold.pointSizeF() * 1.1)
        self.preview_subject.setFont(bold)
        self.preview_subject.setWordWrap(True)
        self.preview_body = QTextBrowser()
        self.preview_body.setObjectName("PreviewBody")
        self.preview_body.setOpenLinks(False)
        #: A WhatsApp content template: its Content SID and the variables rendered for the lead.
        self.content = QLabel()
        self.content.setObjectName("PreviewContent")
        self.content.setWordWrap(True)
        self.content.setTextFormat(Qt.TextFormat.RichText)
        self.content.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_error = QLabel()
        self.preview_error.setProperty("role", "error")
        self.preview_error.setWordWrap(True)
        self.issues = QLabel()
        self.issues.setWordWrap(True)
        self.issues.setTextFormat(Qt.TextFormat.RichText)
        self.cost = QLabel()
        self.cost.setProperty("role", "strong")
        self.segments = muted()
        self.balance = muted()
        self.balance.setWordWrap(False)
        self.segments.setWordWrap(False)

        preview = Card()
        pv = QVBoxLayout(preview)
        pv.setContentsMargins(16, 14, 16, 14)
        pv.setSpacing(8)
        pv.addWidget(section(self.tr("Preview")))
        pv.addWidget(self.to_line)
        pv.addWidget(self.preview_subject)
        pv.addWidget(self.content)
        pv.addWidget(self.preview_body, 1)
        pv.addWidget(self.preview_error)
        pv.addWidget(self.issues)
        footer = QHBoxLayout()
        footer.setSpacing(12)
        footer.addWidget(self.cost)
        footer.addWidget(self.segments)
        footer.addStretch(1)
        footer.addWidget(self.balance)
        pv.addLayout(footer)

        self.save_button = QPushButton(self.tr("Save as draft"))
        self.save_button.setProperty("primary", True)
        self.send_button = QPushButton(self.tr("Send now"))
        self.send_button.setEnabled(False)
        self.send_button.setToolTip(self.tr("Queue the message in the outbox and send it now"))
        self.schedule_button = QPushButton(self.tr("Schedule…"))
        self.schedule_button.setToolTip(self.tr("Queue the message in the outbox for later"))
        self.schedule_button.setEnabled(False)
        self.save_hint = muted()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_hint, 1)
        buttons.addWidget(self.schedule_button)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.save_button)

        for card in (editor, preview):  # equal halves, whatever the text inside asks for
            card.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addWidget(editor, 1)
        columns.addWidget(preview, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)

    def _content_html(self, result: Preview) -> str:
        if not result.content_sid:
            return ""
        head = self.tr("WhatsApp template %1 — WhatsApp sends its approved text; "
                       "the message below is your copy.").replace(
            "%1", f"<b>{html.escape(result.content_sid)}</b>")
        rows = "".join(
            f'<tr><td style="color:#4b5563; padding-right:10px">{{{{{html.escape(key)}}}}}</td>'
            f"<td>{html.escape(value) or '<i>' + self.tr('empty') + '</i>'}</td></tr>"
            for key, value in result.variables
        ) or f"<tr><td><i>{self.tr('No variables')}</i></td></tr>"
        return f"<div>{head}</div><table style='margin-top:4px'>{rows}</table>"

    def show_subject(self, visible: bool) -> None:
        self.subject_label.setVisible(visible)
        self.subject.setVisible(visible)
        self.preview_subject.setVisible(visible)

    def show_preview(self, result: Preview, to: str) -> None:
        self.to_line.setText(to)
        self.preview_subject.setText(result.subject or self.tr("(no subject)"))
        self.preview_body.setPlainText(result.body + result.footer)
        self.content.setText(self._content_html(result))
        self.content.setVisible(bool(result.content_sid))
        self.preview_error.setText(result.error)
        self.preview_error.setVisible(bool(result.error))
        self.issues.setText(_issues_html(result.issues))
        self.issues.setVisible(bool(result.issues))
        if result.segments is not None:
            count = result.segments.count
            text = self.tr("1 SMS segment") if count == 1 else self.tr("%1 SMS segments")
            self.segments.setText(
                text.replace("%1", str(count)) + f" · {result.segments.encoding}"
            )
        self.segments.setVisible(result.segments is not None)


def _issues_html(issues: tuple[Issue, ...]) -> str:
    lines = []
    for issue in issues:
        colour = _ISSUE_COLOURS.get(issue.level, "#4b5563")
        lines.append(f'<div style="color:{colour}">• {html.escape(issue.text)}</div>')
    return "".join(lines)

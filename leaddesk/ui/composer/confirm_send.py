"""The confirmation before a send to more than one lead: the plan's quote, in words.

It shows the one quote the plan carries (``services/messaging/send_quote.py``): how many go now,
how many later and when (and which cap holds them), how many are held and why, grouped by the
real reason, who is not contacted, and the exact credits. Nothing is queued unless the rep
presses the send button, and the button is off when the credits do not cover the send.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.messaging.send_quote import ReasonCount, SendQuote
from leaddesk.ui import formatting

#: Reasons listed per group before "and N more reasons".
REASONS_SHOWN = 8


class ConfirmSendDialog(QDialog):
    """Asks before queuing; ``accepted`` means send as quoted."""

    def __init__(self, quote: SendQuote, scheduled: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quote = quote
        self.setWindowTitle(self.tr("Confirm send"))
        self.setMinimumWidth(520)
        heading = QLabel(self.tr("Send %1 messages by %2?").replace(
            "%1", f"{quote.to_send:,}").replace("%2", formatting.channel_label(quote.channel)))
        heading.setProperty("role", "strong")
        self.summary = QLabel(self.summary_html())
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("ConfirmSendSummary")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.summary)
        self.buttons = QDialogButtonBox()
        label = (self.tr("Schedule %1") if scheduled else self.tr("Send %1")).replace(
            "%1", f"{quote.to_send:,}")
        self.send_button: QPushButton = self.buttons.addButton(
            label, QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setProperty("primary", True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.send_button.setEnabled(quote.to_send > 0 and quote.credits_ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.problem = QLabel()
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        if not quote.credits_ok:
            self.problem.setText(self.tr("Cannot send: %1. Buy credits or lower the number "
                                         "of leads.").replace("%1", quote.credits_message))
        elif not quote.to_send:
            self.problem.setText(self.tr("Nothing to send: every lead is held or not to be "
                                         "contacted."))
        self.problem.setVisible(bool(self.problem.text()))
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def summary_html(self) -> str:
        q = self.quote
        rows = [self._row(self.tr("Now"), f"{q.now:,}",
                          self.tr("go out as soon as you confirm") if q.now else "")]
        for batch in q.later:
            why = (self.tr("%1 is used up").replace("%1", batch.cap) if batch.cap
                   else self.tr("scheduled"))
            when = formatting.date_time(batch.at)
            rows.append(self._row(self.tr("Later"), f"{batch.count:,}",
                                  self.tr("at %1 — %2").replace("%1", when).replace("%2", why)))
        parts = [f"<table cellspacing='0' cellpadding='3'>{''.join(rows)}</table>"]
        parts += self._reasons(self.tr("Held — not sent until fixed"), q.held_count, q.held)
        parts += self._reasons(self.tr("Not contacted (do-not-contact)"), q.blocked_count,
                               q.blocked)
        available = (self.tr("unlimited plan") if q.available is None
                     else self.tr("%1 available").replace("%1", formatting.credits(q.available)))
        parts.append("<p><b>" + self.tr("Credits: %1").replace("%1", formatting.credits(q.credits))
                     + "</b> — " + self.tr("%1 × %2 each; %3").replace("%1", f"{q.to_send:,}")
                     .replace("%2", formatting.credits(q.price_each)).replace("%3", available)
                     + "</p>")
        return "".join(parts)

    @staticmethod
    def _row(label: str, count: str, text: str) -> str:
        return (f"<tr><td valign='top'><b>{html.escape(label)}</b></td>"
                f"<td valign='top' align='right' style='padding:0 10px'>{count}</td>"
                f"<td valign='top'>{html.escape(text)}</td></tr>")

    def _reasons(self, title: str, total: int, reasons: tuple[ReasonCount, ...]) -> list[str]:
        if not total:
            return []
        items = "".join(f"<li>{r.count:,} — {html.escape(r.reason)}</li>"
                        for r in reasons[:REASONS_SHOWN])
        rest = len(reasons) - REASONS_SHOWN
        if rest > 0:
            items += "<li>" + self.tr("and %1 more reasons").replace("%1", str(rest)) + "</li>"
        return [f"<p><b>{html.escape(title)}: {total:,}</b></p><ul>{items}</ul>"]

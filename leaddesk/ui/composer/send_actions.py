"""The composer's Send now and Schedule…: queue the message, then the outbox sends it.

Planning and queuing run off the GUI thread (``op``); sending runs in the
:class:`~leaddesk.ui.composer.outbox_panel.OutboxRunner`, whose progress strip sits under the form.
A message with a missing variable is never queued: the buttons stay off while the preview shows
an error, and the service holds it anyway if the data changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Protocol

from PySide6.QtCore import QDateTime, QObject
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.messaging.compose import ComposeResult, ComposeService
from leaddesk.services.messaging.templates import TemplateRecord
from leaddesk.ui.composer.form import ComposerForm
from leaddesk.ui.composer.outbox_panel import OutboxPanel, OutboxRunner
from leaddesk.ui.composer.rendering import Preview
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import MessageBar


class Composer(Protocol):
    """What sending needs of the composer view. The view creates :class:`SendActions`, so this
    module describes the view instead of importing it."""

    form: ComposerForm
    message_bar: MessageBar
    last_preview: Preview | None

    @property
    def channel(self) -> str: ...

    def template(self) -> TemplateRecord | None: ...

    def recipient_ids(self) -> list[uuid.UUID]: ...

    def render_preview(self) -> Preview: ...

    def refresh_balance(self) -> None: ...


class ScheduleDialog(QDialog):
    """Pick a local date and time (tomorrow 09:00 by default)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Schedule"))
        tomorrow = QDateTime.currentDateTime().addDays(1)
        tomorrow.setTime(tomorrow.time().fromString("09:00", "HH:mm"))
        self.when = QDateTimeEdit(tomorrow)
        self.when.setCalendarPopup(True)
        self.when.setMinimumDateTime(QDateTime.currentDateTime())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Send at (your local time):")))
        layout.addWidget(self.when)
        layout.addWidget(buttons)

    def chosen(self) -> dt.datetime:
        return self.when.dateTime().toPython().astimezone().astimezone(dt.UTC)


class SendActions(QObject):
    """Send now and Schedule… for ``view``; ``parent`` (the view's widget) owns this object and
    the schedule dialog."""

    def __init__(self, view: Composer, compose: ComposeService, runner: OutboxRunner,
                 panel: OutboxPanel, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self.view = view
        self.compose = compose
        self.runner = runner
        self.panel = panel
        self.last_result: ComposeResult | None = None
        view.form.send_button.clicked.connect(lambda: self.send())
        view.form.schedule_button.clicked.connect(self.ask_schedule)

    def update(self, preview: Preview, reason: str) -> None:
        """Sending is possible exactly when saving a draft is (a lead, a clean message)."""
        for button in (self.view.form.send_button, self.view.form.schedule_button):
            button.setEnabled(not reason and not preview.blocking)

    def ask_schedule(self) -> None:
        dialog = ScheduleDialog(self._parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.send(dialog.chosen())

    def send(self, at: dt.datetime | None = None) -> None:
        """Queue the message for the chosen recipients (one lead, a selection or a saved view;
        now, or at ``at``) and start the outbox."""
        view = self.view
        preview = view.render_preview()
        recipients = view.recipient_ids()
        if not recipients or preview.blocking:
            return
        compose, channel = self.compose, view.channel
        subject, body = view.form.subject.text(), view.form.body.toPlainText()
        # a WhatsApp content template goes out as itself (its SID and variables)
        template = view.template() if preview.content_sid else None
        source = {"template_id": template.id} if template else {"subject": subject, "body": body}
        view.form.send_button.setEnabled(False)
        view.form.schedule_button.setEnabled(False)

        def queue() -> ComposeResult:
            plan = compose.plan(channel, recipients, **source)
            return compose.commit(plan, at=at)

        (
            op(queue, parent=self)
            .success(lambda result: self._queued(result, at))
            .failure(lambda exc: view.message_bar.show_message(
                self.tr("Not sent — ") + str(exc)))
            .finished(lambda: self.update(view.last_preview or preview, ""))
            .run()
        )

    def _queued(self, result: ComposeResult, at: dt.datetime | None) -> None:
        self.last_result = result
        view = self.view
        if len(result.message_ids) > 1 or result.queued > 1:
            skipped = [(result.held, self.tr("held (a variable has no value)")),
                       (result.blocked, self.tr("on the do-not-contact list"))]
            notes = "; ".join(f"{n:,} {label}" for n, label in skipped if n)
            text = self.tr("%1 messages queued").replace("%1", f"{result.queued:,}")
            view.message_bar.show_message(text + (f" — {notes}." if notes else "."),
                                          kind="info",
                                          timeout_ms=6000)
            if not result.queued:
                return
        elif result.blocked:
            view.message_bar.show_message(self.tr("Not sent: this person is on the "
                                                  "do-not-contact list."))
            return
        elif result.held:
            view.message_bar.show_message(self.tr("Held: a variable has no value."))
            return
        if at is not None:
            when = at.astimezone().strftime("%Y-%m-%d %H:%M")
            view.message_bar.show_message(self.tr("Scheduled for %1.").replace("%1", when),
                                          kind="info", timeout_ms=4000)
            return
        if not self.runner.running:
            self.panel.begin(result.queued)
        else:
            self.panel.total += result.queued
        self.runner.start()
        view.refresh_balance()

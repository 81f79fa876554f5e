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

from leaddesk.services.messaging.compose import ComposePlan, ComposeResult, ComposeService
from leaddesk.services.messaging.templates import TemplateRecord
from leaddesk.ui.composer.confirm_send import ConfirmSendDialog
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

    def campaign_id(self) -> uuid.UUID | None: ...


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
        self.last_plan: ComposePlan | None = None
        #: The confirmation open now (a send to more than one lead), if any.
        self.confirm_dialog: ConfirmSendDialog | None = None
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
        """Plan the send for the chosen recipients (one lead, a selection or a saved view; now,
        or at ``at``); to more than one lead, ask first with the plan's quote; then queue it
        and start the outbox."""
        view = self.view
        preview = view.render_preview()
        recipients = view.recipient_ids()
        if not recipients or preview.blocking:
            return
        compose, channel, campaign_id = self.compose, view.channel, view.campaign_id()
        subject, body = view.form.subject.text(), view.form.body.toPlainText()
        # a WhatsApp content template goes out as itself (its SID and variables)
        template = view.template() if preview.content_sid else None
        source = {"template_id": template.id} if template else {"subject": subject, "body": body}
        self._busy(True)
        (
            op(lambda: compose.plan(channel, recipients, campaign_id=campaign_id, at=at,
                                    **source), parent=self)
            .success(lambda plan: self._planned(plan, len(recipients)))
            .failure(self._refused)
            .run()
        )

    def _busy(self, busy: bool) -> None:
        if busy:
            self.view.form.send_button.setEnabled(False)
            self.view.form.schedule_button.setEnabled(False)
        else:
            self.update(self.view.last_preview or self.view.render_preview(), "")

    def _refused(self, exc: BaseException) -> None:
        self.view.message_bar.show_message(self.tr("Not sent — ") + str(exc))
        self._busy(False)

    def _planned(self, plan: ComposePlan, recipients: int) -> None:
        self.last_plan = plan
        if recipients <= 1:
            self._commit(plan)
            return
        dialog = self.confirm_dialog = ConfirmSendDialog(plan.quote, plan.at is not None,
                                                         self._parent)
        dialog.accepted.connect(lambda: self._commit(plan))
        dialog.rejected.connect(lambda: self._busy(False))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _commit(self, plan: ComposePlan) -> None:
        self.confirm_dialog = None
        compose = self.compose
        (
            op(lambda: compose.commit(plan), parent=self)
            .success(lambda result: self._queued(result, plan))
            .failure(self._refused)
            .finished(lambda: self._busy(False))
            .run()
        )

    def _queued(self, result: ComposeResult, plan: ComposePlan) -> None:
        self.last_result = result
        view, quote, at = self.view, plan.quote, plan.at
        if len(plan.previews) > 1:
            text = self.tr("%1 messages queued").replace("%1", f"{result.queued:,}")
            if quote.later:
                text += self.tr(" (%1 now, %2 later: %3)").replace("%1", f"{quote.now:,}") \
                    .replace("%2", f"{quote.later_count:,}").replace("%3", quote.later[0].why)
            notes = [f"{r.count:,} held ({r.reason})" for r in quote.held[:2]]
            notes += [f"{r.count:,} not contacted ({r.reason})" for r in quote.blocked[:1]]
            view.message_bar.show_message(text + (f" — {'; '.join(notes)}." if notes else "."),
                                          kind="info", timeout_ms=8000)
            if not result.queued:
                return
        elif result.blocked:
            view.message_bar.show_message(self.tr("Not sent: %1.").replace(
                "%1", plan.blocked[0].blocked_reason))
            return
        elif result.held:
            view.message_bar.show_message(self.tr("Held: %1.").replace(
                "%1", plan.held[0].held_reason))
            return
        if at is not None:
            when = at.astimezone().strftime("%Y-%m-%d %H:%M")
            view.message_bar.show_message(self.tr("Scheduled for %1.").replace("%1", when),
                                          kind="info", timeout_ms=4000)
            return
        if not self.runner.running:
            self.panel.begin(quote.now or result.queued)
        else:
            self.panel.total += quote.now or result.queued
        self.runner.start()
        view.refresh_balance()

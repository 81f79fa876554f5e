"""The composer view: template + real lead -> live preview, cost, and a saved draft."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from leaddesk.services.campaigns.service import CampaignService
from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.credits.records import Balance, Preflight
from leaddesk.services.errors import ValidationError
from leaddesk.services.leads.saved_views import SavedViewService
from leaddesk.services.leads.service import LeadRecord, LeadService
from leaddesk.services.messaging.compose import ComposeService
from leaddesk.services.messaging.messages import MessageRecord, MessageService
from leaddesk.services.messaging.templates import TemplateRecord, TemplateService
from leaddesk.store.change_feed import Change
from leaddesk.ui import formatting
from leaddesk.ui.composer.audience import AudienceMixin
from leaddesk.ui.composer.form import ComposerForm
from leaddesk.ui.composer.lead_picker import LeadPicker, describe
from leaddesk.ui.composer.outbox_panel import OutboxPanel, OutboxRunner
from leaddesk.ui.composer.quoting import CostMixin, SendQuoter
from leaddesk.ui.composer.rendering import CHANNELS, SUBJECT_CHANNELS, Preview, preview
from leaddesk.ui.composer.send_actions import SendActions
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import MessageBar, title

#: The ledger's tables: a write there can change the balance and what a send may spend.
CREDIT_TABLES = ("credit_accounts", "credit_transactions", "credit_holds", "price_list_versions")


class ComposerView(AudienceMixin, CostMixin, QWidget):
    """Emits ``draftSaved(MessageRecord)``."""

    draftSaved = Signal(object)

    def __init__(
        self,
        templates: TemplateService,
        leads: LeadService,
        messages: MessageService,
        credits: CreditService,
        sender: Mapping[str, Any] | None = None,
        parent: QWidget | None = None,
        compose: ComposeService | None = None,
        runner: OutboxRunner | None = None,
        views: SavedViewService | None = None,
        campaigns: CampaignService | None = None,
    ) -> None:
        super().__init__(parent)
        self._campaigns = campaigns
        #: Why the chosen saved view cannot be sent to ("" when it can).
        self.audience_error = ""
        self.quoter = SendQuoter(self)
        self.quoter.quoted.connect(lambda _quote: self._show_cost())
        self._templates_service = templates
        self._leads = leads
        self._compose = compose
        self._views = views
        #: The recipients when sending to a selection or a saved view (None: the picker's lead).
        self._recipients: list[uuid.UUID] | None = None
        self._audience_loading = 0
        self.preflight: Preflight | None = None
        self._preflight_asked: tuple[str, int] | None = None
        self._messages = messages
        self._credits = credits
        self._sender = dict(sender or {})
        #: Per channel, the ``sender`` and ``company`` values compose renders with (loaded by
        #: :meth:`refresh`; until then ``sender`` as given).
        self._sender_values: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._templates: list[TemplateRecord] = []
        self._balance: Balance | None = None
        self._loaded = False
        self._loading = 0
        self._filling = False
        self.last_preview: Preview | None = None

        self.picker = LeadPicker(leads)
        self.form = ComposerForm(self.picker)
        self.message_bar = MessageBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(12)
        layout.addWidget(title(self.tr("Composer")))
        layout.addWidget(self.message_bar)
        layout.addWidget(self.form, 1)
        self.sending: SendActions | None = None
        if compose is not None and runner is not None:  # Send now / Schedule and the outbox
            self.outbox_panel = OutboxPanel(runner)
            layout.addWidget(self.outbox_panel)
            self.sending = SendActions(self, compose, runner, self.outbox_panel, parent=self)

        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(150)
        self._render_timer.timeout.connect(self.render_preview)

        self.form.channel.currentIndexChanged.connect(self._on_channel)
        self.form.template.currentIndexChanged.connect(self._on_template)
        self.form.subject.textChanged.connect(self._schedule_render)
        self.form.body.textChanged.connect(self._schedule_render)
        self.picker.leadChosen.connect(lambda _lead: self.render_preview())
        self.form.save_button.clicked.connect(self.save_draft)
        self.form.audience.currentIndexChanged.connect(self._on_audience)
        self._on_channel()

    # -- state -----------------------------------------------------------------------------------
    @property
    def channel(self) -> str:
        return str(self.form.channel.currentData())

    @property
    def lead(self) -> LeadRecord | None:
        return self.picker.lead

    def template(self) -> TemplateRecord | None:
        key = self.form.template.currentData()  # str: QComboBox.findData cannot match UUIDs
        return next((t for t in self._templates if str(t.id) == key), None)

    def _content_sid(self) -> str:
        """The chosen WhatsApp template's Content SID ("" for a free-form message)."""
        template = self.template()
        return template.content_sid if template and self.channel == "whatsapp" else ""

    def cost(self) -> int:
        return self._credits.prices.cost(self.channel)

    def is_loaded(self) -> bool:
        return (self._loaded and self._loading == 0 and self._audience_loading == 0
                and not self._render_timer.isActive() and not self.quoter.busy)

    def campaign_id(self) -> uuid.UUID | None:
        """The campaign chosen for the messages (None: none)."""
        data = self.form.campaign.currentData()
        return uuid.UUID(data) if data else None

    def recipient_ids(self) -> list[uuid.UUID]:
        """Who Send now / Schedule… queue for: the selection or view, else the picker's lead."""
        if self._recipients is not None:
            return list(self._recipients)
        return [self.lead.id] if self.lead is not None else []

    # -- loading ---------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded and not self._loading:
            self.refresh()

    def refresh(self) -> None:
        """Load the templates, the balance and the saved views in the background."""
        self._loading += 1
        templates, credits, views = self._templates_service, self._credits, self._views
        compose, campaigns = self._compose, self._campaigns
        (
            op(lambda: (templates.list(), credits.balance(),
                        (compose.view_names() if compose is not None else
                         [v.name for v in views.list()]) if views is not None else [],
                        {c: compose.sender_values(c) for c in CHANNELS}
                        if compose is not None else {},
                        [(c.id, c.name) for c in campaigns.list()] if campaigns else []),
               parent=self)
            .success(lambda result: self._loaded_data(*result))
            .failure(lambda exc: self.message_bar.show_message(str(exc)))
            .finished(self._load_done)
            .run()
        )

    def _load_done(self) -> None:
        self._loading -= 1

    def _loaded_data(self, templates: list[TemplateRecord], balance: Balance,
                     view_names: list[str],
                     sender_values: dict[str, tuple[dict[str, Any], dict[str, Any]]],
                     campaigns: list[tuple[uuid.UUID, str]]) -> None:
        self._loaded = True
        self._fill_campaigns(campaigns)
        self._sender_values = sender_values
        self._templates = templates
        self._balance = balance
        self._fill_views(view_names)
        self._fill_templates()
        self.render_preview()

    def refresh_balance(self) -> None:
        credits = self._credits
        op(credits.balance, parent=self).success(self._balance_arrived).run()

    def _balance_arrived(self, balance: Balance) -> None:
        self._balance = balance
        self._preflight_asked = None  # the balance changed: ask again
        self.quoter.invalidate()
        self._show_cost()

    def on_changes(self, change: Change) -> None:
        """Reload what another window, process or user changed: the saved views of "Send to",
        the balance, and the quote (the queue ahead and the leads count in it)."""
        if not self._loaded:
            return  # the first showing loads everything
        if change.touches("saved_views", "campaigns"):
            self.refresh()
        if change.touches(*CREDIT_TABLES):
            self.refresh_balance()
        if change.touches("messages", "leads", "send_counters", *CREDIT_TABLES):
            self.quoter.invalidate()

    # -- choices ---------------------------------------------------------------------------------
    def set_channel(self, channel: str) -> None:
        self.form.channel.setCurrentIndex(max(0, self.form.channel.findData(channel)))

    def select_template(self, template_id: uuid.UUID) -> bool:
        template = next((t for t in self._templates if t.id == template_id), None)
        if template is None:
            return False
        self.set_channel(template.channel)
        index = self.form.template.findData(str(template_id))
        self.form.template.setCurrentIndex(index)
        return index >= 0

    def set_lead(self, lead: LeadRecord) -> None:
        self.picker.set_lead(lead)

    def _on_channel(self) -> None:
        self.form.show_subject(self.channel in SUBJECT_CHANNELS)
        self._fill_templates()
        self._schedule_render()

    def _fill_templates(self) -> None:
        """List the channel's templates; pick the first unless the user wrote their own text."""
        previous = self.template()
        untouched = self.form.body.toPlainText() == (previous.body if previous else "")
        combo = self.form.template
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("Blank message"), None)
        for template in self._templates:
            if template.channel == self.channel:
                combo.addItem(template.name, str(template.id))
        combo.setCurrentIndex(1 if untouched and combo.count() > 1 else 0)
        combo.blockSignals(False)
        if untouched:
            self._on_template()

    def _on_template(self) -> None:
        template = self.template()
        self._filling = True
        try:
            self.form.subject.setText(template.subject if template else "")
            self.form.body.setPlainText(template.body if template else "")
            # a content template's text is approved at WhatsApp: the body is only a local copy
            approved = bool(self._content_sid())
            self.form.body.setReadOnly(approved)
            self.form.body.setToolTip(self.tr("The approved WhatsApp template's text: change "
                                              "it in Twilio, then here.") if approved else "")
        finally:
            self._filling = False
        self.render_preview()

    # -- preview ---------------------------------------------------------------------------------
    def _schedule_render(self) -> None:
        if not self._filling:
            self._render_timer.start()

    def render_preview(self) -> Preview:
        self._render_timer.stop()
        lead = self.lead
        template = self.template()
        sender, company = self._sender_values.get(self.channel, (self._sender, {}))
        result = preview(
            self.channel, self.form.subject.text(), self.form.body.toPlainText(), lead,
            sender, self._content_sid(),
            template.content_variables if template else None, company,
        )
        self.last_preview = result
        if lead is None:
            to = self.tr("Choose a recipient to see the message as they will read it.")
        else:
            to = self.tr("To: %1").replace("%1", describe(lead))
        self.form.show_preview(result, to)
        self._show_cost()
        self._update_save_state(result)
        return result

    def _update_save_state(self, result: Preview) -> None:
        if self.audience_error:
            reason = self.audience_error
        elif self.lead is None:
            reason = self.tr("Choose a recipient to save a draft.")
        elif not result.body.strip() and not result.content_sid:
            reason = self.tr("Write a message to save a draft.")
        elif result.error:
            reason = self.tr("Fix the template to save a draft.")
        else:
            reason = ""
        draft_reason = reason
        if not reason and result.content_sid:  # a draft would lose the content template
            draft_reason = self.tr("A WhatsApp template goes out with Send now or Schedule…")
        self.form.save_button.setEnabled(not draft_reason)
        self.form.save_hint.setText(draft_reason)
        if self.sending is not None:
            preflight = self.preflight
            if not reason and self._recipients is not None and not self._recipients:
                reason = self.tr("Nobody to send to.")
            if not reason and preflight is not None and not preflight.ok \
                    and self._preflight_asked == (self.channel, self.preflight_count()):
                reason = self.tr("Not enough credits: %1").replace("%1", preflight.message)
                self.form.save_hint.setText(reason)
            self.sending.update(result, reason)

    # -- saving ----------------------------------------------------------------------------------
    def save_draft(self) -> None:
        """Save the message as rendered for the chosen lead."""
        result = self.render_preview()
        lead = self.lead
        if lead is None or not result.rendered:
            return
        template = self.template()
        messages, channel = self._messages, self.channel
        template_id = template.id if template else None
        self.form.save_button.setEnabled(False)
        (
            op(lambda: messages.save_draft(lead.id, channel, result.subject, result.body,
                                           template_id), parent=self)
            .success(self._draft_saved)
            .failure(self._draft_refused)
            .finished(lambda: self._update_save_state(self.last_preview or result))
            .run()
        )

    def _draft_saved(self, message: MessageRecord) -> None:
        name = self.lead.full_name if self.lead else ""
        self.message_bar.show_message(
            self.tr("Draft saved for %1.").replace("%1", name), kind="info", timeout_ms=4000
        )
        self.draftSaved.emit(message)

    def _draft_refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            text = f"{formatting.label(exc.field)}: {exc.message}"
        else:
            text = str(exc)
        self.message_bar.show_message(self.tr("Draft not saved — ") + text)

"""The composer's live quote of a send to several leads: the same ``ComposeService.plan`` the
Send button and ``compose --dry-run`` use, worked out off the GUI thread a moment after the
recipients, channel or text stop changing, so the cost line shows what will really be charged
(held and do-not-contact leads cost nothing) and not recipients × price."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from leaddesk.services.credits.records import Balance, Preflight
from leaddesk.services.messaging.compose import ComposePlan
from leaddesk.services.messaging.send_quote import SendQuote
from leaddesk.ui import formatting
from leaddesk.ui.operations import op

if TYPE_CHECKING:
    from leaddesk.services.credits.ledger import CreditService
    from leaddesk.services.messaging.compose import ComposeService
    from leaddesk.services.messaging.templates import TemplateRecord
    from leaddesk.ui.composer.form import ComposerForm
    from leaddesk.ui.composer.rendering import Preview

#: How long the inputs must stay still before the whole send is planned again.
QUOTE_DELAY_MS = 400


class SendQuoter(QObject):
    """Emits ``quoted(SendQuote | None)`` when the quote of the latest request arrives (None:
    it could not be worked out; ``error`` says why)."""

    quoted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.quote: SendQuote | None = None
        self.error = ""
        self._asked: Hashable | None = None
        self._plan: Callable[[], ComposePlan] | None = None
        self._running = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(QUOTE_DELAY_MS)
        self._timer.timeout.connect(self._run)

    @property
    def busy(self) -> bool:
        return self._timer.isActive() or self._running > 0

    def request(self, key: Hashable, plan: Callable[[], ComposePlan]) -> None:
        """Quote ``plan()`` unless ``key`` (what the plan depends on) was the last asked."""
        if key == self._asked:
            return
        self._asked, self._plan = key, plan
        self.quote, self.error = None, ""
        self._timer.start()

    def clear(self) -> None:
        """No quote is wanted (one lead, or no recipients); a later request plans again."""
        self._timer.stop()
        self._asked, self._plan, self.quote, self.error = None, None, None, ""

    def invalidate(self) -> None:
        """The data changed (a lead, the balance, the queue): ask again with the same inputs."""
        if self._plan is not None:
            self.request(object(), self._plan)

    def _run(self) -> None:
        if self._plan is None:
            return
        key, plan = self._asked, self._plan
        self._running += 1
        (
            op(plan, parent=self)
            .success(lambda result: self._arrived(key, result.quote, ""))
            .failure(lambda exc: self._arrived(key, None, str(exc)))
            .finished(self._done)
            .run()
        )

    def _done(self) -> None:
        self._running -= 1

    def _arrived(self, key: Hashable, quote: SendQuote | None, error: str) -> None:
        if key != self._asked:
            return  # a newer request is on its way
        self.quote, self.error = quote, error
        self.quoted.emit(quote)


def cost_text(quote: SendQuote) -> str:
    """The composer's cost line for a quoted send."""
    text = f"Cost: {formatting.credits(quote.credits)} ({quote.to_send:,} messages"
    if quote.later:
        text += f"; {quote.now:,} now, {quote.later_count:,} later"
    if quote.held_count:
        text += f"; {quote.held_count:,} held"
    if quote.blocked_count:
        text += f"; {quote.blocked_count:,} not contacted"
    return text + ")"


class CostMixin:
    """The composer's cost line and credits check (a mixin of ``ComposerView``): the quote of
    a send to several leads, the price of one message, and the balance and spend cap check of
    what will really be sent."""

    form: ComposerForm
    quoter: SendQuoter
    preflight: Preflight | None
    last_preview: Preview | None
    _compose: ComposeService | None
    _credits: CreditService
    _balance: Balance | None
    _preflight_asked: tuple[str, int] | None
    _audience_loading: int

    if TYPE_CHECKING:
        def tr(self, text: str) -> str: ...
        @property
        def channel(self) -> str: ...
        def cost(self) -> int: ...
        def recipient_ids(self) -> list[uuid.UUID]: ...
        def template(self) -> TemplateRecord | None: ...
        def campaign_id(self) -> uuid.UUID | None: ...
        def _audience_done(self) -> None: ...
        def _update_save_state(self, result: Preview) -> None: ...

    def _ask_quote(self, recipients: list[uuid.UUID]) -> None:
        """Plan the whole send in the background (the quote Send will confirm)."""
        compose, preview = self._compose, self.last_preview
        if compose is None or len(recipients) < 2 or preview is None or preview.error:
            self.quoter.clear()
            return
        channel, campaign_id = self.channel, self.campaign_id()
        template = self.template() if preview.content_sid else None
        source = ({"template_id": template.id} if template else
                  {"subject": self.form.subject.text(), "body": self.form.body.toPlainText()})
        key = (channel, tuple(recipients), campaign_id, tuple(sorted(source.items())))
        self.quoter.request(key, lambda: compose.plan(channel, recipients,
                                                      campaign_id=campaign_id, **source))

    def _show_cost(self) -> None:
        recipients = self.recipient_ids()
        count, cost = len(recipients), self.cost()
        self._ask_quote(recipients)
        quote = self.quoter.quote
        if count > 1 and quote is not None:
            text, count = cost_text(quote), quote.to_send
        elif count > 1 and self.quoter.error:  # e.g. no channel yet: the most it can cost
            text = self.tr("Cost: up to %1 (%2 messages; %3)").replace(
                "%1", formatting.credits(cost * count)).replace("%2", f"{count:,}").replace(
                "%3", self.quoter.error)
        elif count > 1:
            text = self.tr("Cost: working it out for %1 leads…").replace("%1", f"{count:,}")
        else:
            text = self.tr("Cost: %1").replace("%1", formatting.credits(cost))
        self.form.cost.setText(text)
        self._ask_preflight(max(count, 1))
        preflight = self.preflight
        if preflight is not None and not preflight.ok and count:
            self.form.balance.setText(self.tr("Cannot send: %1").replace("%1", preflight.message))
            return
        balance = self._balance
        if balance is None:
            self.form.balance.setText("")
        elif balance.unlimited:
            self.form.balance.setText(self.tr("Unlimited plan"))
        else:
            text = self.tr("Balance: %1").replace("%1", formatting.credits(balance.available))
            if balance.available < cost:
                text += self.tr(" — not enough to send")
            self.form.balance.setText(text)

    def preflight_count(self) -> int:
        """How many messages the credits check is for: the quote's, else the recipients."""
        quote = self.quoter.quote if len(self.recipient_ids()) > 1 else None
        return max(quote.to_send if quote is not None else len(self.recipient_ids()), 1)

    def _ask_preflight(self, count: int) -> None:
        """The credits check of the whole send (balance and spend cap), off the GUI thread."""
        asked = (self.channel, count)
        if asked == self._preflight_asked:
            return
        self._preflight_asked = asked
        credits, channel = self._credits, self.channel
        self._audience_loading += 1
        (
            op(lambda: credits.preflight(channel, count), parent=self)
            .success(lambda result: self._preflight_arrived(asked, result))
            .finished(self._audience_done)
            .run()
        )

    def _preflight_arrived(self, asked: tuple[str, int], result: Preflight) -> None:
        if asked != self._preflight_asked:
            return  # a newer question is on its way
        self.preflight = result
        self._show_cost()
        if self.last_preview is not None:
            self._update_save_state(self.last_preview)

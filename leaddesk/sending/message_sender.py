"""Sending one claimed message on a dispatcher's worker thread: wait for the rate limits, commit
the handoff marker, hand the message to its provider (an email built ahead on the build process
when there is one) and say what became of it: sent, a retry with backoff, a failure, a requeue,
``unknown`` (the provider may have it), held, or a LinkedIn task for a person."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from leaddesk.channels.base import (
    AmbiguousSendError,
    ChannelConfigurationError,
    ChannelError,
    DeliveryState,
    PermanentChannelError,
    TemporaryChannelError,
)
from leaddesk.channels.email_smtp import SmtpEmailChannel
from leaddesk.sending.claims import Claimed, HandoffNote, Outcome
from leaddesk.sending.integration_channels import IntegrationChannels
from leaddesk.sending.limits import Backoff, RateLimits
from leaddesk.sending.outbox import Outbox
from leaddesk.sending.outgoing import expected_provider_id, outgoing
from leaddesk.sending.prebuild import EmailPrebuilder
from leaddesk.services.context import ServiceContext
from leaddesk.services.messaging import compliance
from leaddesk.services.messaging.integrations import IntegrationRecord
from leaddesk.services.messaging.messages import create_linkedin_task
from leaddesk.store.enums import Handoff, MessageState

log = logging.getLogger(__name__)


class SendPolicy(Protocol):
    """What sending one message needs of the dispatcher's configuration."""

    @property
    def max_attempts(self) -> int: ...

    @property
    def backoff(self) -> Backoff: ...

    @property
    def channel_rates(self) -> Mapping[str, float]: ...


@dataclass(frozen=True, slots=True)
class Attempt:
    """What became of one message: the outcome the outbox writes, and the state (and error)
    the dispatcher reports for it."""

    outcome: Outcome
    state: str
    error: str = ""


class MessageSender:
    """Shared by the worker threads. ``prebuilder`` gives the build process in use, if any;
    ``on_unusable`` is told of an integration whose account cannot send (its messages stay
    queued)."""

    def __init__(
        self,
        ctx: ServiceContext,
        outbox: Outbox,
        channels: IntegrationChannels,
        policy: SendPolicy,
        *,
        stop: threading.Event,
        clock: Callable[[], dt.datetime],
        prebuilder: Callable[[], EmailPrebuilder | None],
        on_unusable: Callable[[IntegrationRecord, str], None],
    ) -> None:
        self._ctx = ctx
        self._outbox = outbox
        self._channels = channels
        self._policy = policy
        self._stop = stop
        self._clock = clock
        self._prebuilder = prebuilder
        self._on_unusable = on_unusable
        self._rates = RateLimits()

    def prebuild(self, batch: list[Claimed]) -> None:
        """Have the build process build the batch's emails while this thread sends."""
        prebuilder = self._prebuilder()
        if prebuilder is None or not prebuilder.ready:
            return
        for msg in batch:
            if msg.channel != "email" or msg.blocked or msg.refused \
                    or not self._channels.postal_address:
                continue
            record = self._channels.record_for(msg)
            if record is None:
                continue
            try:
                channel = self._channels.channel(record, msg.channel)
                if isinstance(channel, SmtpEmailChannel):
                    prebuilder.submit(msg.id, outgoing(msg, record, self._channels.postal_address),
                                      channel.settings.message_id_domain)
            except ChannelError:  # reported when the message's turn comes
                continue

    def send(self, msg: Claimed, notes: list[HandoffNote]) -> Attempt:
        """Send ``msg``; ``notes`` collects how handoffs ended, for the next marker."""
        try:
            return self._send(msg, notes)
        except Exception as exc:  # keep the worker alive; the message waits for a person
            log.exception("unexpected error sending %s", msg.id)
            error = f"unexpected error: {exc!r}"
            return Attempt(Outbox.unknown(msg, error, None), "unknown", error)

    def _send(self, msg: Claimed, notes: list[HandoffNote]) -> Attempt:
        record = self._channels.record_for(msg)
        if record is None:
            reason = f"no {msg.channel} channel is configured"
            return Attempt(Outbox.held(msg, reason), "held", reason)
        wait = self._rates.wait_for({
            f"channel:{msg.channel}": self._policy.channel_rates.get(msg.channel),
            f"integration:{record.id}": record.limit("rate_per_minute"),
        })
        if wait > 0 and self._stop.wait(wait):
            return Attempt(Outbox.requeue(msg), "requeued")
        if msg.channel == "linkedin":
            return self._manual_task(msg, record)
        if msg.refused:  # the claim could not reserve its credits
            return Attempt(Outbox.held(msg, msg.refused), "held", msg.refused)
        held = compliance.held_reason(msg.channel, self._channels.postal_address)
        if held:  # removed while the message waited: no email goes out without one
            return Attempt(Outbox.held(msg, held), "held", held)
        reservation_id = msg.reservation_id  # settled with the outcome, by ``Outbox.finish``
        try:
            channel = self._channels.channel(record, msg.channel)
            message = outgoing(msg, record, self._channels.postal_address)
        except ChannelError as exc:  # e.g. a missing password: nothing was handed over
            return self._failed_attempt(msg, record, exc)
        prebuilder = self._prebuilder()
        built = prebuilder.take(msg.id) if prebuilder is not None else None
        # Durable before the provider sees it: a crash from here on leaves only this in doubt.
        handed = self._outbox.hand_over(msg, notes)
        notes.clear()
        if not handed:
            return Attempt(Outbox.lost(msg), "requeued", "taken over by another dispatcher")
        try:
            if built is not None and isinstance(channel, SmtpEmailChannel):
                result = channel.send_wire(built, message.message_id)
            else:
                result = channel.send(message)
        except AmbiguousSendError as exc:  # stays "handing": in doubt
            provider_id = expected_provider_id(msg.channel, record, str(msg.id))
            return Attempt(Outbox.unknown(msg, str(exc), reservation_id, provider_id),
                           "unknown", str(exc))
        except ChannelError as exc:
            notes.append(HandoffNote(msg.id, Handoff.REFUSED))
            return self._failed_attempt(msg, record, exc)
        notes.append(HandoffNote(msg.id, Handoff.ACCEPTED, result.provider_id or ""))
        state = MessageState.DELIVERED if result.status is DeliveryState.DELIVERED \
            else MessageState.SENT
        return Attempt(Outbox.sent(msg, result.provider_id or "", reservation_id, state,
                                   self._clock()), state.value)

    def _failed_attempt(self, msg: Claimed, record: IntegrationRecord,
                        exc: ChannelError) -> Attempt:
        if isinstance(exc, ChannelConfigurationError):
            # The account, not the message: stop using it, keep its messages queued.
            self._on_unusable(record, str(exc))
            return Attempt(Outbox.requeue(msg, str(exc)), "requeued", str(exc))
        policy = self._policy
        if isinstance(exc, TemporaryChannelError) and msg.attempts < policy.max_attempts:
            delay = policy.backoff.delay(msg.attempts, exc.retry_after)
            at = self._clock() + dt.timedelta(seconds=delay)
            return Attempt(Outbox.retry(msg, str(exc), at), "retry", str(exc))
        if isinstance(exc, TemporaryChannelError):
            error = f"gave up after {msg.attempts} attempts: {exc}"
        elif isinstance(exc, PermanentChannelError):
            error = str(exc)
        else:
            error = f"{type(exc).__name__}: {exc}"
        return Attempt(Outbox.failed(msg, error), "failed", error)

    def _manual_task(self, msg: Claimed, record: IntegrationRecord) -> Attempt:
        """LinkedIn: a person sends it; credits are charged when the task is marked sent."""
        try:
            result = self._channels.channel(record, msg.channel).send(outgoing(msg, record, None))
        except ChannelError as exc:
            return Attempt(Outbox.failed(msg, str(exc)), "failed", str(exc))
        create_linkedin_task(self._ctx, msg.id, msg.lead_id, dict(result.raw))
        reason = "manual: open the LinkedIn task, send it, then mark it sent"
        return Attempt(Outbox.held(msg, reason), "task")

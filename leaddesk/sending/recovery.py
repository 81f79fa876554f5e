"""Settling what a crashed sender left in ``sending``, without ever sending anything twice.

A dispatcher claims a batch and reserves its credits in one transaction (the reservation named on
each message's row), then hands the messages to their providers one at a time, each under a
marker committed just before the provider call (``handoff``: handing), which also records how
the previous one ended (accepted, with the provider's id, or refused); the outcomes and their
charges are written together at the end of the batch. So the row and the ledger tell how far a
crashed attempt got:

- reservation released: the attempt failed and was refunded -> queued again;
- reservation consumed: the provider took it -> sent;
- not handed over (or refused by the provider): it never went out -> its reservation released,
  queued again (the rest of a batch the crash interrupted);
- accepted by the provider -> sent, its reservation consumed;
- being handed over (the message in flight when the crash came): it may or may not have gone
  out. Where the provider can be asked (a stored Twilio SID) its answer decides; otherwise the
  message becomes ``unknown`` with the credits still held, until a person says whether it
  arrived (:func:`resolve_unknown`).

The ledger is only *read* here (by the dispatcher's idempotency keys); every credit movement goes
through :class:`~leaddesk.services.credits.ledger.CreditService`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update

from leaddesk.channels.base import ChannelError, DeliveryState
from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.credits.records import settle_key
from leaddesk.services.errors import NotFoundError, ReservationSettledError, ValidationError
from leaddesk.store.enums import Handoff, MessageState, TransactionKind
from leaddesk.store.models import CreditTransaction, Message
from leaddesk.store.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    requeued: int = 0
    sent: int = 0
    failed: int = 0
    unknown: int = 0


@dataclass(frozen=True, slots=True)
class LedgerState:
    reservation_id: uuid.UUID | None
    settled: str | None  # "consumption", "release" or None (still held)


def ledger_state(ctx: ServiceContext, idempotency_key: str) -> LedgerState:
    """Where the reservation made under ``idempotency_key`` stands (read only)."""
    with ctx.store.read() as session:
        rid = session.scalar(select(CreditTransaction.id).where(
            CreditTransaction.idempotency_key == idempotency_key,
            CreditTransaction.kind == TransactionKind.RESERVATION))
        if rid is None:
            return LedgerState(None, None)
        kind = session.scalar(select(CreditTransaction.kind).where(
            CreditTransaction.idempotency_key == settle_key(rid)))
        return LedgerState(rid, kind.value if kind is not None else None)


def is_stale(claimed_by: str, claimed_at: dt.datetime | None, now: dt.datetime,
             lease: dt.timedelta, own_worker: str) -> bool:
    """Whether the worker that claimed a message is gone: a dead process on this machine, or
    any claim older than ``lease`` (another machine's worker that stopped answering)."""
    if claimed_by == own_worker:
        return False
    host, _, rest = claimed_by.partition(":")
    pid_text = rest.partition(":")[0]
    if host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        if pid != os.getpid() and not _alive(pid):
            return True
    return claimed_at is None or now - claimed_at > lease


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _set(ctx: ServiceContext, message_id: uuid.UUID, expect: MessageState, summary: str,
         **values: object) -> None:
    with ctx.store.write() as session:
        msg = session.get(Message, message_id)
        if msg is None or msg.state is not expect:
            return
        session.execute(update(Message).where(Message.id == message_id, Message.state == expect)
                        .values(updated_at=utcnow(), **values),
                        execution_options={"synchronize_session": False})
        activity.record(session, ctx.actor.id, "recover", "message", message_id,
                        lead_id=msg.lead_id, summary=summary[:500])


def settlement_of(ctx: ServiceContext, reservation_id: uuid.UUID) -> str | None:
    """How a reservation was settled: "consumption", "release" or ``None`` (still held)."""
    with ctx.store.read() as session:
        kind = session.scalar(select(CreditTransaction.kind).where(
            CreditTransaction.idempotency_key == settle_key(reservation_id)))
    return kind.value if kind is not None else None


def recover_message(ctx: ServiceContext, credits: CreditService, msg: Message,
                    fetch_status: object, expected_provider_id: str = "") -> str:
    """Resolve one stale ``sending`` message; returns its new state. ``fetch_status`` is the
    channel's ``fetch_status`` (or ``None`` where there is no channel to ask)."""
    handoff = Handoff(msg.handoff or "")
    if msg.reservation_id is None:
        # Free (or reserved under the attempt's key without the row saying so: release that).
        state = ledger_state(ctx, f"send:{msg.id}:{msg.attempts}")
        if state.reservation_id is not None and state.settled is None:
            _release_quietly(credits, state.reservation_id)
        if handoff is Handoff.ACCEPTED:
            return _mark_sent(ctx, msg, msg.provider_id, "interrupted after sending: marked sent")
        if handoff is Handoff.HANDING:
            return _in_doubt(ctx, credits, msg, fetch_status, expected_provider_id)
        return _requeue(ctx, msg, "interrupted before sending: queued again")
    settled = settlement_of(ctx, msg.reservation_id)
    if settled == "release":
        return _requeue(ctx, msg, "interrupted after a failed attempt: queued again")
    if settled == "consumption":
        return _mark_sent(ctx, msg, msg.provider_id or expected_provider_id,
                          "interrupted after sending: marked sent")
    if handoff in (Handoff.NOT_HANDED, Handoff.REFUSED):
        _release_quietly(credits, msg.reservation_id)
        summary = ("interrupted before it was handed to the provider: queued again"
                   if handoff is Handoff.NOT_HANDED
                   else "interrupted after the provider refused it: queued again")
        return _requeue(ctx, msg, summary)
    if handoff is Handoff.ACCEPTED:
        credits.consume(msg.reservation_id)
        return _mark_sent(ctx, msg, msg.provider_id,
                          "interrupted after the provider took it: marked sent")
    return _in_doubt(ctx, credits, msg, fetch_status, expected_provider_id)


def _mark_sent(ctx: ServiceContext, msg: Message, provider_id: str, summary: str) -> str:
    _set(ctx, msg.id, MessageState.SENDING, summary, state=MessageState.SENT, sent_at=utcnow(),
         provider_id=provider_id, claimed_by="")
    return MessageState.SENT.value


def _in_doubt(ctx: ServiceContext, credits: CreditService, msg: Message, fetch_status: object,
              expected_provider_id: str) -> str:
    """The message in the provider's hands when the crash came: ask it, else "unknown"."""
    provider_id = msg.provider_id or expected_provider_id
    answer = _ask_provider(fetch_status, msg.provider_id)
    if answer in (DeliveryState.SENT, DeliveryState.DELIVERED, DeliveryState.QUEUED):
        if msg.reservation_id is not None:
            credits.consume(msg.reservation_id)
        _set(ctx, msg.id, MessageState.SENDING, f"provider says {answer}: marked sent",
             state=MessageState.SENT, sent_at=utcnow(), claimed_by="")
        return MessageState.SENT.value
    if answer == DeliveryState.FAILED:
        if msg.reservation_id is not None:
            credits.release(msg.reservation_id)
        _set(ctx, msg.id, MessageState.SENDING, "provider says failed", state=MessageState.FAILED,
             error="the provider reports the message failed", claimed_by="")
        return MessageState.FAILED.value
    _set(ctx, msg.id, MessageState.SENDING, "interrupted while sending: unknown — check",
         state=MessageState.UNKNOWN, provider_id=provider_id,
         error="interrupted while sending: it may have gone out — check before sending again")
    return MessageState.UNKNOWN.value


def _requeue(ctx: ServiceContext, msg: Message, summary: str) -> str:
    _set(ctx, msg.id, MessageState.SENDING, summary, state=MessageState.QUEUED,
         next_attempt_at=utcnow(), claimed_by="", reservation_id=None)
    return MessageState.QUEUED.value


def _release_quietly(credits: CreditService, reservation_id: uuid.UUID) -> None:
    # NotFound/Settled: settled meanwhile (the credits' own start-up recovery)
    with contextlib.suppress(ReservationSettledError, NotFoundError):
        credits.release(reservation_id, "send interrupted before sending")


def _ask_provider(fetch_status: object, provider_id: str) -> str | None:
    if not provider_id or not callable(fetch_status):
        return None
    try:
        return fetch_status(provider_id)
    except ChannelError as exc:
        log.warning("could not ask the provider about %s: %s", provider_id, exc)
        return None


def resolve_unknown(ctx: ServiceContext, credits: CreditService, message_id: uuid.UUID, *,
                    arrived: bool, requeue: bool = False) -> str:
    """A person's answer for an ``unknown`` message: it arrived (charge it) or it did not
    (refund, and ``failed`` or, with ``requeue``, queued again)."""
    with ctx.store.read() as session:
        msg = session.get(Message, message_id)
        if msg is None:
            raise NotFoundError("message", message_id)
        if msg.state is not MessageState.UNKNOWN:
            raise ValidationError("state", f"message is {msg.state.value}, not unknown")
        reservation_id = msg.reservation_id
    if arrived:
        if reservation_id is not None:
            # Still held: an unknown message's reservation is in flight for the credits' crash
            # recovery too (IN_FLIGHT_STATES); or consumed already on the provider's word
            # (poll_statuses), and consuming again charges nothing twice.
            credits.consume(reservation_id)
        _set(ctx, message_id, MessageState.UNKNOWN, "confirmed sent", state=MessageState.SENT,
             sent_at=utcnow(), error="", claimed_by="")
        return MessageState.SENT.value
    if reservation_id is not None:
        _release_quietly(credits, reservation_id)
    new = MessageState.QUEUED if requeue else MessageState.FAILED
    _set(ctx, message_id, MessageState.UNKNOWN, f"confirmed not sent: {new.value}", state=new,
         next_attempt_at=utcnow(), error="" if requeue else "did not arrive (confirmed)",
         claimed_by="", reservation_id=None)
    return new.value


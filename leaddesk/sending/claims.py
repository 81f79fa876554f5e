"""What the outbox hands a worker and takes back: a claimed message, the caps a claim counts
against, the outcome of an attempt (with what it does to the reservation) and how a handoff to
the provider ended."""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass

from leaddesk.services.credits.records import SettleItem
from leaddesk.services.messaging.send_caps import Cap
from leaddesk.store.enums import Handoff, TransactionKind

__all__ = ["Cap", "ClaimBatch", "Claimed", "HandoffNote", "Outcome", "worker_identity"]


def worker_identity() -> str:
    """``host:pid:token``: recovery tells a crashed process on this machine from a live one."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message this worker now owns (state ``sending``)."""

    id: uuid.UUID
    channel: str
    lead_id: uuid.UUID
    integration_id: uuid.UUID | None
    to_address: str
    subject: str
    body: str
    attempts: int
    cost: int
    #: A WhatsApp content template (``HX...``, "" for none) and its rendered variables.
    content_sid: str = ""
    content_variables: dict[str, str] | None = None
    #: Reserved in the claim's transaction (``None``: free, refused, or blocked).
    reservation_id: uuid.UUID | None = None
    #: Why the credits were refused (the message is held, not sent).
    refused: str = ""
    #: Why it must not go out (do-not-contact), checked in the claim's transaction.
    blocked: str = ""

    @property
    def idempotency_key(self) -> str:
        return f"send:{self.id}:{self.attempts}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed message; :meth:`Outbox.finish` writes a batch of them."""

    msg: Claimed
    action: str  # the audit action: send, retry, requeue, fail, cancel, hold, unknown
    values: dict[str, object]
    summary: str
    contacted: bool = False  # the lead was contacted: update it too

    @property
    def settlement(self) -> SettleItem | None:
        """What the outcome does with the claim's reservation: a sent message consumes it, an
        unknown one keeps it held (a person or the provider decides), a lost one is no longer
        ours to settle, any other releases it."""
        rid = self.msg.reservation_id
        if rid is None or self.action in ("unknown", "lost"):
            return None
        if self.action == "send":
            return SettleItem(rid, TransactionKind.CONSUMPTION)
        return SettleItem(rid, TransactionKind.RELEASE, self.summary[:200])


@dataclass(frozen=True, slots=True)
class HandoffNote:
    """How one handoff ended (written with the next :meth:`Outbox.hand_over`): ``ACCEPTED``
    with the provider's id, or ``REFUSED`` (nothing went out). An ambiguous end stays
    ``HANDING``: no note."""

    message_id: uuid.UUID
    handoff: Handoff
    provider_id: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimBatch:
    """One claim's messages, and the integrations it left alone because of a cap."""

    messages: list[Claimed]
    #: Integrations (``None``: messages without one) that reached a cap, and until when.
    capped: dict[uuid.UUID | None, dt.datetime]

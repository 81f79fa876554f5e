"""The quote of a send: how many go now, how many later (when, and which cap holds them), how many
are held and why, and the exact credits.

One quote is computed per plan (:meth:`ComposeService.plan` calls :func:`quote_send`), and the
composer's confirmation, ``compose --dry-run`` and the reservation (each queued message carries
the quote's price, which the dispatcher reserves) all read that one object, so they cannot differ.
Held and do-not-contact reasons are grouped as the hold checks word them, so a new check's
reason shows up here without a change.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.messaging import send_caps
from leaddesk.services.messaging.integrations import IntegrationRecord


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """``count`` recipients left out for ``reason``."""

    reason: str
    count: int


@dataclass(frozen=True, slots=True)
class LaterBatch:
    """``count`` messages that wait until ``at`` because ``cap`` (its label) is used up, or
    because they are scheduled then (``cap`` "")."""

    count: int
    at: dt.datetime
    cap: str

    @property
    def why(self) -> str:
        return f"{self.cap} is used up" if self.cap else "scheduled"


@dataclass(frozen=True, slots=True)
class SendQuote:
    channel: str
    recipients: int
    to_send: int
    now: int
    later: tuple[LaterBatch, ...]
    held: tuple[ReasonCount, ...]
    blocked: tuple[ReasonCount, ...]
    price_each: int
    #: The credits the send reserves: ``to_send`` at the ledger's price (``price_version``).
    credits: int
    price_version: int
    #: What balance and spend cap allow (None: unlimited); ``credits_ok`` False says why not.
    available: int | None
    credits_ok: bool
    credits_message: str

    @property
    def held_count(self) -> int:
        return sum(r.count for r in self.held)

    @property
    def blocked_count(self) -> int:
        return sum(r.count for r in self.blocked)

    @property
    def later_count(self) -> int:
        return sum(b.count for b in self.later)

    def lines(self) -> list[str]:
        """The quote in plain sentences (the CLI prints them, the dialog shows them)."""
        out = [f"{self.to_send:,} of {self.recipients:,} to send: {self.now:,} now"
               + (f", {self.later_count:,} later" if self.later else "")]
        out += [f"  {b.count:,} at {b.at.astimezone():%Y-%m-%d %H:%M} ({b.why})"
                for b in self.later]
        if self.held:
            out.append(f"{self.held_count:,} held:")
            out += [f"  {r.count:,}: {r.reason}" for r in self.held]
        if self.blocked:
            out.append(f"{self.blocked_count:,} not sent (do-not-contact):")
            out += [f"  {r.count:,}: {r.reason}" for r in self.blocked]
        available = "unlimited" if self.available is None else f"{self.available:,} available"
        out.append(f"credits: {self.credits:,} ({self.price_each:,} each; {available})")
        if not self.credits_ok:
            out.append(f"cannot send: {self.credits_message}")
        return out


def grouped(reasons: Iterable[str]) -> tuple[ReasonCount, ...]:
    """Reasons with how many recipients each, the most common first."""
    counts = Counter(r for r in reasons if r)
    return tuple(ReasonCount(reason, n) for reason, n in counts.most_common())


def quote_send(
    session: Session,
    credits: CreditService,
    integration: IntegrationRecord | None,
    channel: str,
    *,
    to_send: int,
    held_reasons: Iterable[str],
    blocked_reasons: Iterable[str],
    recipients: int,
    now: dt.datetime,
    at: dt.datetime | None = None,
) -> SendQuote:
    """Quote ``to_send`` messages on ``integration`` from ``at`` (default now): the caps the
    dispatcher counts (with what they counted and the queued messages ahead), and the ledger's
    price, balance and spend cap."""
    start = max(at or now, now)
    caps = send_caps.caps_for(integration, channel)
    counted = send_caps.used(session, caps, start) if start == now else {}
    ahead = send_caps.queued_ahead(session, integration.id if integration else None, start)
    windows = send_caps.spread(to_send, caps, counted, start, ahead)
    first_now = windows[0].count if windows and windows[0].cap is None and start == now else 0
    later = tuple(LaterBatch(w.count, w.at, w.cap.label if w.cap else "")
                  for w in windows[1 if first_now else 0:])
    if to_send:  # the ledger's own quote, at one price list (each message carries its share)
        preflight = credits.preflight(channel, to_send)
        cost, version = preflight.quote.cost, preflight.quote.price_version
        price_each = cost // to_send
        available, ok, message = preflight.available, preflight.ok, preflight.message
    else:
        balance, prices = credits.balance(), credits.prices
        cost, version, ok, message = 0, prices.version, True, "nothing to send"
        price_each = prices.cost(channel)
        available = None if balance.unlimited else balance.available
    return SendQuote(channel, recipients, to_send, first_now, later, grouped(held_reasons),
                     grouped(blocked_reasons), price_each, cost, version, available, ok, message)

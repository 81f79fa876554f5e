"""Send caps: which caps a message counts against, how much of each is used, and when a number
of messages can go under them.

The dispatcher counts claims against these caps (``sending.claiming``); the send quote and the
outbox read the same caps to say beforehand which messages go now and which wait for a cap to
reset, so what the screen says and what the dispatcher does come from one definition.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from leaddesk.services import settings
from leaddesk.services.context import ServiceContext
from leaddesk.services.messaging.integrations import DEFAULT_DAILY_CAP, IntegrationRecord
from leaddesk.store.enums import MessageState
from leaddesk.store.models import Message, SendCounter

#: The database-wide switch every dispatcher reads before it claims (True: paused).
SENDING_PAUSED = "sending.paused"
#: Windows looked ahead when spreading a send over caps (a year of days, or weeks of hours).
MAX_WINDOWS = 400


@dataclass(frozen=True, slots=True)
class Cap:
    """At most ``limit`` claims per ``period`` ("hour" or "day", UTC) in ``scope``; ``label``
    names it for people ("the daily cap of mailbox 'Sales'")."""

    scope: str
    period: str
    limit: int
    label: str = ""

    def key(self, now: dt.datetime) -> str:
        return now.strftime("h%Y-%m-%dT%H" if self.period == "hour" else "d%Y-%m-%d")

    def resets_at(self, now: dt.datetime) -> dt.datetime:
        if self.period == "hour":
            return now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        return now.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)


def caps_for(record: IntegrationRecord | None, channel: str,
             channel_daily_caps: Mapping[str, int] | None = None) -> list[Cap]:
    """The caps a message counts against: its integration's daily (by default for its kind) and
    hourly caps, and the daily cap of its kind of channel."""
    caps = []
    if record is not None:
        daily = record.settings.get("daily_cap", DEFAULT_DAILY_CAP.get(record.kind))
        if daily:
            caps.append(Cap(f"integration:{record.id}", "day", int(daily),
                            f"the daily cap of {int(daily):,} on {record.name!r}"))
        hourly = record.settings.get("hourly_cap")
        if hourly:
            caps.append(Cap(f"integration:{record.id}", "hour", int(hourly),
                            f"the hourly cap of {int(hourly):,} on {record.name!r}"))
    channel_cap = (channel_daily_caps or {}).get(channel)
    if channel_cap:
        caps.append(Cap(f"channel:{channel}", "day", channel_cap,
                        f"the daily {channel} cap of {channel_cap:,}"))
    return caps


def used(session: Session, caps: Sequence[Cap], now: dt.datetime) -> dict[Cap, int]:
    """How many sends each cap has counted in its current window."""
    counts: dict[Cap, int] = {}
    for cap in caps:
        counts[cap] = int(session.scalar(select(SendCounter.count).where(
            SendCounter.scope == cap.scope, SendCounter.period == cap.key(now))) or 0)
    return counts


def queued_ahead(session: Session, integration_id: uuid.UUID | None, now: dt.datetime,
                 exclude: Sequence[uuid.UUID] = ()) -> int:
    """Queued messages of the integration due by ``now``: they take a cap's room first."""
    stmt = select(func.count()).where(
        Message.state == MessageState.QUEUED, Message.integration_id == integration_id,
        or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now))
    if exclude:
        stmt = stmt.where(Message.id.not_in(list(exclude)))
    return int(session.scalar(stmt) or 0)


@dataclass(frozen=True, slots=True)
class Window:
    """``count`` messages that can go from ``at``; ``cap`` is what held them back until then
    (None for the first window: they go now)."""

    count: int
    at: dt.datetime
    cap: Cap | None


def spread(count: int, caps: Sequence[Cap], used_now: Mapping[Cap, int], now: dt.datetime,
           ahead: int = 0) -> list[Window]:
    """When ``count`` messages go under ``caps`` (``used_now`` counted this window, ``ahead``
    queued before them): the first window is now, each next one opens when the cap that filled
    the last one resets. Windows with nothing to send are left out."""
    windows: list[Window] = []
    at, waiting_for = now, None
    room_used = {cap: used_now.get(cap, 0) for cap in caps}
    need = count + ahead
    for _ in range(MAX_WINDOWS):
        room = min((cap.limit - room_used[cap] for cap in caps), default=need)
        take = max(0, min(need, room))
        own = max(0, take - max(0, ahead))
        ahead = max(0, ahead - take)
        need -= take
        if own:
            windows.append(Window(own, at, waiting_for))
        if need <= 0:
            return windows
        for cap in caps:
            room_used[cap] += take
        full = [cap for cap in caps if room_used[cap] >= cap.limit]
        waiting_for = min(full, key=lambda cap: cap.resets_at(at))
        next_at = waiting_for.resets_at(at)
        for cap in caps:  # a cap whose window ends by then starts again from nothing
            if cap.resets_at(at) <= next_at:
                room_used[cap] = 0
        at = next_at
    windows.append(Window(need - max(0, ahead), at, waiting_for))
    return windows


def is_paused(ctx: ServiceContext) -> bool:
    """Whether someone paused sending for the whole database (read before each claim)."""
    return bool(settings.get(ctx.store, SENDING_PAUSED, False))

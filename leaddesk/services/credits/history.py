"""Reading the ledger for people: filtered pages of transactions, usage per day by action, CSV.

Nothing here moves credits (that is ``ledger.py``). Pages are keyset-paged on
``(created_at, id)`` newest first, over the ``account_id, created_at`` index, so a view can scroll
a ledger of millions of lines without counting or offsetting.

A send writes two lines (its reservation, then the consumption or release that settles it); by
default a page shows one line per action (:func:`fold`): the reservation carrying its
settlement's kind, net amount and balance. ``LedgerFilter.raw`` shows every line as stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import IO, Any

from sqlalchemy import and_, func, or_, select

from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.credits.records import TransactionRecord, record_from_row
from leaddesk.services.formula_guard import neutralise
from leaddesk.store.enums import TransactionKind
from leaddesk.store.models import CreditAccount, CreditTransaction, User

_TX = CreditTransaction.__table__
_ACC = CreditAccount.__table__
_SETTLE = _TX.alias("settlement")
#: The lines that settle a reservation.
SETTLEMENTS = (TransactionKind.CONSUMPTION, TransactionKind.RELEASE)


def _settlement_of(line: Any) -> Any:
    """The settlement of reservation ``line``, as a SELECT to test for existence."""
    return select(_SETTLE.c.id).where(
        _SETTLE.c.reservation_id == line.c.id, _SETTLE.c.kind.in_(SETTLEMENTS))


def fold(
    lines: list[TransactionRecord], settlements: Iterable[TransactionRecord]
) -> list[TransactionRecord]:
    """One line per action: each reservation among ``lines`` with its settlement folded in
    (the settlement's kind, the net amount, the balance after both; an unsettled one stays a
    reservation). Keeps the reservation's id and time, so keyset pages stay stable."""
    by_reservation = {s.reservation_id: s for s in settlements}
    out = []
    for line in lines:
        settled = by_reservation.get(line.id)
        if settled is not None and line.kind == TransactionKind.RESERVATION:
            line = replace(
                line, kind=settled.kind, amount=line.amount + settled.amount,
                balance_after=settled.balance_after, reservation_id=line.id,
                price_version=settled.price_version or line.price_version,
            )
        out.append(line)
    return out

CSV_COLUMNS = [
    "created_at",
    "kind",
    "amount",
    "balance_after",
    "action",
    "reference",
    "price_version",
    "id",
    "reservation_id",
]


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """Which ledger lines to show. ``user`` None: the actor's own; ``all_users``: every
    account (admins only). ``until`` is exclusive."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    kinds: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    user: uuid.UUID | str | None = None
    all_users: bool = False
    show_refunds: bool = True
    #: Every ledger line as stored, instead of one line per action (see :func:`fold`).
    raw: bool = False


@dataclass(frozen=True, slots=True)
class DailyUsage:
    """Credits consumed per day (UTC) and action over a window, oldest day first."""

    days: list[dt.date]
    actions: list[str]
    credits: dict[str, list[int]] = field(default_factory=dict)  # action -> one value per day

    @property
    def total(self) -> int:
        return sum(sum(v) for v in self.credits.values())


class CreditHistory:
    def __init__(self, credits: CreditService) -> None:
        self._credits = credits
        self._store = credits.store

    def _where(self, filt: LedgerFilter) -> list[Any]:
        conds: list[Any] = []
        if filt.all_users:
            self._credits.require_admin("see every member's credits")
        else:
            conds.append(_TX.c.account_id == self._credits.account_of(filt.user))
        if filt.since is not None:
            conds.append(_TX.c.created_at >= filt.since)
        if filt.until is not None:
            conds.append(_TX.c.created_at < filt.until)
        if filt.kinds and filt.raw:
            conds.append(_TX.c.kind.in_([TransactionKind(k) for k in filt.kinds]))
        elif filt.kinds:  # a folded line is of its settlement's kind once settled
            kinds = [TransactionKind(k) for k in filt.kinds]
            settled = _settlement_of(_TX)
            conds.append(or_(
                and_(_TX.c.kind.in_(kinds), ~settled.exists()),
                settled.where(_SETTLE.c.kind.in_(kinds)).exists(),
            ))
        if not filt.show_refunds:
            conds.append(_TX.c.kind != TransactionKind.REFUND)
        if filt.actions:
            conds.append(_TX.c.action.in_(filt.actions))
        return conds

    def page(
        self,
        filt: LedgerFilter,
        after: tuple[dt.datetime, uuid.UUID] | None = None,
        limit: int = 200,
    ) -> list[TransactionRecord]:
        """Up to ``limit`` lines, newest first, strictly after the ``(created_at, id)`` key."""
        conds = self._where(filt)
        if not filt.raw:  # settlements are folded into their reservation's line
            conds.append(or_(_TX.c.reservation_id.is_(None), _TX.c.kind.not_in(SETTLEMENTS)))
        if after is not None:
            at, last = after
            conds.append(or_(_TX.c.created_at < at, and_(_TX.c.created_at == at, _TX.c.id < last)))
        stmt = (
            select(_TX)
            .where(*conds)
            .order_by(_TX.c.created_at.desc(), _TX.c.id.desc())
            .limit(limit)
        )
        with self._store.read() as session:
            rows = [record_from_row(row) for row in session.execute(stmt)]
            if filt.raw:
                return rows
            reserved = [r.id for r in rows if r.kind == TransactionKind.RESERVATION]
            settlements = (
                [record_from_row(row) for row in session.execute(select(_TX).where(
                    _TX.c.reservation_id.in_(reserved), _TX.c.kind.in_(SETTLEMENTS)))]
                if reserved else []
            )
        return fold(rows, settlements)

    def iter_all(self, filt: LedgerFilter, page_size: int = 2000) -> Iterable[TransactionRecord]:
        """Every matching line, newest first, a page at a time (for export)."""
        after, filt = None, replace(filt, raw=True)  # an export is the ledger as stored
        while True:
            rows = self.page(filt, after, page_size)
            yield from rows
            if len(rows) < page_size:
                return
            after = (rows[-1].created_at, rows[-1].id)

    def actions(self) -> list[str]:
        """Action types that appear in the ledger (for a filter list)."""
        stmt = select(_TX.c.action).where(_TX.c.action != "").distinct().order_by(_TX.c.action)
        with self._store.read() as session:
            return list(session.scalars(stmt))

    def usage_by_day(
        self,
        days: int,
        user: uuid.UUID | str | None = None,
        all_users: bool = False,
        now: dt.datetime | None = None,
    ) -> DailyUsage:
        """Consumed credits per day and action for the last ``days`` days (today included).

        Days are those of ``now``'s time zone (default: this computer's), at its current UTC
        offset: one SQL aggregate, whatever the size of the ledger.
        """
        now = now or dt.datetime.now().astimezone()
        offset = now.utcoffset() or dt.timedelta()
        today = now.date()
        first = today - dt.timedelta(days=days - 1)
        start = dt.datetime.combine(first, dt.time(), tzinfo=now.tzinfo)
        res = _TX.alias("reservation")
        filt = LedgerFilter(since=start.astimezone(dt.UTC), user=user, all_users=all_users)
        minutes = int(offset.total_seconds() // 60)
        if self._store.dialect == "sqlite":  # stored as naive UTC text
            day = func.date(_TX.c.created_at, f"{minutes:+d} minutes")
        else:
            day = func.date(func.timezone("UTC", _TX.c.created_at) + offset)
        stmt = (
            select(day.label("day"), _TX.c.action, func.sum(-res.c.amount))
            .join(res, res.c.id == _TX.c.reservation_id)
            .where(*self._where(filt), _TX.c.kind == TransactionKind.CONSUMPTION)
            .group_by(day, _TX.c.action)
        )
        with self._store.read() as session:
            rows = session.execute(stmt).all()
        dates = [first + dt.timedelta(days=i) for i in range(days)]
        index = {d: i for i, d in enumerate(dates)}
        credits: dict[str, list[int]] = {}
        for raw_day, action, total in rows:
            when = raw_day if isinstance(raw_day, dt.date) else dt.date.fromisoformat(raw_day)
            if when in index:
                credits.setdefault(action, [0] * days)[index[when]] += int(total or 0)
        return DailyUsage(dates, sorted(credits), credits)

    def members(self) -> list[tuple[uuid.UUID, str]]:
        """``(user id, name)`` of everyone with a credit account (admins only), by name."""
        self._credits.require_admin("see every member's credits")
        stmt = (
            select(User.id, User.name)
            .join(CreditAccount, CreditAccount.user_id == User.id)
            .order_by(User.name)
        )
        with self._store.read() as session:
            return [(row.id, row.name) for row in session.execute(stmt)]


def _cells(r: TransactionRecord) -> dict[str, Any]:
    ref = f"{r.reference_type}:{r.reference_id}".strip(":")
    return {
        "created_at": r.created_at.isoformat(),
        "kind": r.kind,
        "amount": r.amount,
        "balance_after": r.balance_after,
        "action": neutralise(r.action),
        "reference": neutralise(ref),
        "price_version": "" if r.price_version is None else r.price_version,
        "id": r.id,
        "reservation_id": r.reservation_id or "",
    }


def write_csv(
    rows: Iterable[TransactionRecord], out: IO[str], columns: list[str] = CSV_COLUMNS
) -> int:
    """Write ledger lines as CSV (text cells guarded against formula injection); returns rows."""
    writer = csv.writer(out)
    writer.writerow(columns)
    n = 0
    for r in rows:
        cells = _cells(r)
        writer.writerow([cells[c] for c in columns])
        n += 1
    return n

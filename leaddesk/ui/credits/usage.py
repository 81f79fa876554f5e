"""Credits spent per day, from ledger lines (what the usage chart draws)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from leaddesk.services.credits import TransactionRecord
from leaddesk.ui import formatting


def usage_by_day(
    transactions: Iterable[TransactionRecord], days: int = 30, today: dt.date | None = None
) -> list[tuple[dt.date, int]]:
    """Credits consumed per local day, oldest first, zero-filled over ``days`` days.

    A consumption line carries no amount of its own (the reservation moved the balance); the
    ledger records the spent cost in its metadata.
    """
    today = today or dt.date.today()
    first = today - dt.timedelta(days=days - 1)
    totals = {first + dt.timedelta(days=i): 0 for i in range(days)}
    for tx in transactions:
        if tx.kind != "consumption":
            continue
        day = formatting.local(tx.created_at).date()
        if day in totals:
            totals[day] += int(tx.meta.get("cost", 0) or 0)
    return sorted(totals.items())

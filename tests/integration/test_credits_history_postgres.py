"""The ledger readers' dialect-specific SQL (per-day usage in a time zone) on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from leaddesk.services.app_services import AppServices
from leaddesk.services.credits.history import CreditHistory, LedgerFilter

pytest_plugins = ["tests.support.pgcluster"]

NOW = dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC)


def test_usage_per_local_day_and_pages_on_postgresql(pg_database: str) -> None:
    app = AppServices.open(pg_database)
    try:
        credits = app.credits
        credits.purchase("starter")
        credits.now = lambda: dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC)
        credits.consume(credits.reserve(2, "sms").id)
        credits.consume(credits.reserve(3, "whatsapp").id)
        history = CreditHistory(credits)
        tokyo = NOW.astimezone(dt.timezone(dt.timedelta(hours=9)))
        assert history.usage_by_day(2, now=NOW).credits == {"sms": [2, 0], "whatsapp": [3, 0]}
        assert history.usage_by_day(2, now=tokyo).credits == {"sms": [0, 2], "whatsapp": [0, 3]}
        first = history.page(LedgerFilter(raw=True), limit=2)
        after = (first[-1].created_at, first[-1].id)
        rest = history.page(LedgerFilter(raw=True), after=after, limit=10)
        assert len(first) + len(rest) == 5
        assert credits.audit().ok
    finally:
        app.close()

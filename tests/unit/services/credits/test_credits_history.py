"""Reading the ledger: keyset pages with filters, usage per day by action, CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.credits.history import CSV_COLUMNS, CreditHistory, LedgerFilter, write_csv
from leaddesk.services.errors import PermissionDeniedError
from tests.support.credit_helpers import add_member, credits_for

NOW = dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC)


@pytest.fixture
def history(app: AppServices) -> CreditHistory:
    """Ten days of use: day d has d emails consumed and one voice call released."""
    credits = app.credits
    credits.now = lambda: NOW - dt.timedelta(days=30)
    credits.purchase("professional")
    for d in range(10):
        moment = NOW - dt.timedelta(days=9 - d)
        credits.now = lambda m=moment: m
        for _ in range(d):
            credits.consume(credits.reserve(1, "email", "", "=cmd|' /C calc'!A0").id)
        credits.release(credits.reserve(5, "voice").id)
    last = credits.reserve(2, "sms")
    credits.consume(last.id)
    credits.refund(last.id, "not delivered")
    return CreditHistory(credits)


def test_pages_walk_the_whole_ledger_newest_first_without_gaps(history: CreditHistory) -> None:
    everything = list(history.iter_all(LedgerFilter(), page_size=7))
    assert len(everything) == 1 + 2 * 45 + 2 * 10 + 3
    keys = [(t.created_at, t.id) for t in everything]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)


def test_filters_by_kind_action_dates_and_refunds(history: CreditHistory) -> None:
    voice = history.page(LedgerFilter(kinds=("release",), actions=("voice",), raw=True),
                         limit=100)
    assert len(voice) == 10 and {t.amount for t in voice} == {5}
    day = NOW - dt.timedelta(days=2)
    one_day = history.page(
        LedgerFilter(since=day.replace(hour=0), until=day.replace(hour=23), actions=("email",),
                     raw=True),
        limit=100,
    )
    assert len(one_day) == 2 * 7
    assert any(t.kind == "refund" for t in history.page(LedgerFilter(), limit=5))
    assert not any(t.kind == "refund" for t in history.iter_all(LedgerFilter(show_refunds=False)))
    assert history.actions() == ["email", "sms", "voice"]


def test_usage_per_day_is_stacked_by_action(history: CreditHistory) -> None:
    usage = history.usage_by_day(30, now=NOW)  # UTC days
    assert len(usage.days) == 30 and usage.days[-1] == NOW.date()
    assert usage.actions == ["email", "sms"], "released calls cost nothing"
    assert usage.credits["email"][-10:] == list(range(10))
    assert usage.credits["sms"][-1] == 2
    assert usage.total == 45 + 2
    assert history.usage_by_day(7, now=NOW).credits["email"] == [3, 4, 5, 6, 7, 8, 9]


def test_a_member_sees_only_their_own(app: AppServices, history: CreditHistory) -> None:
    rep = CreditHistory(credits_for(app.store, add_member(app.store, "rita")))
    assert rep.page(LedgerFilter()) == []
    with pytest.raises(PermissionDeniedError):
        rep.page(LedgerFilter(all_users=True))
    with pytest.raises(PermissionDeniedError):
        rep.page(LedgerFilter(user="local"))
    assert len(history.page(LedgerFilter(user="local"), limit=3)) == 3


def test_csv_export_is_complete_and_formula_safe(history: CreditHistory) -> None:
    out = io.StringIO()
    assert write_csv(history.iter_all(LedgerFilter()), out) == 114
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == CSV_COLUMNS and len(rows) == 115
    references = {row[5] for row in rows[1:]}
    assert "'=cmd|' /C calc'!A0" in references


def test_usage_days_follow_the_local_time_zone(app: AppServices) -> None:
    credits = app.credits
    credits.purchase("starter")
    late = dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC)  # already the 15th east of UTC
    credits.now = lambda: late
    credits.consume(credits.reserve(2, "sms").id)
    history = CreditHistory(credits)
    utc = history.usage_by_day(2, now=NOW)
    tokyo = history.usage_by_day(2, now=NOW.astimezone(dt.timezone(dt.timedelta(hours=9))))
    assert utc.credits["sms"] == [2, 0]
    assert tokyo.credits["sms"] == [0, 2]


def test_admins_list_the_members_with_accounts(app: AppServices, history: CreditHistory) -> None:
    rita = add_member(app.store, "rita")
    credits_for(app.store, rita).account_id()
    assert [name for _id, name in history.members()] == ["Local user", "Rita"]


def test_one_line_per_action_by_default(history: CreditHistory) -> None:
    """A reservation and its settlement are one line (net amount, settlement's kind and
    balance); the raw ledger has both."""
    folded = history.page(LedgerFilter(actions=("voice",)), limit=100)
    raw = history.page(LedgerFilter(actions=("voice",), raw=True), limit=100)
    assert len(raw) == 2 * len(folded) == 20
    assert {(t.kind, t.amount) for t in folded} == {("release", 0)}
    assert {t.id for t in folded} <= {t.id for t in raw if t.kind == "reservation"}
    settled = {t.reservation_id: t.balance_after for t in raw if t.kind == "release"}
    assert all(t.balance_after == settled[t.id] for t in folded)
    released = history.page(LedgerFilter(kinds=("release",), actions=("voice",)), limit=100)
    assert [t.id for t in released] == [t.id for t in folded], "a kind filter sees the fold"
    emails = history.page(LedgerFilter(actions=("email",)), limit=1000)
    assert all(t.kind == "consumption" and t.amount < 0 for t in emails)

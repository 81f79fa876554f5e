"""A member's credits and send counters on a team database move through its functions.

Signed in as their own role, a rep holds no write on the ledger or the counters; the ledger
service and the outbox then call ``leaddesk_reserve``/``_settle`` (single and batch) and
``leaddesk_count_sends``, and the results are those of the Python path on SQLite.
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from leaddesk.sending.claiming import _count, _count_all
from leaddesk.sending.claims import Cap
from leaddesk.services.credits.ledger import ReserveItem
from leaddesk.services.credits.records import SettleItem
from leaddesk.services.errors import InsufficientCreditsError, SpendCapExceededError
from leaddesk.store.enums import TransactionKind
from tests.integration.team.team_support import Team


def _fund(team: Team, credits: int) -> None:
    admin = team["admin"]
    admin.credits.purchase("professional")
    admin.credits.allocate(team.users["rep_b"].id, credits)


def test_a_rep_reserves_consumes_and_releases_through_the_functions(team: Team) -> None:
    _fund(team, 10)
    b = team["rep_b"]
    spent = b.credits.reserve(3, "email", idempotency_key="attempt-1")
    assert b.credits.reserve(3, "email", idempotency_key="attempt-1").id == spent.id  # replay
    kept = b.credits.reserve(2, "sms")
    assert b.credits.consume(spent.id).kind == "consumption"
    assert b.credits.consume(spent.id).kind == "consumption"  # once, whatever the retries
    assert b.credits.release(kept.id, "failed").amount == 2
    assert b.credits.balance().available == 7 and b.credits.balance().reserved == 0
    with pytest.raises(InsufficientCreditsError):
        b.credits.reserve(8, "email")
    team["admin"].credits.set_spend_cap(team.users["rep_b"].id, 4, "week")
    with pytest.raises(SpendCapExceededError):
        b.credits.reserve(2, "email")
    assert b.credits.ledger_sum() == b.credits.balance().available
    assert team["admin"].credits.audit().ok


def test_a_rep_reserves_and_settles_a_batch_through_the_functions(team: Team) -> None:
    _fund(team, 5)
    b = team["rep_b"]
    reserve = b.credits.batch_reserver()
    with b.store.write() as session:
        done = reserve(session, [ReserveItem(2, "email"), ReserveItem(2, "email"),
                                 ReserveItem(2, "email")])
    granted = [d.reservation_id for d in done if d.reservation_id]
    assert len(granted) == 2 and isinstance(done[2].refused, InsufficientCreditsError)
    settle = b.credits.batch_settler()
    with b.store.write() as session:
        settled = settle(session, [SettleItem(granted[0], TransactionKind.CONSUMPTION),
                                   SettleItem(granted[1], TransactionKind.RELEASE, "bounced")])
    assert settled == {granted[0]: "consumption", granted[1]: "release"}
    with b.store.write() as session:
        assert settle(session, [SettleItem(granted[0], TransactionKind.RELEASE)]) == {}
    assert b.credits.balance().available == 3
    assert team["admin"].credits.audit().ok


def test_a_rep_counts_sends_only_forward(team: Team) -> None:
    b = team["rep_b"]
    now = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    caps = [Cap("channel:test", "day", 3), Cap("channel:test", "hour", 2)]
    with b.store.write() as session:
        assert all(_count(session, cap, now) for cap in caps)  # a new period starts one by one
        assert _count_all(session, caps, now, 1)
        assert not _count_all(session, caps, now, 1)  # the hour is full: nothing counted
    if team.backend != "postgresql":
        return
    with psycopg.connect(team.pg_conninfo["rep_b"], autocommit=True) as conn:
        for statement in ("UPDATE send_counters SET count = 0",
                          "DELETE FROM send_counters",
                          "INSERT INTO send_counters VALUES ('x', 'd1', 0, now(), now())"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        assert conn.execute("SELECT sum(count) FROM send_counters").fetchone() == (4,)
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            conn.execute("SELECT leaddesk_count_sends('[]', -5)")

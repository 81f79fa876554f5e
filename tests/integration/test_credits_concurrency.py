"""Many spenders on one database: 8 threads here and 2 processes of 8 threads, on SQLite and on
PostgreSQL. No overspend, the balance equals the ledger, nothing deadlocks, no "database is
locked" reaches anyone. And a process SIGKILLed between reserve and consume: the next start
releases its reservation and the balance is exact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from leaddesk.services.app_services import AppServices
from tests.support.credit_spender import spend

pytest_plugins = ["tests.support.pgcluster"]

REPO = Path(__file__).resolve().parents[2]
THREADS, PAIRS, COST, FUNDS = 8, 20, 3, 500


def _spender(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.credit_spender", *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _spend_from_everywhere(url: str) -> None:
    app = AppServices.open(url)
    try:
        app.credits.purchase("starter")
        procs = [
            _spender("spend", url, str(THREADS), str(PAIRS), str(COST), f"proc{k}")
            for k in range(2)
        ]
        try:
            stats = [spend(app.credits, THREADS, PAIRS, COST, "here")]
        finally:
            outputs = [p.communicate(timeout=240) for p in procs]
        for proc, (out, err) in zip(procs, outputs, strict=True):
            assert proc.returncode == 0, err
            assert "locked" not in err
            stats.append(json.loads(out))
        total = {k: sum(s[k] for s in stats) for k in ("consumed", "released", "refused")}
        assert sum(total.values()) == 3 * THREADS * PAIRS
        assert total["refused"] > 0, "demand exceeded the funds, so the guard was exercised"
        bal = app.credits.balance()
        assert bal.reserved == 0 and app.credits.held() == []
        assert bal.available == FUNDS - COST * total["consumed"] >= 0
        assert bal.available == app.credits.ledger_sum()
        assert app.credits.audit().ok
    finally:
        app.close()


def test_spenders_in_threads_and_processes_on_sqlite(db_url: str) -> None:
    _spend_from_everywhere(db_url)


def test_spenders_in_threads_and_processes_on_postgresql(pg_database: str) -> None:
    _spend_from_everywhere(pg_database)


def _killed_between_reserve_and_consume(url: str) -> None:
    app = AppServices.open(url)
    try:
        app.credits.purchase("starter")
    finally:
        app.close()
    child = _spender("hold", url, "7")
    try:
        assert child.stdout is not None
        reservation = uuid.UUID(child.stdout.readline().strip())
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL

    restarted = AppServices.open(url)
    try:
        bal = restarted.credits.balance()
        assert (bal.available, bal.reserved) == (500, 0)
        release = [t for t in restarted.credits.history() if t.kind == "release"]
        assert [t.reservation_id for t in release] == [reservation]
        assert restarted.credits.audit().ok
        with pytest.raises(Exception, match="already settled as release"):
            restarted.credits.consume(reservation)
    finally:
        restarted.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_process_reservation_is_released_at_restart_on_sqlite(db_url: str) -> None:
    _killed_between_reserve_and_consume(db_url)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_process_reservation_is_released_at_restart_on_postgresql(
    pg_database: str,
) -> None:
    _killed_between_reserve_and_consume(pg_database)

"""On a team database members are restricted roles: their writes still notify (the trigger
function runs as the writer and only calls ``pg_notify``), and a member's window listens."""

from __future__ import annotations

import queue

from leaddesk.store.change_feed import Change
from leaddesk.store.change_watchers import PostgresListener, start_watching


def test_a_reps_write_reaches_another_members_listener(pg_team) -> None:
    writer, listener_app = pg_team["rep_a"], pg_team["manager"]
    heard: queue.Queue[Change] = queue.Queue()
    listener_app.ctx.store.changes.subscribe(
        lambda change: heard.put(change) if change.external else None)
    watcher = start_watching(listener_app.ctx.store, interval=0.1)
    try:
        assert isinstance(watcher, PostgresListener) and watcher.listening.wait(10)
        writer.leads.create({"email": "noted@example.org"})
        tables: set[str] = set()
        while "leads" not in tables:
            tables |= heard.get(timeout=10).tables
    finally:
        watcher.stop()

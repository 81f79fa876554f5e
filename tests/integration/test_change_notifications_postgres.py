"""Changes across processes on PostgreSQL: migration 0008's triggers NOTIFY, and the listener of
one Store hears another Store's commits (each its own engine, as two windows would be), never
its own."""

from __future__ import annotations

import queue

from alembic import command
from sqlalchemy import text

from leaddesk.services.app_services import AppServices
from leaddesk.store import migrate
from leaddesk.store.change_feed import Change
from leaddesk.store.change_watchers import PostgresListener, start_watching
from leaddesk.store.database import Store

pytest_plugins = ["tests.support.pgcluster"]


def _migrate(store: Store, action: str, revision: str) -> None:
    cfg = migrate.alembic_config(store.engine)
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)


def _triggers(app: AppServices) -> set[str]:
    with app.store.engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'leaddesk_notify_change'")).scalars())


def test_a_commit_in_one_store_reaches_the_other_stores_listener(pg_database: str) -> None:
    first = AppServices.open(pg_database)
    second = AppServices.open(pg_database)
    heard: queue.Queue[Change] = queue.Queue()
    second.store.changes.subscribe(lambda change: heard.put(change) if change.external else None)
    own: queue.Queue[Change] = queue.Queue()
    first.store.changes.subscribe(lambda change: own.put(change) if change.external else None)
    watchers = [start_watching(second.store, interval=0.1), start_watching(first.store, 0.1)]
    try:
        for watcher in watchers:
            assert isinstance(watcher, PostgresListener)
            assert watcher.listening.wait(10)
        first.campaigns.create({"name": "Heard next door"})
        change = heard.get(timeout=10)
        assert change.external and "campaigns" in change.tables
        assert own.empty(), "a store does not hear its own commits as another's"

        first.leads.create({"email": "ada@example.org"})
        tables: set[str] = set()
        while "leads" not in tables:
            tables |= heard.get(timeout=10).tables
        assert second.leads.count() == 1
    finally:
        for watcher in watchers:
            watcher.stop()
        first.close()
        second.close()
    assert not any(w.running for w in watchers)  # type: ignore[attr-defined]


def test_the_migration_adds_and_removes_the_triggers(pg_database: str) -> None:
    app = AppServices.open(pg_database)
    try:
        assert {"leads", "campaigns", "credit_transactions", "messages"} <= _triggers(app)
        _migrate(app.store, "downgrade", "0007")
        assert _triggers(app) == set()
        _migrate(app.store, "upgrade", "head")
        assert "leads" in _triggers(app)
    finally:
        app.close()

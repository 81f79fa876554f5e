"""The change feed announces the tables each commit wrote, and nothing for a rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from leaddesk.store.change_feed import Change, tables_written
from leaddesk.store.database import Store


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        ("INSERT INTO leads (id) VALUES (?)", "leads"),
        ('insert or replace into "tasks" (id) values (1)', "tasks"),
        ("UPDATE credit_ledger SET amount = 1", "credit_ledger"),
        ("DELETE FROM saved_views WHERE id = 1", "saved_views"),
        ("SELECT * FROM leads", None),
        ("PRAGMA data_version", None),
    ],
)
def test_tables_written(statement: str, table: str | None) -> None:
    assert tables_written(statement) == table


def test_commit_announces_tables_and_rollback_nothing() -> None:
    store = Store.open("sqlite://")
    seen: list[Change] = []
    store.changes.subscribe(seen.append)
    with store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER)"))
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO notes VALUES (1)"))
    conn = store.engine.connect()
    transaction = conn.begin()
    conn.execute(text("DELETE FROM notes"))
    transaction.rollback()
    conn.close()
    assert seen == [Change(frozenset({"notes"}))]
    assert seen[0].touches("notes", "leads") and not seen[0].touches("leads")


def test_external_change_without_tables_touches_everything() -> None:
    unknown = Change(frozenset(), external=True)
    assert unknown.touches("leads")
    assert Change(frozenset({"leads"})).merged(unknown) == unknown
    assert Change(frozenset({"a"})).merged(Change(frozenset({"b"}))).tables == {"a", "b"}


def test_raw_group_commit_writes_are_announced(tmp_path) -> None:
    from leaddesk.services.credits import group_commit

    store = Store.open(f"sqlite:///{tmp_path / 'raw.db'}")
    with store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER)"))
    seen: list[Change] = []
    store.changes.subscribe(seen.append)
    combiner = group_commit.for_store(store)
    combiner.run_raw(store, lambda raw: raw.execute("INSERT INTO notes VALUES (1)"), ("notes",))
    assert seen == [Change(frozenset({"notes"}))]
    store.dispose()


def test_the_notification_migration_does_nothing_on_sqlite(tmp_path) -> None:
    from leaddesk.services.app_services import AppServices

    app = AppServices.open(f"sqlite:///{tmp_path / 'plain.db'}")
    try:
        with app.store.engine.connect() as conn:
            triggers = conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name = 'leaddesk_notify_change'")).all()
        assert triggers == []
    finally:
        app.close()


def test_credit_tables_name_the_ledger_and_existing_tables() -> None:
    from leaddesk.store.base import Base
    from leaddesk.store.change_feed import CREDIT_TABLES
    from leaddesk.store.postgres_privileges import LEDGER_TABLES

    assert LEDGER_TABLES <= CREDIT_TABLES <= set(Base.metadata.tables)

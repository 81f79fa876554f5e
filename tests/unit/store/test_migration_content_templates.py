"""Migration 0007 (WhatsApp content templates) up and down with rows in the tables, on SQLite
and on PostgreSQL (where the variables are JSONB)."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from leaddesk.store import migrate
from leaddesk.store.database import Store

_TEMPLATE = (
    "INSERT INTO message_templates (id, channel, name, subject, body, industry, "
    "variant_label, created_at, updated_at) VALUES (:id, 'whatsapp', 'Intro', '', "
    "'Hi', '', '', '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00')"
)


def _migrate(store: Store, action: str, revision: str) -> None:
    cfg = migrate.alembic_config(store.engine)
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)


def _columns(store: Store, table: str) -> set[str]:
    return {c["name"] for c in inspect(store.engine).get_columns(table)}


def _up_and_down(url: str) -> None:
    store = Store.open(url)
    try:
        _migrate(store, "upgrade", "0006")
        template_id = uuid.uuid4()
        key = template_id.hex if store.engine.dialect.name == "sqlite" else str(template_id)
        with store.engine.begin() as conn:
            conn.execute(text(_TEMPLATE), {"id": key})

        _migrate(store, "upgrade", "0007")
        assert {"content_sid", "content_variables"} <= _columns(store, "message_templates")
        assert {"content_sid", "content_variables"} <= _columns(store, "messages")
        with store.engine.begin() as conn:
            row = conn.execute(
                text("SELECT name, content_sid, content_variables FROM message_templates")
            ).one()
            assert (row.name, row.content_sid) == ("Intro", "")
            assert row.content_variables in ({}, "{}")  # JSONB decoded, SQLite text
            conn.execute(
                text("UPDATE message_templates SET content_sid = :sid"), {"sid": "HX" + "0" * 32}
            )

        _migrate(store, "downgrade", "0006")
        assert not {"content_sid", "content_variables"} & _columns(store, "message_templates")
        assert not {"content_sid", "content_variables"} & _columns(store, "messages")
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM message_templates")).scalar() == "Intro"

        state = migrate.upgrade(store.engine)
        assert state.up_to_date
    finally:
        store.dispose()


def test_upgrade_and_downgrade_on_sqlite(tmp_path: Path) -> None:
    _up_and_down(f"sqlite:///{tmp_path / 'm.db'}")


def test_upgrade_and_downgrade_on_postgresql(pg_database: str) -> None:
    _up_and_down(pg_database)

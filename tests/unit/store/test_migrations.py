"""The migrations build exactly the models, upgrade is idempotent, newer databases are refused."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from leaddesk.store import migrate
from leaddesk.store.base import Base
from leaddesk.store.database import Store


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fresh_database_matches_models_without_drift(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        state = migrate.upgrade(store.engine)
        assert state.up_to_date
        with store.engine.connect() as conn:
            opts = {"compare_type": True, "include_object": migrate.include_object}
            ctx = MigrationContext.configure(conn, opts=opts)
            assert compare_metadata(ctx, Base.metadata) == []
    finally:
        store.dispose()


def test_revision_history_is_linear() -> None:
    script = ScriptDirectory(migrate.SCRIPT_LOCATION)
    assert len(script.get_heads()) == 1
    for rev in script.walk_revisions():
        assert not isinstance(rev.down_revision, tuple | list), f"{rev.revision} is a merge"


def test_the_revisions_read_without_alembic_are_alembics() -> None:
    script = ScriptDirectory(migrate.SCRIPT_LOCATION)
    expected = {}
    for rev in script.walk_revisions():
        down = rev.down_revision
        expected[rev.revision] = () if down is None else (down,) if isinstance(down, str) else down
    assert migrate.revisions() == expected
    assert migrate.head_revision() == script.get_current_head()


def test_upgrade_again_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    store = Store.open(f"sqlite:///{path}")
    try:
        migrate.upgrade(store.engine)
        with store.engine.begin() as conn:
            conn.execute(text("INSERT INTO app_settings (key, value, created_at, updated_at) "
                              "VALUES ('k', '{}', '2026-01-01', '2026-01-01')"))
        state = migrate.upgrade(store.engine, backup_dir=tmp_path / "backups")
        assert state.up_to_date
        assert not (tmp_path / "backups").exists(), "no backup when nothing is upgraded"
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM app_settings")).scalar() == 1
    finally:
        store.dispose()


def test_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    store = Store.open(f"sqlite:///{path}")
    try:
        migrate.upgrade(store.engine)
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        store.dispose()
        before = _digest(path)
        with pytest.raises(migrate.DatabaseTooNewError, match="newer LeadDesk"):
            migrate.upgrade(store.engine, backup_dir=tmp_path / "backups")
        store.dispose()
        assert _digest(path) == before
    finally:
        store.dispose()


def test_backup_copies_a_consistent_sqlite_file(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'src.db'}")
    try:
        migrate.upgrade(store.engine)
        target = migrate.backup_sqlite(store.engine, tmp_path / "backups", "test")
        assert target is not None and target.exists()
        copy = Store.open(f"sqlite:///{target}")
        try:
            assert migrate.schema_state(copy.engine).up_to_date
        finally:
            copy.dispose()
    finally:
        store.dispose()


def test_foreign_tables_without_revision_are_not_touched(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        with store.engine.begin() as conn:
            conn.execute(text("CREATE TABLE something_else (x INTEGER)"))
        with pytest.raises(RuntimeError, match="not a LeadDesk database"):
            migrate.upgrade(store.engine)
    finally:
        store.dispose()

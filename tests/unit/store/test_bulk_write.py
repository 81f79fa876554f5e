"""``Store.bulk_write``: temporary storage on files for the load, back in memory afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from leaddesk.store.database import Store

FILE, MEMORY = 1, 2  # PRAGMA temp_store values


def _temp_store(session) -> tuple[int, object]:
    conn = session.connection()
    return conn.exec_driver_sql("PRAGMA temp_store").scalar(), conn.connection.driver_connection


def test_a_bulk_write_spills_and_its_connection_returns_to_memory(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'bulk.db'}")
    try:
        with store.write() as session:
            session.execute(text("CREATE TABLE t (n INTEGER)"))
        with store.bulk_write() as session:
            store_mode, bulk_conn = _temp_store(session)
            session.execute(text("INSERT INTO t VALUES (1)"))
        assert store_mode == FILE
        with store.write() as session:
            assert _temp_store(session) == (MEMORY, bulk_conn), "the same connection, reset"
        seen: list[int] = []

        def failed_load() -> None:
            with store.bulk_write() as session:
                seen.append(_temp_store(session)[0])
                raise RuntimeError("a failed load")

        with pytest.raises(RuntimeError):
            failed_load()
        assert seen == [FILE]
        with store.read() as session:
            assert _temp_store(session)[0] == MEMORY
            assert session.execute(text("SELECT count(*) FROM t")).scalar() == 1
    finally:
        store.dispose()

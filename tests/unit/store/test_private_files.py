"""A new database file and the data folder are private to the user who made them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from leaddesk import config
from leaddesk.store.database import Store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_new_sqlite_database_and_its_journal_are_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    old = os.umask(0o022)
    try:
        db = tmp_path / "leads.db"
        store = Store.open(f"sqlite:///{db}")
        with store.write() as session:
            session.connection().exec_driver_sql("CREATE TABLE t (x)")
        assert _mode(db) == 0o600
        assert _mode(Path(f"{db}-wal")) == 0o600
        store.dispose()
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_an_existing_database_keeps_the_mode_its_owner_gave_it(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    db.touch(mode=0o660)
    db.chmod(0o660)
    Store.open(f"sqlite:///{db}").dispose()
    assert _mode(db) == 0o660


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_data_folder_and_backups_are_created_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = os.umask(0o022)
    try:
        monkeypatch.setenv(config.DATA_DIR_ENV, str(tmp_path / "fresh" / "LeadDesk"))
        assert _mode(config.data_dir()) == 0o700
        assert _mode(config.backups_dir()) == 0o700
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_backup_before_an_upgrade_is_private_too(tmp_path: Path) -> None:
    from leaddesk.store.migrate import backup_sqlite

    old = os.umask(0o022)
    try:
        store = Store.open(f"sqlite:///{tmp_path / 'leads.db'}")
        with store.write() as session:
            session.connection().exec_driver_sql("CREATE TABLE t (x)")
        target = backup_sqlite(store.engine, tmp_path / "backups", "test")
        store.dispose()
        assert target is not None and _mode(target) == 0o600
        assert _mode(tmp_path / "backups") == 0o700
    finally:
        os.umask(old)

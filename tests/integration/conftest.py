"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaddesk.services.app_services import AppServices


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app_any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppServices]:
    """The services of a fresh database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'leaddesk.db'}"
    else:
        url = request.getfixturevalue("pg_database")
    services = AppServices.open(url, backup_dir=tmp_path / "backups")
    yield services
    services.close()

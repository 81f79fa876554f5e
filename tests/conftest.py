"""Shared fixtures. Qt runs offscreen: without a display Qt would abort the whole process."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaddesk.services.app_services import AppServices

pytest_plugins = ["tests.support.pgcluster", "tests.support.memory_keyring"]

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """No test touches the real user's data folder, settings or database."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LEADDESK_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("LEADDESK_DATABASE_URL", raising=False)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'leaddesk.db'}"


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[AppServices]:
    """A fresh, migrated database and its services, acting as the local admin."""
    services = AppServices.open(db_url, backup_dir=tmp_path / "backups")
    yield services
    services.close()


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("the shared test data folder is absent (expected beside the repo as shared/)")
    return SHARED

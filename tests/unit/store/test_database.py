"""Engine settings, UTC times and the central soft-delete scope."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from leaddesk.services.app_services import AppServices
from leaddesk.store.database import Store
from leaddesk.store.models import Lead
from leaddesk.store.types import UTCDateTime


def test_sqlite_pragmas(app: AppServices) -> None:
    with app.store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_times_come_back_utc_aware(app: AppServices) -> None:
    lead = app.leads.create({"first_name": "Ada", "last_name": "Example"})
    assert lead.created_at.tzinfo is dt.UTC
    assert abs(lead.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(dt.datetime(2026, 1, 1), Store.open("sqlite://").engine.dialect)


def test_soft_deleted_rows_are_hidden_everywhere_unless_asked(app: AppServices) -> None:
    keep = app.leads.create({"first_name": "Kept"})
    gone = app.leads.create({"first_name": "Gone"})
    app.leads.delete(gone.id)
    assert app.leads.count() == 1
    assert [r.id for r in app.leads.page().rows] == [keep.id]
    with app.store.read() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == 1
        everything = select(func.count()).select_from(Lead).execution_options(include_deleted=True)
        assert session.scalar(everything) == 2
        assert session.get(Lead, gone.id) is None

"""Demo keys on PostgreSQL: the demo fills a fresh database, a second run reuses its campaigns,
and removal leaves only real work (the SQL marker compiles for native UUIDs)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leaddesk.services import demo, demo_rows
from leaddesk.services.app_services import AppServices


@pytest.fixture
def pg_app(pg_database: str, tmp_path) -> Iterator[AppServices]:
    services = AppServices.open(pg_database, backup_dir=tmp_path / "backups")
    yield services
    services.close()


def test_demo_then_removal_on_postgres(pg_app: AppServices) -> None:
    demo.populate(pg_app, 40)
    assert demo.populate(pg_app, 10, seed=3).campaigns == 0
    assert len(pg_app.campaigns.list()) == 3
    real = pg_app.leads.create({"first_name": "Real", "email": "real@customer.example"})
    with pg_app.store.read() as session:
        assert demo_rows.holds_real_data(session)

    report = demo_rows.remove(pg_app.ctx)

    assert report.leads == 50 and report.campaigns == 3 and report.transactions > 0
    assert [lead.id for lead in pg_app.leads.page(limit=5).rows] == [real.id]
    assert pg_app.campaigns.list() == []
    assert pg_app.credits.balance().available == 0
    assert not pg_app.credits.is_demo_database()

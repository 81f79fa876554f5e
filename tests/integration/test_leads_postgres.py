"""Lead search, import, duplicates, bulk edit and jumps on PostgreSQL (pg_trgm, lower() keys)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from leaddesk.services.app_services import AppServices
from leaddesk.services.exporting.exporter import export_leads
from leaddesk.services.leads.bulk_edit import BulkChange
from leaddesk.services.leads.duplicate_keys import DuplicateRules
from leaddesk.services.leads.query import LeadQuery, LeadSort
from leaddesk.store import migrate
from leaddesk.store.base import Base

pytest_plugins = ["tests.support.pgcluster"]


def test_leads_at_scale_features_on_postgresql(pg_database: str, tmp_path: Path) -> None:
    app = AppServices.open(pg_database)
    try:
        with app.store.engine.connect() as conn:
            opts = {"compare_type": True, "include_object": migrate.include_object}
            context = MigrationContext.configure(conn, opts=opts)
            assert compare_metadata(context, Base.metadata) == []
        source = tmp_path / "leads.csv"
        source.write_text(
            "Name,Email,Company,Notes\n"
            "Ada Lovelace,ada@example.org,Analytical Engines,met at 100% conference\n"
            "Grace Hopper,grace@example.org,Navy,\n"
            "Ada Twin,ADA@EXAMPLE.ORG,Other,\n"
            + "".join(f"Lead {i},lead{i}@example.org,Acme,\n" for i in range(30)),
            encoding="utf-8",
        )
        report = app.lead_import.import_file(source)
        assert (report.created, report.skipped) == (32, 1)
        assert [r.full_name for r in app.leads.page(LeadQuery(search="velac")).rows] == [
            "Ada Lovelace"
        ]
        assert app.leads.count(LeadQuery(search="100%")) == 1
        assert app.leads.count(LeadQuery(search="gr")) == 1
        app.leads.create({"first_name": "Ada", "email": "Ada@Example.org"})
        groups = app.duplicates.find_duplicates(DuplicateRules(("email",)))
        assert [len(g.lead_ids) for g in groups] == [2]
        result = app.bulk_edit.apply(LeadQuery(search="lead"), BulkChange(add_tags=("bulk",)))
        assert result.changed == 30
        app.lead_changes.undo(result.change_set_id)
        assert app.leads.count(LeadQuery(tags=("bulk",))) == 0
        sort = LeadSort("email", descending=False)
        everyone = [r.id for r in app.leads.page(None, sort, limit=100).rows]
        assert [r.id for r in app.leads.rows_at(None, sort, 20, limit=5)] == everyone[20:25]
        assert export_leads(app.ctx, tmp_path / "out.csv").rows == 33
        app.lead_changes.undo(report.change_set_id)
        assert app.leads.count() == 1
    finally:
        app.close()

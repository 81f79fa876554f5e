"""Exports: every row, all three formats, formula-safe CSV, and a lossless round trip."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.importing.fields import CANONICAL_FIELDS
from leaddesk.services.lead_export import export_leads
from leaddesk.services.lead_import import LeadImporter
from leaddesk.services.lead_query import LeadQuery
from leaddesk.services.saved_views import SavedViewService

LEADS = [
    {"first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Example.org",
     "phone": "+442079460018", "linkedin_url": "https://www.linkedin.com/in/ada-l",
     "title": "=HYPERLINK(\"http://evil.example\")", "company": "Engines, Ltd.",
     "industry": "Computing", "company_size": "11-50", "website": "https://engines.example",
     "city": "London", "country": "GB", "timezone": "Europe/London", "status": "qualified",
     "score": 88, "tags": ["vip", "math, logic"], "source": "conference",
     "notes": "line one\nline two; with \"quotes\"\n+1 for tabs\tinside", "consent": "opt-in"},
    {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.org",
     "company": "-Navy", "notes": "@mention and 'quote", "status": "won", "score": 5},
    {"first_name": "Zoë", "last_name": "Ñúñez", "phone": "+34912345678", "company": "Ejemplo",
     "tags": ["ünïcode"], "notes": "emoji 🚀 and\r\nCRLF"},
]


def _fill(app: AppServices) -> None:
    for data in LEADS:
        app.leads.create(data)


def _canonical(app: AppServices, crlf_as_lf: bool = False) -> list[dict[str, object]]:
    rows = []
    for lead in app.leads.page(limit=1000).rows:
        values = lead.as_dict()
        if crlf_as_lf:  # vCard text knows one line break, "\n"
            values["notes"] = values["notes"].replace("\r\n", "\n")
        rows.append({f: values[f] for f in CANONICAL_FIELDS})
    return sorted(rows, key=lambda r: str(r["email"]) + str(r["phone"]))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "vcf"])
def test_round_trip_into_a_fresh_database_gives_the_same_leads(
    app: AppServices, tmp_path: Path, fmt: str
) -> None:
    _fill(app)
    path = tmp_path / f"leads.{fmt}"
    assert export_leads(app.ctx, path).rows == len(LEADS)
    fresh = AppServices.open(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        report = LeadImporter(fresh.ctx, default_region="GB").import_file(path)
        assert (report.created, report.rejected) == (len(LEADS), ())
        assert _canonical(fresh) == _canonical(app, crlf_as_lf=fmt == "vcf")
    finally:
        fresh.close()


def test_csv_cells_are_neutralised_against_formulas(app: AppServices, tmp_path: Path) -> None:
    _fill(app)
    path = tmp_path / "leads.csv"
    export_leads(app.ctx, path, "csv")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = {r["last_name"]: r for r in csv.DictReader(stream)}
    assert rows["Lovelace"]["title"] == "'=HYPERLINK(\"http://evil.example\")"
    assert rows["Hopper"]["company"] == "'-Navy"
    assert rows["Hopper"]["notes"] == "'@mention and 'quote"
    assert rows["Lovelace"]["phone"] == "'+442079460018"


def test_every_matching_row_is_exported_past_page_boundaries(
    app: AppServices, tmp_path: Path
) -> None:
    path = tmp_path / "many.csv"
    path.write_text(
        "Name,Email,Status\n"
        + "".join(f"Lead {i},lead{i}@example.org,{'won' if i % 3 else 'lost'}\n"
                  for i in range(4500)),
        encoding="utf-8",
    )
    LeadImporter(app.ctx).import_file(path)
    out = tmp_path / "won.csv"
    SavedViewService(app.ctx).save("Won", LeadQuery(statuses=("won",)))
    assert export_leads(app.ctx, out, view="Won").rows == 3000
    with out.open(encoding="utf-8-sig", newline="") as stream:
        assert sum(1 for _ in csv.DictReader(stream)) == 3000
    assert export_leads(app.ctx, tmp_path / "all.xlsx").rows == 4500
    assert [a.action for a in app.activity.recent(limit=1)] == ["export"]

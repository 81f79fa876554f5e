"""Exports: every row, all three formats, formula-safe CSV, and a lossless round trip."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.exporting.exporter import export_leads
from leaddesk.services.importing import compile_mapping, guess_mapping, open_source
from leaddesk.services.importing.importer import LeadImporter
from leaddesk.services.leads.fields import CANONICAL_FIELDS, REFERENCE_FIELDS, parse_tags
from leaddesk.services.leads.query import LeadQuery
from leaddesk.services.leads.references import load_reference_table, resolve
from leaddesk.services.leads.saved_views import SavedViewService
from leaddesk.services.leads.validation_cache import clean_bulk
from leaddesk.services.team.users import UserService

LEADS = [
    {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "Ada@Example.org",
        "phone": "+442079460018",
        "linkedin_url": "https://www.linkedin.com/in/ada-l",
        "title": '=HYPERLINK("http://evil.example")',
        "company": "Engines, Ltd.",
        "industry": "Computing",
        "company_size": "11-50",
        "website": "https://engines.example",
        "city": "London",
        "country": "GB",
        "timezone": "Europe/London",
        "status": "qualified",
        "score": 88,
        "tags": ["vip", "math, logic"],
        "source": "conference",
        "notes": 'line one\nline two; with "quotes"\n+1 for tabs\tinside',
        "consent": "opt-in",
    },
    {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.org",
        "company": "-Navy",
        "notes": "@mention and 'quote",
        "status": "won",
        "score": 5,
        "do_not_contact": True,
    },
    {
        "first_name": "Zoë",
        "last_name": "Ñúñez",
        "phone": "+34912345678",
        "company": "Ejemplo",
        "tags": ["ünïcode"],
        "notes": "emoji 🚀 and\r\nCRLF",
    },
]


def _team(app: AppServices) -> dict[str, object]:
    """The campaign and the second user the leads refer to (by name in files)."""
    campaign = app.campaigns.create({"name": "Spring launch"})
    rep = UserService(app.ctx).add("rep-1", "A Rep", email="rep1@example.org")
    return {"campaign": campaign.id, "rep": rep.id, "local": app.ctx.actor.id}


def _fill(app: AppServices) -> None:
    ids = _team(app)
    refs = [
        {"campaign_id": ids["campaign"], "owner_id": ids["rep"]},
        {"campaign_id": ids["campaign"]},
        {},
    ]
    for data, ref in zip(LEADS, refs, strict=True):
        app.leads.create({**data, **ref})


def _canonical(
    app: AppServices, crlf_as_lf: bool = False, fields: tuple[str, ...] = CANONICAL_FIELDS
) -> list[dict[str, object]]:
    """The leads by their canonical fields, the campaign and the owner by name."""
    campaigns = {c.id: c.name for c in app.campaigns.list()}
    users = {u.id: u.username for u in UserService(app.ctx).list()}
    rows = []
    for lead in app.leads.page(limit=1000).rows:
        values = lead.as_dict()
        if crlf_as_lf:  # vCard text knows one line break, "\n"
            values["notes"] = values["notes"].replace("\r\n", "\n")
        values["campaign"] = campaigns.get(lead.campaign_id, "")  # type: ignore[arg-type]
        values["owner"] = users.get(lead.owner_id, "")  # type: ignore[arg-type]
        rows.append({f: values[f] for f in fields})
    return sorted(rows, key=lambda r: str(r["email"]) + str(r["phone"]))


_VALUE_FIELDS = tuple(f for f in CANONICAL_FIELDS if f not in REFERENCE_FIELDS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "vcf"])
def test_round_trip_into_a_fresh_database_gives_the_same_leads(
    app: AppServices, tmp_path: Path, fmt: str
) -> None:
    _fill(app)
    path = tmp_path / f"leads.{fmt}"
    assert export_leads(app.ctx, path).rows == len(LEADS)
    fresh = AppServices.open(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        _team(fresh)
        report = LeadImporter(fresh.ctx, default_region="GB").import_file(path)
        assert (report.created, report.rejected) == (len(LEADS), ())
        crlf = fmt == "vcf"
        assert _canonical(fresh, fields=_VALUE_FIELDS) == _canonical(
            app, crlf_as_lf=crlf, fields=_VALUE_FIELDS
        )
        assert sum(row["do_not_contact"] is True for row in _canonical(fresh)) == 1
    finally:
        fresh.close()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "vcf"])
def test_campaign_and_owner_are_exported_by_name_and_resolve_back(
    app: AppServices, tmp_path: Path, fmt: str
) -> None:
    """What the importer does per row (resolve, then validate), on another database."""
    _fill(app)
    path = tmp_path / f"leads.{fmt}"
    export_leads(app.ctx, path)
    fresh = AppServices.open(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        ids = _team(fresh)
        with fresh.store.read() as session:
            table = load_reference_table(session)
        with open_source(path) as source:
            apply = compile_mapping(guess_mapping(source.headers))
            rows = [{k: v for k, v in apply(row).items() if v} for row in source]
        resolved = []
        for values in rows:
            values.pop("id")  # matched against stored leads, not validated
            if "tags" in values:
                values["tags"] = parse_tags(values["tags"])
            assert resolve(values, table) == []
            resolved.append(clean_bulk(values, "GB"))
    finally:
        fresh.close()
    by_name = {v.get("first_name"): v for v in resolved}
    assert (by_name["Ada"]["campaign_id"], by_name["Ada"]["owner_id"]) == (
        ids["campaign"],
        ids["rep"],
    )
    assert (by_name["Grace"]["campaign_id"], by_name["Grace"]["owner_id"]) == (
        ids["campaign"],
        ids["local"],
    )
    assert "campaign_id" not in by_name["Zoë"] and by_name["Zoë"]["owner_id"] == ids["local"]
    assert by_name["Grace"]["do_not_contact"] is True and by_name["Ada"]["do_not_contact"] is False


def test_round_trip_keeps_campaign_and_owner(app: AppServices, tmp_path: Path) -> None:
    _fill(app)
    path = tmp_path / "leads.csv"
    export_leads(app.ctx, path)
    fresh = AppServices.open(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        _team(fresh)
        LeadImporter(fresh.ctx, default_region="GB").import_file(path)
        assert _canonical(fresh) == _canonical(app)
    finally:
        fresh.close()


def test_export_writes_do_not_contact_campaign_and_owner(app: AppServices, tmp_path: Path) -> None:
    _fill(app)
    path = tmp_path / "leads.csv"
    export_leads(app.ctx, path)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = {r["last_name"]: r for r in csv.DictReader(stream)}
    picked = {name: (r["do_not_contact"], r["campaign"], r["owner"]) for name, r in rows.items()}
    assert picked == {
        "Lovelace": ("false", "Spring launch", "rep-1"),
        "Hopper": ("true", "Spring launch", "local"),
        "Ñúñez": ("false", "", "local"),
    }
    card = tmp_path / "leads.vcf"
    export_leads(app.ctx, card)
    text = card.read_text(encoding="utf-8")
    assert "X-LEADDESK-OWNER:rep-1" in text and "X-LEADDESK-CAMPAIGN:Spring launch" in text
    assert text.count("X-LEADDESK-DO-NOT-CONTACT:true") == 1


def test_csv_cells_are_neutralised_against_formulas(app: AppServices, tmp_path: Path) -> None:
    _fill(app)
    path = tmp_path / "leads.csv"
    export_leads(app.ctx, path, "csv")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = {r["last_name"]: r for r in csv.DictReader(stream)}
    assert rows["Lovelace"]["title"] == '\'=HYPERLINK("http://evil.example")'
    assert rows["Hopper"]["company"] == "'-Navy"
    assert rows["Hopper"]["notes"] == "'@mention and 'quote"
    assert rows["Lovelace"]["phone"] == "'+442079460018"


def test_every_matching_row_is_exported_past_page_boundaries(
    app: AppServices, tmp_path: Path
) -> None:
    path = tmp_path / "many.csv"
    path.write_text(
        "Name,Email,Status\n"
        + "".join(
            f"Lead {i},lead{i}@example.org,{'won' if i % 3 else 'lost'}\n" for i in range(4500)
        ),
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

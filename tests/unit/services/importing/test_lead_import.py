"""Importing lead files: formats, validation report, duplicates, dry run, cancel and undo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from leaddesk.services import settings
from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import ValidationError
from leaddesk.services.importing.errors import ImportFormatError
from leaddesk.services.importing.importer import (
    REGION_SETTING,
    ImportCancelledError,
    LeadImporter,
    RejectedRow,
)
from leaddesk.services.leads.changes import ChangeSetService
from leaddesk.services.leads.duplicate_keys import DuplicateRules
from leaddesk.services.leads.query import LeadQuery

FIXTURES = Path(__file__).parent / "fixtures"


def _importer(app: AppServices) -> LeadImporter:
    return LeadImporter(app.ctx, default_region="GB")


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding, newline="")
    return path


def _all(app: AppServices) -> dict[str, object]:
    return {lead.full_name: lead for lead in app.leads.page(limit=1000).rows}


@pytest.mark.parametrize(
    ("name", "created", "expected"),
    [
        ("linkedin_connections.csv", 3, {
            "Maren Okafor": ("", "https://www.linkedin.com/in/maren-okafor-4b1a2c",
                             "Northwind Analytics"),
            "Priya Lindqvist": ("", "https://www.linkedin.com/in/priya-lindqvist",
                                "Contoso, Ltd."),
        }),
        ("hubspot_cp1252_semicolon.csv", 3, {
            "Renée Müller": ("renee.mueller@example.de", "", "Beispiel GmbH"),
            "José García": ("jose.garcia@example.es", "", "Ejemplo SL"),
        }),
        ("outlook_utf16.txt", 2, {"Aiko Tanaka": ("aiko.tanaka@example.jp", "", "Sample KK")}),
        ("contacts_export.xlsx", 2, {"Nadia Haddad": ("nadia@example.org", "", "Acme Widgets")}),
    ],
)
def test_vendor_exports_import_with_guessed_mapping(
    app: AppServices, name: str, created: int, expected: dict[str, tuple[str, str, str]]
) -> None:
    report = _importer(app).import_file(FIXTURES / name)
    assert report.created == created
    leads = _all(app)
    for full_name, (email, linkedin, company) in expected.items():
        lead = leads[full_name]
        assert (lead.email, lead.linkedin_url, lead.company) == (email, linkedin, company)


def test_fixture_details_survive(app: AppServices) -> None:
    importer = _importer(app)
    importer.import_file(FIXTURES / "hubspot_cp1252_semicolon.csv")
    importer.import_file(FIXTURES / "outlook_utf16.txt")
    report = importer.import_file(FIXTURES / "contacts_export.xlsx")
    leads = _all(app)
    assert leads["Renée Müller"].phone == "+4930901820", "national number, region from the row"
    assert leads["Renée Müller"].country == "DE"
    assert leads["Aiko Tanaka"].notes == "Prefers email,\r\nnot phone"
    assert leads["Nadia Haddad"].score == 77
    assert leads["Nadia Haddad"].phone == "+447911123456"
    assert report.blank == 1
    assert report.rejected == (RejectedRow(5, "phone", "'12' is not a valid phone number for GB"),)


def test_shared_vcards_all_import_or_are_reported(app: AppServices, shared_dir: Path) -> None:
    importer = _importer(app)
    files = sorted((shared_dir / "testdata" / "vcard").glob("*.vcf"))
    assert files
    for path in files:
        cards = sum(
            1 for line in path.read_text("utf-8", errors="replace").splitlines()
            if line.strip().upper() == "BEGIN:VCARD"
        )
        report = importer.import_file(path)
        accounted = report.created + report.skipped + len({r.line for r in report.rejected})
        assert accounted == cards, path.name
        for rejected in report.rejected:
            assert rejected.line >= 1 and rejected.reason, path.name
    assert app.leads.count() > 10


def test_report_names_line_and_field_and_dry_run_writes_nothing(
    app: AppServices, tmp_path: Path
) -> None:
    path = _write(tmp_path / "leads.csv", (
        "First Name,Last Name,Email,Phone,Country,Score\n"
        "Ada,Lovelace,ada@example.org,020 7946 0018,GB,70\n"
        ",,,,,\n"
        "Bad,Email,ada@@example,,,\n"
        "Bad,Phone,,12,,\n"
        "Bad,Score,,,,lots\n"
        "Bad,Country,,,Atlantis,\n"
        ",,,,GB,50\n"
        "Ada,Twin,ADA@EXAMPLE.ORG,,,\n"
    ))
    importer = _importer(app)
    dry = importer.import_file(path, dry_run=True)
    assert app.leads.count() == 0
    assert ChangeSetService(app.ctx).recent() == []
    real = importer.import_file(path)
    for report in (dry, real):
        assert (report.created, report.updated, report.skipped, report.blank) == (1, 0, 1, 1)
        assert [(r.line, r.field) for r in report.rejected] == [
            (4, "email"), (5, "phone"), (6, "score"), (7, "country"), (8, "name"),
        ]
        assert report.rejected_total == 5
    assert app.leads.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
        (b"PK\x03\x04" + b"\x00" * 100, "ZIP"),
    ],
)
def test_unreadable_files_change_nothing(
    app: AppServices, tmp_path: Path, content: bytes, message: str
) -> None:
    app.leads.create({"first_name": "Kept", "email": "kept@example.org"})
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=message):
        _importer(app).import_file(path)
    assert [lead.full_name for lead in app.leads.page().rows] == ["Kept"]


def test_huge_cell_and_wide_rows_are_rejected_with_line_and_field(
    app: AppServices, tmp_path: Path
) -> None:
    big = "x" * (10 * 1024 * 1024)
    wide = ",".join(["y"] * 1000)
    path = _write(tmp_path / "leads.csv", (
        "Name,Email,Notes\n"
        f"Ada Lovelace,ada@example.org,{big}\n"
        f"Grace Hopper,grace@example.org,{wide}\n"
        "Alan Turing,alan@example.org,fine\n"
    ))
    report = _importer(app).import_file(path)
    assert report.created == 1
    assert [(r.line, r.field) for r in report.rejected] == [(2, "Notes"), (3, "")]
    assert "longer than" in report.rejected[0].reason
    assert "1002 columns" in report.rejected[1].reason


def test_a_header_of_1000_columns_stops_the_file(app: AppServices, tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(1000))
    path = _write(tmp_path / "wide.csv", f"{header}\n" + ",".join(["v"] * 1000) + "\n")
    with pytest.raises(ImportFormatError, match=r"line 1.*1000 columns"):
        _importer(app).import_file(path)
    assert app.leads.count() == 0


def test_file_without_identity_columns_is_refused(app: AppServices, tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", "Colour,Shape\nred,round\n")
    with pytest.raises(ImportFormatError, match="no column is mapped"):
        _importer(app).import_file(path)


def _many(tmp_path: Path, count: int, start: int = 0) -> Path:
    rows = "".join(f"Lead {i},Test,lead{i}@example.org\n" for i in range(start, start + count))
    return _write(tmp_path / f"many{start}.csv", "First Name,Last Name,Email\n" + rows)


def test_cancel_mid_import_leaves_nothing(app: AppServices, tmp_path: Path) -> None:
    path = _many(tmp_path, 12_000)
    seen: list[int] = []

    def cancel() -> bool:
        return bool(seen)

    with pytest.raises(ImportCancelledError):
        _importer(app).import_file(path, progress=seen.append, cancel=cancel)
    assert seen, "the first batch was written before the cancel"
    assert app.leads.count() == 0
    assert ChangeSetService(app.ctx).recent() == []
    assert app.leads.count(LeadQuery(search="example")) == 0


def test_a_cancel_while_indexing_still_writes_nothing(app: AppServices, tmp_path: Path) -> None:
    path = _many(tmp_path, 3)
    indexed: list[int] = []
    with pytest.raises(ImportCancelledError):
        _importer(app).import_file(path, indexing=indexed.append, cancel=lambda: bool(indexed))
    assert indexed == [3], "told once, with the rows read, before the indexes are built"
    assert app.leads.count() == 0
    assert ChangeSetService(app.ctx).recent() == []


def test_duplicates_in_file_and_database_by_policy(app: AppServices, tmp_path: Path) -> None:
    stored = app.leads.create({"first_name": "Ada", "email": "Ada@Example.org", "title": "Old"})
    path = _write(tmp_path / "d.csv", (
        "First Name,Last Name,Email,Title,Tags\n"
        "Ada,Lovelace,ada@example.org,Countess,math\n"
        "Grace,Hopper,grace@example.org,Admiral,\n"
        "Grace,Again,GRACE@example.org,,\n"
    ))
    importer = _importer(app)
    skip = importer.import_file(path)
    assert (skip.created, skip.updated, skip.skipped) == (1, 0, 2)
    assert app.leads.get(stored.id).title == "Old"
    update = importer.import_file(path, on_duplicate="update")
    assert (update.created, update.updated, update.skipped) == (0, 1, 2)
    after = app.leads.get(stored.id)
    assert (after.title, after.last_name, after.tags) == ("Countess", "Lovelace", ("math",))
    create = importer.import_file(path, on_duplicate="create")
    assert create.created == 3
    assert app.leads.count() == 5


def test_rules_all_needs_every_key(app: AppServices, tmp_path: Path) -> None:
    app.leads.create({"first_name": "Ada", "email": "ada@example.org", "phone": "+442079460018"})
    path = _write(tmp_path / "r.csv", "Name,Email,Phone\nAda L,ada@example.org,+442079460019\n")
    rules = DuplicateRules(("email", "phone"), "all")
    assert _importer(app).import_file(path, rules=rules, dry_run=True).created == 1
    rules = DuplicateRules(("email", "phone"), "any")
    assert _importer(app).import_file(path, rules=rules, dry_run=True).skipped == 1


def test_undo_removes_created_restores_updated_and_keeps_later_edits(
    app: AppServices, tmp_path: Path
) -> None:
    ada = app.leads.create({"first_name": "Ada", "email": "ada@example.org", "title": "Old"})
    path = _write(tmp_path / "u.csv", (
        "Name,Email,Title\nAda Lovelace,ada@example.org,New\n"
        "Grace Hopper,grace@example.org,Admiral\nAlan Turing,alan@example.org,Fellow\n"
    ))
    report = _importer(app).import_file(path, on_duplicate="update")
    assert (report.created, report.updated) == (2, 1)
    alan = app.leads.page(LeadQuery(search="alan")).rows[0]
    app.leads.update(alan.id, {"title": "Edited later"})
    undo = ChangeSetService(app.ctx).undo(report.change_set_id)
    assert (undo.removed, undo.restored, undo.kept) == (1, 1, 1)
    assert sorted(_all(app)) == ["Ada", "Alan Turing"]
    assert app.leads.get(ada.id).title == "Old"
    assert app.leads.count(LeadQuery(search="grace")) == 0
    with pytest.raises(Exception, match="already undone"):
        ChangeSetService(app.ctx).undo(report.change_set_id)


def test_one_activity_entry_per_import_and_search_finds_imported(
    app: AppServices, tmp_path: Path
) -> None:
    report = _importer(app).import_file(_many(tmp_path, 50))
    entries = [a for a in app.activity.recent() if a.action == "import"]
    assert len(entries) == 1
    assert entries[0].changes["created"] == 50 == report.created
    assert app.leads.count(LeadQuery(search="lead4")) == 11


def test_region_from_argument_then_setting(app: AppServices, tmp_path: Path) -> None:
    path = _write(tmp_path / "p.csv", "Name,Phone\nAda Lovelace,020 7946 0018\n")
    importer = LeadImporter(app.ctx)
    assert importer.import_file(path, region="GB", dry_run=True).created == 1
    settings.put(app.store, REGION_SETTING, "US")
    report = importer.import_file(path, dry_run=True)
    assert report.rejected[0].field == "phone"
    settings.put(app.store, REGION_SETTING, "GB")
    assert importer.import_file(path).created == 1
    assert app.leads.page().rows[0].phone == "+442079460018"


def test_an_unknown_region_is_refused_before_reading(app: AppServices, tmp_path: Path) -> None:
    path = _write(tmp_path / "p.csv", "Name,Phone\nAda Lovelace,020 7946 0018\n")
    importer = LeadImporter(app.ctx)
    with pytest.raises(ValidationError, match="'XX' is not a known country code") as raised:
        importer.import_file(path, region="XX")
    assert raised.value.field == "region"
    assert importer.import_file(path, region=" gb ", dry_run=True).created == 1
    settings.put(app.store, REGION_SETTING, "ZZ")
    with pytest.raises(ValidationError, match="'ZZ'"):
        importer.import_file(path, dry_run=True)
    assert app.leads.count() == 0


def test_explicit_mapping_is_used_and_remembered(app: AppServices, tmp_path: Path) -> None:
    path = _write(tmp_path / "m.csv", "Who,Reach,Org\nAda Lovelace,ada@example.org,Engines\n")
    mapping = {"Who": "full_name", "Reach": "email", "Org": "company"}
    importer = _importer(app)
    assert importer.import_file(path, mapping=mapping).created == 1
    lead = app.leads.page().rows[0]
    assert (lead.first_name, lead.last_name, lead.company) == ("Ada", "Lovelace", "Engines")
    again = _write(tmp_path / "m2.csv", "Who,Reach,Org\nGrace Hopper,grace@example.org,Navy\n")
    assert importer.import_file(again).created == 1, "the remembered mapping applies"


def test_worker_processes_give_the_same_report(
    app: AppServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import leaddesk.services.importing.importer as lead_import

    monkeypatch.setattr(lead_import, "PARALLEL_BYTES", 0)
    path = _write(tmp_path / "w.csv", "Name,Email\nAda Lovelace,ada@example.org\nBad,x@\n")
    inline = _importer(app).import_file(path, dry_run=True)
    pooled = _importer(app).import_file(path, dry_run=True, workers=1)
    assert (pooled.created, pooled.rejected) == (inline.created, inline.rejected) == (
        1, (RejectedRow(3, "email", pooled.rejected[0].reason),)
    )


def test_unknown_owner_and_campaign_names_are_reported_and_the_lead_imported(
    app: AppServices, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "owners.csv",
        "First Name,Email,Owner,Campaign\n"
        "Ada,ada@example.com,nobody-here,\n"
        "Bo,bo@example.com,,No Such Campaign\n",
    )
    report = _importer(app).import_file(path)
    assert report.created == 2 and report.rejected_total == 0
    assert [(w.line, w.field) for w in report.warnings] == [(2, "owner"), (3, "campaign")]
    assert "no user 'nobody-here'" in report.warnings[0].reason
    leads = _all(app)
    assert leads["Ada"].owner_id == app.ctx.actor.id and leads["Bo"].campaign_id is None


def _lead_indexes(app: AppServices) -> set[tuple[str, str]]:
    with app.store.engine.connect() as conn:
        return set(
            conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads'"
            ).all()
        )


def _big_files(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Make every file count as big; returns the list of ``deferred_indexes`` decisions."""
    import leaddesk.services.importing.importer as lead_import

    monkeypatch.setattr(lead_import, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(lead_import, "BYTES_PER_ROW", 1)
    decisions: list[bool] = []
    real = lead_import.deferred_indexes

    def spy(conn: Any, table: str, keep: Any = (), enabled: bool = True) -> Any:
        decisions.append(enabled)
        return real(conn, table, keep, enabled)

    monkeypatch.setattr(lead_import, "deferred_indexes", spy)
    return decisions


def test_a_big_import_rebuilds_the_indexes_and_stays_searchable_and_undoable(
    app: AppServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import leaddesk.services.importing.importer as lead_import

    deferred = _big_files(monkeypatch)
    monkeypatch.setattr(lead_import, "BATCH", 2)  # duplicates across batches, too
    before = _lead_indexes(app)
    path = _write(
        tmp_path / "big.csv",
        "Name,Email,Company\nAda Lovelace,ada@example.org,Analytical Engines\n"
        "Grace Hopper,grace@example.org,Navy\nADA again,ADA@example.org,Dup\n"
        "Alan Turing,alan@example.org,Bletchley\n",
    )
    report = _importer(app).import_file(path, workers=0)
    assert deferred == [True]
    assert (report.created, report.skipped) == (3, 1)
    assert _lead_indexes(app) == before, "the deferred indexes are all back"
    found = app.leads.page(LeadQuery(search="analytical")).rows
    assert [lead.full_name for lead in found] == ["Ada Lovelace"]
    assert report.change_set_id is not None
    ChangeSetService(app.ctx).undo(report.change_set_id)
    assert app.leads.count(LeadQuery()) == 0


def test_a_cancelled_big_import_leaves_the_indexes_and_leads_untouched(
    app: AppServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import leaddesk.services.importing.importer as lead_import

    deferred = _big_files(monkeypatch)
    monkeypatch.setattr(lead_import, "BATCH", 1)
    before = _lead_indexes(app)
    path = _write(tmp_path / "big.csv", "Email\na@example.org\nb@example.org\nc@example.org\n")
    calls = iter([False, True])
    with pytest.raises(ImportCancelledError):
        _importer(app).import_file(path, workers=0, cancel=lambda: next(calls, True))
    assert deferred == [True]
    assert _lead_indexes(app) == before
    assert app.leads.count(LeadQuery()) == 0

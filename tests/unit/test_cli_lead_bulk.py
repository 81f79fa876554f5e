"""``leaddesk leads bulk``, ``duplicates`` and ``merge``: the table's bulk actions and the
window's Find duplicates, each write one change set ``changes undo`` takes back."""

from __future__ import annotations

import pytest

from leaddesk.cli import main
from leaddesk.services.app_services import AppServices
from leaddesk.services.leads.query import LeadQuery


@pytest.fixture
def five_leads(app: AppServices) -> list[str]:
    for n in range(5):
        app.leads.create({"first_name": f"Lee{n}", "email": f"lee{n}@example.org",
                          "status": "new" if n < 3 else "lost", "tags": "cold"})
    return [lead.email for lead in app.leads.page(limit=10).rows]


def bulk(db_url: str, *args: str) -> int:
    return main(["--db", db_url, "leads", "bulk", *args])


def test_bulk_change_over_a_filter_and_its_undo(db_url: str, app: AppServices, five_leads,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert bulk(db_url, "--status", "new", "--set-status", "contacted", "--add-tag", "Q4",
                "--remove-tag", "cold", "--dry-run") == 0
    assert capsys.readouterr().out.strip() == "would change 3 leads"
    assert app.leads.count(LeadQuery(statuses=("contacted",))) == 0

    assert bulk(db_url, "--status", "new", "--set-status", "contacted", "--add-tag", "Q4",
                "--remove-tag", "cold", "--yes") == 0
    out = capsys.readouterr().out
    assert out.startswith("changed 3 leads; undo with leaddesk changes undo ")
    changed = app.leads.page(LeadQuery(statuses=("contacted",)), limit=10).rows
    assert len(changed) == 3 and all(lead.tags == ("q4",) for lead in changed)
    assert app.leads.count(LeadQuery(statuses=("lost",), tags=("cold",))) == 2

    assert main(["--db", db_url, "changes", "undo", out.split()[-1]]) == 0
    assert app.leads.count(LeadQuery(statuses=("new",), tags=("cold",))) == 3


def test_bulk_delete_asks_first_and_names_bad_values(db_url: str, app: AppServices, five_leads,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert bulk(db_url, "--status", "lost", "--delete") == 1  # standard input is no terminal
    assert "this changes 2 leads: add --yes" in capsys.readouterr().err
    assert bulk(db_url, "--status", "lost", "--delete", "--yes") == 0
    assert app.leads.count() == 3
    assert bulk(db_url, "--set-owner", "nobody", "--yes") == 1
    assert capsys.readouterr().err.strip() == "leaddesk: error: --set-owner: no user 'nobody'"
    assert bulk(db_url, "--set-status", "hot", "--yes") == 1
    assert "status: 'hot' is not one of" in capsys.readouterr().err
    assert bulk(db_url, "--yes") == 1
    assert "change: nothing to change" in capsys.readouterr().err


def test_duplicates_listed_then_merged_and_undone(db_url: str, app: AppServices,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bea = app.leads.create({"first_name": "Bea", "last_name": "Fischer", "company": "Summit",
                            "email": "bea@summit.example"})
    twin = app.leads.create({"first_name": "Bea", "last_name": "Fischer", "company": "Summit",
                             "email": "b.fischer@summit.example", "title": "CTO",
                             "tags": "event"})
    assert main(["--db", db_url, "leads", "duplicates", "--rule", "name_company"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "same name + company: 2 leads"
    assert [line.split()[0] for line in lines[1:3]] == [str(bea.id), str(twin.id)]
    assert main(["--db", db_url, "leads", "duplicates", "--rule", "email"]) == 0
    assert capsys.readouterr().out.strip() == "no duplicates"

    assert main(["--db", db_url, "leads", "merge", "bea@summit.example", str(twin.id),
                 "--take", "colour"]) == 1
    assert "colour: cannot be chosen in a merge" in capsys.readouterr().err
    assert main(["--db", db_url, "leads", "merge", "bea@summit.example", str(twin.id),
                 "--take", "title"]) == 0
    out = capsys.readouterr().out
    kept = app.leads.get(bea.id)
    assert (kept.title, kept.tags, app.leads.count()) == ("CTO", ("event",), 1)
    assert main(["--db", db_url, "changes", "undo", out.split()[-1]]) == 0
    assert app.leads.count() == 2


def test_export_takes_the_tables_filters(db_url: str, app: AppServices, five_leads, tmp_path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "lost.csv"
    assert main(["--db", db_url, "export", str(target), "--status", "lost", "--search",
                 "lee4"]) == 0
    assert capsys.readouterr().out.strip() == f"exported 1 lead to {target}"
    text = target.read_text(encoding="utf-8-sig")
    assert "lee4@example.org" in text and "lee3@example.org" not in text
    app.saved_views.save("Lost", LeadQuery(statuses=("lost",)))
    assert main(["--db", db_url, "export", str(target), "--view", "Lost"]) == 0
    assert "exported 2 leads" in capsys.readouterr().out
    exports = [a for a in app.activity.recent(entity_type="lead") if a.action == "export"]
    assert [a.changes["view"] for a in exports[:2]] == ["Lost", ""]

"""``leaddesk changes list|undo`` from the command line: imports and merges undone as a whole."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.services.app_services import AppServices


def _import(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "in.csv"
    path.write_text(
        "Name,Email\nAda Lovelace,ada@example.org\nGrace Hopper,grace@example.org\n"
        "Alan Turing,alan@example.org\n",
        encoding="utf-8",
    )
    assert main(["--db", db_url, "import", str(path)]) == 0
    out = capsys.readouterr().out
    return out.split("import batch ", 1)[1].split()[0]


def _run(db_url: str, *args: str) -> int:
    return main(["--db", db_url, "changes", *args])


def test_list_and_undo_a_merge_then_an_import(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = _import(db_url, tmp_path, capsys)
    app = AppServices.open(db_url)
    try:
        by_email = {lead.email: lead for lead in app.leads.page(limit=10).rows}
        ada, grace = by_email["ada@example.org"], by_email["grace@example.org"]
        draft = app.messages.save_draft(grace.id, "email", "Hi", "Hello Grace")
        _kept, merge = app.duplicates.merge(ada.id, grace.id)
    finally:
        app.close()

    assert _run(db_url, "list") == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[:2] for line in lines] == [[str(merge), "merge"], [batch, "import"]]
    assert all(" active " in line for line in lines)
    assert "merged Grace Hopper into Ada Lovelace" in lines[0]
    assert _run(db_url, "list", "--kind", "import", "--limit", "5") == 0
    assert capsys.readouterr().out.split()[0] == batch

    assert _run(db_url, "undo", str(merge)) == 0
    out = capsys.readouterr().out
    assert f"undid merge {merge}" in out and "2 restored" in out
    assert "1 messages and tasks moved back" in out
    app = AppServices.open(db_url)
    try:
        assert app.leads.count() == 3
        assert [m.id for m in app.messages.for_lead(grace.id)] == [draft.id]
    finally:
        app.close()

    assert _run(db_url, "undo", str(merge)) == 1
    err = capsys.readouterr().err
    assert "already undone on" in err and str(merge) in err and len(err.splitlines()) == 1
    assert _run(db_url, "list", "--kind", "merge") == 0
    assert " undone " in capsys.readouterr().out

    assert _run(db_url, "undo", batch) == 0
    assert "3 removed" in capsys.readouterr().out
    app = AppServices.open(db_url)
    try:
        assert app.leads.count() == 0
    finally:
        app.close()


def test_unknown_and_malformed_ids(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db_url, "list") == 0
    assert capsys.readouterr().out.strip() == "no change sets"
    missing = uuid.uuid4()
    assert _run(db_url, "undo", str(missing)) == 1
    assert capsys.readouterr().err == f"leaddesk: error: change set {missing} not found\n"
    for args in (
        ["undo", "last-one"],
        ["undo"],
        ["list", "--kind", "delete"],
        ["list", "--limit", "0"],
    ):
        with pytest.raises(SystemExit) as exit_:
            _run(db_url, *args)
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "error:" in err

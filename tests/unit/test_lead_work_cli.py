"""``leaddesk leads note|log``, ``tasks``, ``dnc`` and ``template edit|delete``: what the
detail panel and the dialogs do, from the command line, on a real database; bad input is one
line, status 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.services.app_services import AppServices


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    app = AppServices.open(url)
    app.leads.create({"first_name": "Ada", "email": "ada@example.com"})
    app.templates.create({"name": "Intro", "channel": "email", "subject": "Hi", "body": "Hello"})
    app.close()
    return url


def _out(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out


def test_lead_note_log_and_tasks(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "leads", "note", "ada@example.com", "Wants a demo"]) == 0
    assert main(["--db", db, "leads", "log", "ada@example.com", "--kind", "meeting",
                 "--outcome", "interested", "--notes", "demo went well"]) == 0
    assert main(["--db", db, "tasks", "add", "ada@example.com", "Send deck",
                 "--due", "2030-01-02T09:00+00:00"]) == 0
    task_id = _out(capsys).split("added task ")[1].split()[0]
    assert main(["--db", db, "tasks", "snooze", task_id,
                 "2030-01-09T09:00+00:00"]) == 0
    assert main(["--db", db, "tasks", "done", task_id]) == 0
    capsys.readouterr()
    assert main(["--db", db, "leads", "show", "ada@example.com"]) == 0
    shown = _out(capsys)
    assert "UTC — Wants a demo" in shown
    assert "meeting logged — interested: demo went well" in shown
    assert f"{task_id}  done " in shown and "follow_up  Send deck" in shown
    assert "snoozed task Send deck to 2030-01-09 09:00 UTC" in shown


def test_lead_errors_are_one_line(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "leads", "show", "nobody@example.com"]) == 1
    assert capsys.readouterr().err == (
        "leaddesk: error: no lead with email nobody@example.com\n")
    assert main(["--db", db, "leads", "log", "ada@example.com", "--kind", "call",
                 "--outcome", "great"]) == 1
    assert capsys.readouterr().err.startswith("leaddesk: error: outcome: 'great' is not one of")
    assert main(["--db", db, "tasks", "done", "42"]) == 1
    assert "'42' is not a task id" in capsys.readouterr().err


def test_dnc_add_list_remove(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "dnc", "add", "Bob@Example.com",
                 "--note", "asked us to stop"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "dnc", "list"]) == 0
    listed = _out(capsys)
    assert "bob@example.com" in listed and "manual" in listed
    assert "asked us to stop" in listed
    assert main(["--db", db, "dnc", "remove", "bob@example.com"]) == 0
    assert main(["--db", db, "dnc", "remove", "bob@example.com"]) == 1
    assert "is not on the do-not-contact list" in capsys.readouterr().err


def test_template_edit_and_delete(db: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Hello {{ first_name | default('there') }}", encoding="utf-8")
    assert main(["--db", db, "template", "edit", "Intro", "--name", "Intro v2",
                 "--body-file", str(body)]) == 0
    app = AppServices.open(db)
    try:
        (template,) = app.templates.list()
        assert (template.name, template.body) == ("Intro v2", body.read_text())
    finally:
        app.close()
    assert main(["--db", db, "template", "delete", "Intro v2"]) == 0
    assert main(["--db", db, "template", "delete", "Intro v2"]) == 1
    assert capsys.readouterr().err == "leaddesk: error: template 'Intro v2' not found\n"

"""``leaddesk tasks`` through the real entry point: the detail panel's tasks from the shell."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from leaddesk.cli import main
from leaddesk.commands.common import CommandError
from leaddesk.commands.tasks import parse_when
from leaddesk.services.app_services import AppServices


def tasks(db_url: str, *args: str) -> int:
    return main(["--db", db_url, "tasks", *args])


def listed(db_url: str, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    assert tasks(db_url, "list", *args, "--json") == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def lead_id(app: AppServices) -> str:
    return str(app.leads.create({"first_name": "Ida", "email": "ida@example.org"}).id)


def test_add_list_snooze_and_done(db_url: str, app: AppServices, lead_id: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert tasks(db_url, "add", "ida@example.org", "Call about the pilot", "--due", "2h",
                 "--kind", "call") == 0
    assert "for Ida, due" in capsys.readouterr().out
    assert tasks(db_url, "add", lead_id, "Send the deck") == 0
    capsys.readouterr()
    open_tasks = listed(db_url, capsys)
    assert [t["title"] for t in open_tasks] == ["Call about the pilot", "Send the deck"]
    assert open_tasks[0]["lead"] == "Ida" and open_tasks[1]["due_at"] is None
    call = open_tasks[0]["id"]
    assert [t["title"] for t in listed(db_url, capsys, "--due", "1d")] == ["Call about the pilot"]

    assert tasks(db_url, "snooze", call, "2020-01-02 08:00") == 0
    assert "snoozed 'Call about the pilot' to 2020-01-02 08:00" in capsys.readouterr().out
    overdue = listed(db_url, capsys, "--overdue")
    assert [t["id"] for t in overdue] == [call] and overdue[0]["overdue"] is True
    assert tasks(db_url, "list") == 0
    assert "OVERDUE 2020-01-02 08:00" in capsys.readouterr().out

    assert tasks(db_url, "done", call) == 0
    assert capsys.readouterr().out.strip() == "done: Call about the pilot"
    assert [t["id"] for t in listed(db_url, capsys, "--done")] == [call]
    assert listed(db_url, capsys, "--overdue") == []
    assert len(listed(db_url, capsys, "--all", "--lead", "ida@example.org")) == 2
    timeline = [a.summary for a in app.activity.for_lead(uuid.UUID(lead_id))]
    assert "completed task: Call about the pilot" in timeline
    assert main(["--db", db_url, "leads", "show", lead_id]) == 0
    shown = capsys.readouterr().out.split("\ntasks:\n", 1)[1]
    assert f"  {call}  done " in shown and "Send the deck" in shown
    assert "completed task: Call about the pilot" in shown.split("\ntimeline:\n", 1)[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "ida@example.org", "x", "--due", "someday"], "--due: 'someday' is not a time"),
        (["add", "ida@example.org", "x", "--kind", "meeting"], "kind: 'meeting' is not one of"),
        (["add", "ida@example.org", " "], "title: is required"),
        (["add", "nobody@example.org", "x"], "no lead with email nobody@example.org"),
        (["done", "12"], "'12' is not a task id"),
        (["snooze", "00000000-0000-0000-0000-000000000009"],
         "task 00000000-0000-0000-0000-000000000009 not found"),
        (["list", "--due", "31/12"], "--due: '31/12' is not a time"),
    ],
)
def test_bad_input_is_one_line_and_status_1(db_url: str, lead_id: str, args: list[str],
                                            message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert tasks(db_url, *args) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and message in err


def test_a_done_task_cannot_be_snoozed(db_url: str, lead_id: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert tasks(db_url, "add", lead_id, "Wrap up") == 0
    capsys.readouterr()
    task = listed(db_url, capsys)[0]["id"]
    assert tasks(db_url, "done", task) == 0 and tasks(db_url, "snooze", task, "1d") == 1
    assert "'Wrap up' is done; it cannot be snoozed" in capsys.readouterr().err


def test_times_read_in_local_time() -> None:
    now = dt.datetime(2026, 3, 10, 15, 30, tzinfo=dt.UTC)
    assert parse_when("2h", "--due", now=now) == now + dt.timedelta(hours=2)
    assert parse_when("1W", "--due", now=now) == now + dt.timedelta(weeks=1)
    local_day = now.astimezone().date()
    tomorrow_nine = dt.datetime.combine(local_day + dt.timedelta(days=1), dt.time(9))
    assert parse_when("tomorrow", "--due", now=now) == tomorrow_nine.astimezone()
    end_of_today = dt.datetime.combine(local_day + dt.timedelta(days=1), dt.time())
    assert parse_when("today", "--due", end_of_day=True, now=now) == end_of_today.astimezone()
    assert parse_when("2026-04-01 18:45", "--due") == dt.datetime(2026, 4, 1, 18, 45).astimezone()
    with pytest.raises(CommandError, match="--due: 'soon' is not a time"):
        parse_when("soon", "--due")

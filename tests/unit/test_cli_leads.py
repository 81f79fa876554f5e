"""``leaddesk leads`` and ``leaddesk views`` through the real entry point: the lead table's query,
the window's input rules, one-line errors with exit status 1, and a closed pipe ending quietly."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from leaddesk.cli import main
from leaddesk.commands.leads import FIELD_FLAGS, NAMED_FIELDS
from leaddesk.services.app_services import AppServices
from leaddesk.services.leads.lead_input import EDITABLE_FIELDS
from leaddesk.services.leads.query import LeadQuery, LeadSort


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """300 demo leads (with owners, campaigns, tags and tasks) shared by the read-only tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('leads-cli') / 'demo.db'}"
    assert main(["--db", url, "demo", "--leads", "300"]) == 0
    return url


@pytest.fixture
def demo_app(demo_db: str) -> Iterator[AppServices]:
    app = AppServices.open(demo_db)
    yield app
    app.close()


def leaddesk(db: str, *args: str) -> tuple[int, str, str]:
    """The installed program in a fresh interpreter, as a shell runs it."""
    proc = subprocess.run([sys.executable, "-m", "leaddesk", "--db", db, *args],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


def json_out(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_every_editable_field_has_a_flag() -> None:
    named = {NAMED_FIELDS[n] for n in NAMED_FIELDS}
    assert set(FIELD_FLAGS) | named == EDITABLE_FIELDS


def test_list_filters_are_the_tables_query(demo_db: str, demo_app: AppServices,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    rows = json_out(capsys, "--db", demo_db, "leads", "list", "--status", "new", "--status",
                    "contacted", "--owner", "local", "--added-since", since.date().isoformat(),
                    "--sort", "last_name", "--limit", "0", "--json")
    query = LeadQuery(statuses=("new", "contacted"), owner_ids=(demo_app.ctx.actor.id,),
                      created_from=dt.datetime.combine(since.date(), dt.time(), dt.UTC))
    expected = demo_app.leads.page(query, LeadSort("last_name", False), limit=1000).rows
    assert expected and len(expected) < 300
    assert [r["id"] for r in rows] == [str(lead.id) for lead in expected]
    assert {r["status"] for r in rows} <= {"new", "contacted"}
    assert {r["owner"] for r in rows} == {"local"}


def test_list_search_tag_campaign_and_limit(demo_db: str, demo_app: AppServices,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    lead = demo_app.leads.page(LeadQuery(tags=("enterprise",)), limit=1).rows[0]
    rows = json_out(capsys, "--db", demo_db, "leads", "list", "--search", lead.email, "--json")
    assert [r["id"] for r in rows] == [str(lead.id)]
    campaign = demo_app.campaigns.list()[0]
    in_campaign = demo_app.leads.count(LeadQuery(campaign_ids=(campaign.id,), tags=("enterprise",)))
    assert main(["--db", demo_db, "leads", "list", "--campaign", campaign.name.upper(), "--tag",
                 "enterprise", "--limit", "2", "--csv"]) == 0
    out, err = capsys.readouterr()
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == min(2, in_campaign)
    assert {r["campaign"] for r in table} == {campaign.name}
    if in_campaign > 2:
        assert f"showing 2 of {in_campaign:,} leads" in err


def test_text_list_has_a_header_and_a_count(demo_db: str, demo_app: AppServices,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", demo_db, "leads", "list", "--status", "won", "--limit", "0"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    won = demo_app.leads.count(LeadQuery(statuses=("won",)))
    assert lines[0].split() == ["id", "name", "email", "company", "status", "score"]
    assert len(lines) == won + 1 and all(" won " in line for line in lines[1:])
    assert err.strip() == (f"{won} leads match" if won != 1 else "1 lead matches")


def test_add_show_edit_tag_delete(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    def run(*args: str) -> int:
        return main(["--db", db_url, "leads", *args])

    assert run("add", "--first-name", "Ada", "--last-name", "Byron", "--email",
               "ADA@Example.org", "--phone", "+44 20 7946 0958", "--tags", "vip, event",
               "--status", "contacted") == 0
    assert "added Ada Byron" in capsys.readouterr().out
    shown = json_out(capsys, "--db", db_url, "leads", "show", "ada@example.org", "--json")
    assert shown["email"] == "ADA@example.org" and shown["phone"] == "+442079460958"
    assert shown["tags"] == ["event", "vip"] and shown["owner"] == "local"
    assert run("edit", shown["id"], "--score", "80", "--set", "linkedin_url=linkedin.com/in/ada",
               "--title", "CTO") == 0
    capsys.readouterr()
    assert run("tag", "ada@example.org", "--add", "Hot", "--remove", "vip") == 0
    assert capsys.readouterr().out.strip() == "Ada Byron: event, hot"
    shown = json_out(capsys, "--db", db_url, "leads", "show", shown["id"], "--json")
    assert (shown["score"], shown["title"]) == (80, "CTO")
    assert shown["linkedin_url"] == "https://www.linkedin.com/in/ada"
    assert run("delete", "ada@example.org", "--yes") == 0
    assert "deleted Ada Byron" in capsys.readouterr().out
    assert json_out(capsys, "--db", db_url, "leads", "list", "--json") == []


def test_add_refuses_a_duplicate_unless_allowed(db_url: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--db", db_url, "leads", "add", "--first-name", "Bo", "--email", "bo@example.org"]
    assert main(args) == 0
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "email: a lead with this email exists" in err and "--allow-duplicate" in err
    assert main([*args, "--allow-duplicate"]) == 0
    assert main(["--db", db_url, "leads", "show", "bo@example.org"]) == 1
    assert "2 leads have email bo@example.org; name one by its id" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["leads", "add", "--first-name", "A", "--email", "bad@"], "error: email: 'bad@' is not"),
        (["leads", "add", "--first-name", "A", "--score", "101"], "error: score: 101 is outside"),
        (["leads", "add", "--first-name", "A", "--campaign", "Nope"],
         "error: --campaign: no campaign is named 'Nope'"),
        (["leads", "add"], "error: give at least a name"),
        (["leads", "edit", "nobody@example.org", "--title", "x"],
         "error: no lead with email nobody@example.org"),
        (["leads", "edit", "01a244d0-4a66-7012-9c74-7350af02be96", "--set", "colour=red"],
         "error: --set: 'colour' is not a lead field"),
        (["leads", "show", "42"], "error: '42' is neither a lead id nor an email"),
        (["leads", "delete", "00000000-0000-0000-0000-000000000001", "--yes"],
         "error: no lead with id 00000000-0000-0000-0000-000000000001"),
        (["leads", "list", "--status", "hot"], "error: --status: 'hot' is not one of new"),
        (["leads", "list", "--owner", "ghost"], "error: --owner: no owner named 'ghost'"),
        (["leads", "list", "--added-before", "2026-02-30"],
         "error: --added-before: '2026-02-30' is not a date"),
        (["leads", "list", "--sort", "phone"], "error: --sort: cannot sort by 'phone'"),
        (["leads", "list", "--view", "Nope"], "error: saved view 'Nope' not found"),
        (["views", "delete", "Nope"], "error: saved view 'Nope' not found"),
        (["leads", "tag", "x@example.org"], "error: give --add TAG or --remove TAG"),
    ],
)
def test_bad_input_is_one_line_and_status_1(db_url: str, args: list[str], message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_url, *args]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


def test_a_bad_field_fails_the_program_in_one_line(db_url: str) -> None:
    code, out, err = leaddesk(db_url, "leads", "add", "--email", "a@b", "--phone", "12")
    assert (code, out) == (1, "")
    assert err.strip().splitlines() == [
        "leaddesk: error: email: 'a@b' is not a valid email address: The part after the "
        "@-sign is not valid. It should have a period."]


def test_delete_without_yes_asks_or_refuses(db_url: str, capsys, monkeypatch) -> None:
    assert main(["--db", db_url, "leads", "add", "--email", "cy@example.org"]) == 0
    code, _, err = leaddesk(db_url, "leads", "delete", "cy@example.org")
    assert code == 1 and "add --yes to delete without a prompt" in err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main(["--db", db_url, "leads", "delete", "cy@example.org"]) == 1
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert main(["--db", db_url, "leads", "delete", "cy@example.org"]) == 0
    assert "deleted cy@example.org" in capsys.readouterr().out


def test_closed_pipe_ends_quietly(demo_db: str) -> None:
    with subprocess.Popen([sys.executable, "-m", "leaddesk", "--db", demo_db, "leads", "list",
                           "--limit", "0", "--json"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().strip() == b"["
        proc.stdout.close()  # the reader leaves, as `| head -1` does
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0
    assert "Traceback" not in err and "Broken pipe" not in err


def test_views_save_list_use_and_delete(demo_db: str, demo_app: AppServices,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    flags = ["--status", "new", "--score-min", "40", "--owner", "local", "--sort", "score",
             "--order", "desc"]
    assert main(["--db", demo_db, "views", "save", "Warm new", *flags]) == 0
    count = demo_app.leads.count(LeadQuery(statuses=("new",), score_min=40))
    assert capsys.readouterr().out.strip() == f"saved view 'Warm new': {count} leads match now"
    view = demo_app.saved_views.get("Warm new")
    assert view.query == LeadQuery(statuses=("new",), score_min=40,
                                   owner_ids=(demo_app.ctx.actor.id,))
    assert view.sort == LeadSort("score", True)
    assert main(["--db", demo_db, "views", "list"]) == 0
    assert capsys.readouterr().out.split("  ", 1)[1].strip() == (
        "status: new; score-min: 40; owner: local; sort: score desc")
    by_view = json_out(capsys, "--db", demo_db, "leads", "list", "--view", "Warm new",
                       "--limit", "0", "--json")
    by_flags = json_out(capsys, "--db", demo_db, "leads", "list", *flags, "--limit", "0",
                        "--json")
    assert by_view == by_flags and len(by_view) == count
    narrowed = json_out(capsys, "--db", demo_db, "leads", "list", "--view", "Warm new",
                        "--score-min", "70", "--limit", "0", "--json")
    assert [r["id"] for r in narrowed] == [r["id"] for r in by_view if r["score"] >= 70]
    assert main(["--db", demo_db, "views", "delete", "Warm new"]) == 0
    assert demo_app.saved_views.list() == []


def test_a_view_saved_here_is_the_windows_view(db_url: str, app: AppServices,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    query = LeadQuery(tags=("vip",), countries=("DE",),
                      updated_to=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    app.saved_views.save("From the window", query, LeadSort("company", False))
    with pytest.raises(SystemExit) as refused:  # save takes no --view: a view is made of flags
        main(["--db", db_url, "views", "save", "Same", "--view", "From the window"])
    assert refused.value.code == 2
    assert main(["--db", db_url, "views", "save", "Same", "--tag", "vip", "--country", "de",
                 "--updated-before", "2026-01-01", "--sort", "company"]) == 0
    same = app.saved_views.get("Same")
    assert dataclasses.astuple(same)[2:] == dataclasses.astuple(
        app.saved_views.get("From the window"))[2:]


def test_a_rep_lists_and_edits_what_the_window_shows_them(db_url: str, monkeypatch,
                                                          capsys) -> None:
    from leaddesk.services.context import ServiceContext
    from leaddesk.services.team import auth, passwords
    from leaddesk.services.team.users import UserService
    from leaddesk.store import migrate
    from leaddesk.store.database import Store

    with passwords.hashing_parameters():
        store = Store.open(db_url)
        try:
            migrate.upgrade(store.engine)
            admin = auth.create_first_admin(store, "boss", "Boss", "boss-password-1")
            ray = UserService(ServiceContext(store, admin)).add("ray", "Ray", "rep",
                                                                "ray-password-1")
        finally:
            store.dispose()

        def as_user(name: str, *args: str) -> int:
            monkeypatch.setattr("sys.stdin", io.StringIO(f"{name}-password-1\n"))
            return main(["--db", db_url, "--as", name, "--password-stdin", "leads", *args])

        assert as_user("boss", "add", "--email", "own@example.org") == 0
        assert as_user("boss", "add", "--email", "rays@example.org", "--owner", "ray") == 0
        capsys.readouterr()
        assert as_user("ray", "list", "--json") == 0
        rows = json.loads(capsys.readouterr().out)
        assert [(r["email"], r["owner"]) for r in rows] == [("rays@example.org", "ray")]
        assert as_user("ray", "show", "own@example.org") == 1
        assert "no lead with email own@example.org" in capsys.readouterr().err
        assert as_user("ray", "list", "--owner", "boss") == 1
        assert "--owner: no owner named 'boss' that you can see" in capsys.readouterr().err
        assert as_user("ray", "edit", "rays@example.org", "--status", "contacted") == 0
        capsys.readouterr()
        assert as_user("ray", "show", "rays@example.org", "--json") == 0
        shown = json.loads(capsys.readouterr().out)
        assert (shown["status"], shown["owner"]) == ("contacted", ray.username)


def test_pipeline_counts_the_boards_columns(demo_db: str, demo_app: AppServices,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", demo_db, "leads", "pipeline", "--tag", "enterprise"]) == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    counts = {status: int(count.replace(",", "")) for status, count in lines}
    statuses = [s for s in counts if s != "total"]
    assert statuses == ["new", "contacted", "replied", "qualified", "won", "lost",
                        "unsubscribed", "bounced"]
    for status in statuses:
        assert counts[status] == demo_app.leads.count(LeadQuery(statuses=(status,),
                                                                tags=("enterprise",)))
    assert counts["total"] == demo_app.leads.count(LeadQuery(tags=("enterprise",)))
    assert main(["--db", demo_db, "leads", "pipeline", "--status", "won"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["won", "total"]

"""The command-line contract: commands, --db, one-line errors with exit code 2."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from leaddesk import __version__
from leaddesk.cli import main
from leaddesk.commands import COMMANDS
from leaddesk.commands.common import whole_number


def run(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "leaddesk", *args],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.strip() == f"leaddesk {__version__}"
    for command in ([], ["demo"], ["credits"], ["credits", "history"], ["screenshot"],
                    ["db"], ["db", "upgrade"], ["gui"], ["leads"], ["leads", "list"],
                    ["leads", "edit"], ["leads", "bulk"], ["views", "save"], ["tasks"],
                    ["tasks", "snooze"], ["campaigns"], ["campaigns", "edit"]):
        with pytest.raises(SystemExit) as exit_:
            main([*command, "--help"])
        assert exit_.value.code == 0


@pytest.mark.parametrize(
    "args",
    [["--bogus"], ["demo", "--leads", "many"], ["credits", "spend"], ["screenshot", "--view",
     "inbox", "--out", "x.png"], ["screenshot", "--view", "leads", "--out", "x.png", "--size",
     "big"], ["demo", "--leads", "-5"], ["import", "x.csv", "--workers", "-1"],
     ["credits", "history", "--limit", "0"], ["changes", "list", "--limit", "none"],
     ["leads"], ["leads", "list", "--limit", "-1"], ["leads", "list", "--json", "--csv"],
     ["leads", "edit", "x", "--colour", "red"], ["leads", "list", "--score-min", "high"],
     ["views", "save"], ["tasks", "list", "--overdue", "--done"], ["tasks", "add", "x"],
     ["leads", "bulk", "--set-status"], ["leads", "merge", "x"],
     ["leads", "duplicates", "--rule", "fax"], ["campaigns"], ["campaigns", "add"],
     ["dnc", "add"]],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str]) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "error:" in err


def test_demo_credits_and_db_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", db, "demo", "--leads", "300"]) == 0
    created = capsys.readouterr().out
    assert "created 300 leads" in created and "300 messages, 100 tasks" in created
    assert main(["--db", db, "credits", "balance"]) == 0
    balance_line = capsys.readouterr().out
    assert "available" in balance_line
    assert main(["--db", db, "credits", "buy", "starter"]) == 0
    assert "bought starter: +500" in capsys.readouterr().out
    assert main(["--db", db, "credits", "history", "--csv", "--limit", "5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "created_at,kind,amount,balance_after,action,reference"
    assert lines[1].split(",")[1:3] == ["purchase", "500"]
    assert main(["--db", db, "credits", "history", "--limit", "20"]) == 0
    raw = capsys.readouterr().out
    assert main(["--db", db, "credits", "history", "--per-action", "--limit", "20"]) == 0
    per_action = capsys.readouterr().out
    assert "reservation" in raw and "reservation" not in per_action, "one line per send"
    assert main(["--db", db, "db", "current"]) == 0
    assert "(head)" in capsys.readouterr().out
    assert main(["--db", db, "db", "upgrade"]) == 0
    assert "already at" in capsys.readouterr().out


def test_database_url_from_environment(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LEADDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert main(["credits", "balance"]) == 0
    assert (tmp_path / "env.db").exists()


def test_default_database_lives_in_the_data_folder(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LEADDESK_DATA_DIR", str(tmp_path / "data"))
    assert main(["credits", "balance"]) == 0
    assert (tmp_path / "data" / "leaddesk.db").exists()


def test_future_database_is_refused_untouched(tmp_path: Path, capsys) -> None:
    path = tmp_path / "future.db"
    db = f"sqlite:///{path}"
    assert main(["--db", db, "db", "upgrade"]) == 0
    engine = create_engine(db)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'zz99'"))
    engine.dispose()
    before = path.read_bytes()
    capsys.readouterr()
    for command in (["credits", "balance"], ["db", "upgrade"], ["db", "current"]):
        assert main(["--db", db, *command]) == 1
        err = capsys.readouterr().err
        assert "newer LeadDesk" in err and len(err.strip().splitlines()) == 1
    assert path.read_bytes() == before


def test_whole_numbers_read_separators_and_name_their_floor() -> None:
    assert whole_number(0)("1,000_000") == 1_000_000
    with pytest.raises(argparse.ArgumentTypeError, match="-1 is less than 0"):
        whole_number(0)("-1")
    with pytest.raises(argparse.ArgumentTypeError, match="'ten' is not a whole number"):
        whole_number()("ten")


#: What no help text needs: the database, the window, the services and Alembic.
HEAVY = ("sqlalchemy", "alembic", "PySide6", "leaddesk.ui", "leaddesk.services.app_services",
         "leaddesk.store.database", "leaddesk.sending")


def modules_loaded_by(*args: str) -> set[str]:
    """The modules a fresh interpreter holds after ``leaddesk ARGS`` (its output swallowed)."""
    probe = (
        "import contextlib, io, json, sys\n"
        "from leaddesk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(sys.argv[1:])\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                          timeout=120, check=True)
    return set(json.loads(proc.stdout))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith(HEAVY))


def test_building_the_parser_loads_no_command_and_no_service() -> None:
    probe = ("import json, sys, leaddesk.cli; leaddesk.cli.build_parser(); "
             "print(json.dumps(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    loaded = set(json.loads(proc.stdout))
    assert heavy(loaded) == []
    assert sorted(m for m in loaded if m.startswith("leaddesk.commands.")) == [
        "leaddesk.commands.common"]
    assert sorted(m for m in loaded if m.startswith("leaddesk.services.")) == [
        "leaddesk.services.errors"]


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_load_no_command(args: list[str]) -> None:
    loaded = modules_loaded_by(*args)
    assert heavy(loaded) == []
    assert "leaddesk.commands.credits" not in loaded and "multiprocessing" not in loaded


@pytest.mark.parametrize("command", [c.name for c in COMMANDS if c.name != "send"])
def test_a_command_help_loads_its_arguments_only(command: str) -> None:
    """``send --help`` is left out: its --workers default is the dispatcher's own."""
    assert heavy(modules_loaded_by(command, "--help")) == []

"""The command line's contract for databases it cannot open, and for a reader that goes away:
the real ``leaddesk`` entry in a subprocess, one line on standard error and exit status 1 (a
closed pipe: quiet, status 141), never a traceback."""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.commands import COMMANDS
from tests.fakes.smtp_server import free_port

LEADDESK = [sys.executable, "-c", "import sys; from leaddesk.cli import run; sys.exit(run())"]
ENTRY = shutil.which("leaddesk", path=str(Path(sys.executable).parent)) or ""
#: A command of each group that opens the database (``gui`` opens the window's dialog instead).
OPENING = [["outbox"], ["credits", "balance"], ["credits", "history"], ["demo", "--leads", "1"],
           ["template", "list"], ["changes", "list"], ["users", "list"], ["audit", "list"],
           ["export", "out.csv"], ["send"], ["channel", "list"], ["db", "current"],
           ["db", "upgrade"], ["settings", "show"], ["leads", "list"], ["views", "list"],
           ["tasks", "list"], ["campaigns", "list"], ["dnc", "list"]]
#: Every fault is tried on these; the corrupt file on every command above (one path in
#: ``cli.main`` reports them all, and a subprocess costs about a second on a loaded machine).
SAMPLE = [["outbox"], ["credits", "history"], ["db", "current"], ["export", "out.csv"]]


def leaddesk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [ENTRY] if ENTRY else LEADDESK
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd, input="a-password\n",
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def _newer(path: Path) -> str:
    url = f"sqlite:///{path}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    return url


@pytest.fixture(params=["corrupt", "server_down", "missing_folder", "unsupported_url",
                        "too_new"])
def fault(request, tmp_path: Path) -> tuple[list[str], str, list[list[str]]]:
    """(global arguments, words the one line must hold, commands to try)."""
    kind = request.param
    if kind == "corrupt":
        path = tmp_path / "corrupt.db"
        path.write_bytes(b"this is not a database, whatever its name says" * 200)
        return ["--db", f"sqlite:///{path}"], f"{path} is damaged", OPENING
    if kind == "server_down":
        port = free_port()
        # As a member (a team database asks who acts before it connects; the team sign-in
        # says "port N failed: Connection refused", the others "at 127.0.0.1:N (...refused)").
        return (["--db", f"postgresql://ann:secret@127.0.0.1:{port}/leaddesk", "--as", "ann",
                 "--password-stdin"], str(port), SAMPLE)
    if kind == "missing_folder":
        return (["--db", f"sqlite:///{tmp_path / 'no' / 'such' / 'leads.db'}"],
                f"the folder {tmp_path / 'no' / 'such'} does not exist", SAMPLE)
    if kind == "unsupported_url":
        return (["--db", "mysql://ann@db.example/leads"], "not a database URL LeadDesk can open",
                SAMPLE)
    return ["--db", _newer(tmp_path / "newer.db")], "written by a newer LeadDesk", SAMPLE


def test_every_command_says_what_is_wrong_in_one_line(fault, tmp_path: Path) -> None:
    options, words, commands = fault
    for command in commands:
        proc = leaddesk(*options, *command, cwd=tmp_path)
        assert proc.returncode == 1, (command, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, (command, proc.stderr)
        assert lines[0].startswith("leaddesk: error: ") and words in lines[0], command
        assert "Traceback" not in proc.stderr
        assert "refused" in lines[0] or not words.isdigit()
        assert "secret" not in proc.stderr


def test_the_gui_command_falls_back_to_one_line_without_a_display_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``leaddesk gui`` asks in a dialog (tests/gui/test_start_faults.py); quitting it leaves
    the same one line and status 1."""
    from leaddesk.ui import start_faults

    monkeypatch.setattr(start_faults, "ask_about_fault", lambda fault, backup_dir: None)
    url = "mysql://ann@db.example/leads"
    assert main(["--db", url, "gui"]) == 1


def test_every_command_is_covered() -> None:
    opened = {c[0] for c in OPENING} | {"gui", "screenshot", "import", "compose"}
    assert {c.name for c in COMMANDS} <= opened


def _first_line_then_close(args: list[str]) -> tuple[int, str, str]:
    """Run with a one-page pipe, read one line, close it: the rest finds no reader."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    command = [ENTRY] if ENTRY else LEADDESK
    proc = subprocess.Popen([*command, *args], stdout=write_end, stderr=subprocess.PIPE,
                            text=True)
    os.close(write_end)
    with os.fdopen(read_end) as reader:
        first = reader.readline()
    _, err = proc.communicate(timeout=120)
    return proc.returncode, first, err


@pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="needs Linux pipe sizes")
def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["--db", url, "demo", "--leads", "30"]) == 0
    for args in (["credits", "history", "--limit", "100000"],
                 ["audit", "list", "--limit", "100000"]):
        code, first, err = _first_line_then_close(["--db", url, *args])
        assert first.strip(), args
        assert err == "" and code == 141, (args, err)

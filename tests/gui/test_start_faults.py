"""A database that cannot be opened at start shows what is wrong and the ways out: try again,
open another database, restore the latest backup, quit. Real faults: a damaged file, a closed
port, a missing folder, an unsupported URL, a database from a newer LeadDesk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog

from leaddesk.cli import main
from leaddesk.services.app_services import AppServices
from leaddesk.services.start_faults import FaultKind, StartFault, describe
from leaddesk.services.team import auth
from leaddesk.ui.start_faults import StartFaultDialog, ask_about_fault
from tests.fakes.smtp_server import free_port


def _fault(url: str) -> StartFault:
    raised: list[Exception] = []
    try:
        AppServices.open(url).close()
    except Exception as exc:  # whatever opening raises: describe() is what is tested
        raised.append(exc)
    assert raised, f"{url} opened"
    fault = describe(raised[0], url)
    assert fault is not None, raised[0]
    return fault


def _good_db(path: Path) -> str:
    """A working database in "no login on this computer" mode (no first-run dialog)."""
    url = f"sqlite:///{path}"
    AppServices.open(url, sign_in=auth.choose_no_login).close()
    return url


@pytest.fixture
def corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "leads.db"
    path.write_bytes(b"not a database at all " * 300)
    return path


def test_each_fault_names_what_is_wrong(qtbot, tmp_path: Path, corrupt: Path) -> None:
    newer = tmp_path / "newer.db"
    _good_db(newer)
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    port = free_port()
    cases = {
        FaultKind.CORRUPT: (f"sqlite:///{corrupt}", "is damaged"),
        FaultKind.SERVER_DOWN: (f"postgresql://ann@127.0.0.1:{port}/leaddesk", f":{port}"),
        FaultKind.MISSING_FOLDER: (f"sqlite:///{tmp_path / 'gone' / 'x.db'}", "does not exist"),
        FaultKind.UNSUPPORTED_URL: ("mysql://ann@db.example/leads", "not a database URL"),
        FaultKind.TOO_NEW: (f"sqlite:///{newer}", "newer LeadDesk"),
    }
    for kind, (url, words) in cases.items():
        fault = _fault(url)
        assert fault.kind is kind
        dialog = StartFaultDialog(fault, tmp_path / "backups")
        qtbot.addWidget(dialog)
        dialog.show()
        assert words in dialog.message.text()
        assert not dialog.restore.isEnabled()  # no backups in this folder
        assert dialog.retry.isEnabled() and dialog.open_other.isEnabled()
        dialog.grab().save(str(tmp_path / f"fault_{kind.value}.png"))


def test_restore_puts_the_latest_backup_in_place_and_keeps_the_damaged_file(
    qtbot, tmp_path: Path, corrupt: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    _good_db(backups / "leads-before-0007-20261201T000000Z.db")
    fault = _fault(f"sqlite:///{corrupt}")

    def click_restore(dialog: QDialog) -> None:
        assert isinstance(dialog, StartFaultDialog)
        assert dialog.restore.isEnabled() and "leads-before-0007" in dialog.note.text()
        dialog.restore.click()

    assert ask_about_fault(fault, backups, show=click_restore) == fault.url
    AppServices.open(fault.url).close()  # opens now
    assert [p.name.split(".damaged-")[0] for p in tmp_path.glob("leads.db.damaged-*")] == [
        "leads.db"]


def test_open_another_database_and_quit(qtbot, tmp_path: Path, corrupt: Path) -> None:
    other = tmp_path / "other.db"
    fault = _fault(f"sqlite:///{corrupt}")
    answer = ask_about_fault(fault, tmp_path, show=lambda d: d.open_other.click(),
                             pick_file=lambda parent: str(other))
    assert answer == f"sqlite:///{other}"
    assert ask_about_fault(fault, tmp_path, show=lambda d: d.open_other.click(),
                           pick_file=lambda parent: "") is None  # the file dialog cancelled
    assert ask_about_fault(fault, tmp_path, show=lambda d: d.quit.click()) is None


def test_leaddesk_gui_asks_then_opens_the_database_chosen(
    qtbot, tmp_path: Path, corrupt: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command's wiring: the fault dialog, then another database, then the window."""
    from leaddesk.ui import app as ui_app
    from leaddesk.ui import start_faults

    other = tmp_path / "other.db"
    _good_db(other)
    asked: list[FaultKind] = []

    def answer(fault: StartFault, backup_dir: Path) -> str:
        asked.append(fault.kind)
        return f"sqlite:///{other}"

    opened: list[str] = []
    monkeypatch.setattr(start_faults, "ask_about_fault", answer)
    monkeypatch.setattr(ui_app, "run_gui", lambda services, **_: opened.append(
        str(services.store.engine.url.database)) or 0)
    monkeypatch.setattr(ui_app, "window_settings", lambda: QSettings(
        str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    assert main(["--db", f"sqlite:///{corrupt}", "gui", "--no-demo"]) == 0
    assert asked == [FaultKind.CORRUPT] and opened == [str(other)]

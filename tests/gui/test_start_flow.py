"""Start-up: the first run creates the admin, the sign-in dialog signs in, the window acts as
that user. Dialogs are driven through ``dialog_sign_in``'s ``show`` seam (never ``exec``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from leaddesk.commands import gui
from leaddesk.services import demo
from leaddesk.services import settings as app_settings
from leaddesk.services.app_services import AppServices
from leaddesk.services.context import ServiceContext
from leaddesk.services.team import auth, passwords
from leaddesk.services.team.users import UserService
from leaddesk.store import migrate
from leaddesk.store.database import Store
from leaddesk.ui import operations
from leaddesk.ui.auth.first_run import FirstRunDialog, StartChoice
from leaddesk.ui.auth.login_dialog import LAST_USER_KEY, LoginDialog
from leaddesk.ui.auth.start import SignInCancelled, dialog_sign_in, team_sign_in
from leaddesk.ui.main_window import MainWindow
from tests.integration.team.team_support import PASSWORD, Team, pg_team, pg_team_template

__all__ = ["pg_team", "pg_team_template"]  # fixtures

_SHOTS: list[Path] = []


@pytest.fixture(autouse=True)
def _cheap_hashes_and_shots(tmp_path: Path) -> Iterator[None]:
    """Cheap hashes; screenshots of the dialogs land in the test's folder (to look at)."""
    _SHOTS[:] = [tmp_path]
    with passwords.hashing_parameters():
        yield


def _shot(widget: object, name: str) -> None:
    assert widget.grab().save(str(_SHOTS[0] / f"{name}.png"))  # type: ignore[attr-defined]


def _window(qtbot, services: AppServices, settings: QSettings) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(services, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.lead_count is not None and window.balance is not None,
                    timeout=20_000)
    return window


def _admin_db(url: str) -> None:
    store = Store.open(url)
    try:
        migrate.upgrade(store.engine)
        admin = auth.create_first_admin(store, "boss", "Ann Admin", "first-admin-pw")
        UserService(ServiceContext(store, admin)).add("ray", "Ray Rep", "rep", "rep-password-1")
    finally:
        store.dispose()


def test_first_run_creates_the_admin_who_chose_demo_data_and_the_window(
    qtbot, db_url: str, settings: QSettings, tmp_path: Path
) -> None:
    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstRunDialog)
        dialog.show()
        assert dialog.start_empty.isChecked()  # demo data only when asked for
        dialog.username.setText("boss")
        dialog.name.setText("Ann Admin")
        dialog.password.setText("first-admin-pw")
        dialog.confirm.setText("first-admin-pw")
        dialog.with_demo.setChecked(True)
        _shot(dialog, "first_run")
        dialog.finish()
        qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)

    choice = StartChoice()
    services = AppServices.open(db_url, backup_dir=tmp_path / "b",
                                sign_in=dialog_sign_in(settings, show=fill, choice=choice))
    try:
        assert services.ctx.actor.name == "Ann Admin"
        assert auth.login_mode(services.store) is auth.LoginMode.PASSWORD
        assert choice == StartChoice(asked=True, demo=True)
        assert gui.first_start(services, demo_chosen=choice.demo) is True
        assert gui.first_start(services, demo_chosen=True) is False  # once per database
        assert app_settings.get(services.store, gui.FIRST_RUN_DONE) is True
        demo.populate(services, 50)  # what the window's progress dialog runs
        window = _window(qtbot, services, settings)
        assert window.lead_count == 50
        qtbot.waitUntil(lambda: window.demo_mark.is_demo is True)
        assert window.demo_mark.widget.isVisibleTo(window)
        assert window.demo_mark.remove_action.isVisible()
        assert "Ann Admin" in window.sidebar.footer.text()
        assert window.users_action.isVisible()
        users = window.open_users()
        qtbot.waitUntil(lambda: users.view.table.rowCount() == 1)  # type: ignore[attr-defined]
        _shot(users, "users_from_menu")
        users.close()
        _shot(window, "window_admin")
    finally:
        services.close()


def _login_driver(qtbot, attempts: list[str]) -> Callable[[QDialog], None]:  # type: ignore[no-untyped-def]
    """Types ``ray`` and each password in turn; waits for an error or the acceptance."""

    def drive(dialog: QDialog) -> None:
        assert isinstance(dialog, LoginDialog)
        dialog.show()
        for number, secret in enumerate(attempts):
            dialog.username.setText("ray")
            dialog.password.setText(secret)
            dialog.error.hide()
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
            qtbot.waitUntil(lambda: not dialog.error.isHidden()
                            or dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)
            if dialog.result() != QDialog.DialogCode.Accepted:
                _shot(dialog, f"login_refused_{number}")
                drive.errors.append(dialog.error.text())  # type: ignore[attr-defined]
                if number == len(attempts) - 1:
                    dialog.reject()

    drive.errors = []  # type: ignore[attr-defined]
    return drive


def test_wrong_password_then_right_opens_the_window_acting_as_that_user(
    qtbot, db_url: str, settings: QSettings, tmp_path: Path
) -> None:
    _admin_db(db_url)
    drive = _login_driver(qtbot, ["not-my-password", "rep-password-1"])
    services = AppServices.open(db_url, backup_dir=tmp_path / "b",
                                sign_in=dialog_sign_in(settings, show=drive))
    try:
        assert drive.errors == ["wrong user name or password"]  # type: ignore[attr-defined]
        assert services.ctx.actor.name == "Ray Rep"
        assert settings.value(LAST_USER_KEY) == "ray"
        assert gui.first_start(services, demo_chosen=True) is False  # a rep: the admin's call
        assert services.leads.count() == 0
        assert not app_settings.get(services.store, gui.FIRST_RUN_DONE, False)
        services.leads.create({"first_name": "Mine", "email": "mine@example.com"})
        window = _window(qtbot, services, settings)
        assert window.lead_count == 1
        assert "Ray Rep" in window.sidebar.footer.text()
        assert not window.users_action.isVisible()
        _shot(window, "window_rep")
    finally:
        services.close()


def test_lockout_says_when_to_try_again_and_cancel_opens_nothing(
    qtbot, db_url: str, settings: QSettings, tmp_path: Path
) -> None:
    _admin_db(db_url)
    drive = _login_driver(qtbot, ["wrong-one-1", "wrong-one-2", "rep-password-1"])
    throttle = passwords.LoginThrottle(free_failures=2)
    with pytest.raises(SignInCancelled):
        AppServices.open(db_url, backup_dir=tmp_path / "b",
                         sign_in=dialog_sign_in(settings, show=drive, throttle=throttle))
    errors = drive.errors  # type: ignore[attr-defined]
    assert errors[0] == "wrong user name or password"
    assert all("Try again after" in e for e in errors[2:]), errors
    assert "Too many failed attempts" in errors[-1]


def test_a_no_login_database_opens_as_the_local_admin_without_a_dialog(
    db_url: str, settings: QSettings, tmp_path: Path
) -> None:
    store = Store.open(db_url)
    migrate.upgrade(store.engine)
    auth.choose_no_login(store)
    store.dispose()

    def never(dialog: QDialog) -> None:
        raise AssertionError(f"no dialog expected, got {dialog}")

    services = AppServices.open(db_url, sign_in=dialog_sign_in(settings, show=never))
    try:
        assert services.ctx.actor.role.value == "admin"
    finally:
        services.close()


def test_a_team_member_signs_in_as_their_database_role(
    qtbot, pg_team: Team, settings: QSettings
) -> None:
    name = pg_team.names["rep_a"]

    def drive(dialog: QDialog) -> None:
        assert isinstance(dialog, LoginDialog)
        for secret in ("not-the-password", PASSWORD["rep_a"]):
            dialog.username.setText(name)
            dialog.password.setText(secret)
            dialog.error.hide()
            dialog.sign_in()
            qtbot.waitUntil(lambda: not dialog.error.isHidden()
                            or dialog.result() == QDialog.DialogCode.Accepted, timeout=20_000)
        assert dialog.result() == QDialog.DialogCode.Accepted

    member = team_sign_in(pg_team.url, settings, show=drive, where="team")
    services = AppServices(member.context())
    try:
        assert services.ctx.actor.id == pg_team.users["rep_a"].id
        window = _window(qtbot, services, settings)
        assert "Ada Rep" in window.sidebar.footer.text()
        assert not window.users_action.isVisible()
        window.close()
    finally:
        assert operations.wait_idle(20_000)  # the window's reads finish before the pool goes
        member.store.dispose()


def test_leaddesk_gui_first_run_then_the_window_as_the_admin(
    qtbot, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command's own wiring: the first-run dialog, an empty start, the window."""
    from leaddesk.cli import main
    from leaddesk.ui import app as ui_app
    from leaddesk.ui.auth import start

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstRunDialog)
        dialog.username.setText("boss")
        dialog.name.setText("Ann Admin")
        dialog.password.setText("first-admin-pw")
        dialog.confirm.setText("first-admin-pw")
        dialog.finish()
        qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10_000)

    opened: list[tuple[str, int, object]] = []

    def run_gui(services: AppServices, **kwargs: object) -> int:
        opened.append((services.ctx.actor.name, services.leads.count(), kwargs["add_demo"]))
        return 0

    real = start.dialog_sign_in
    monkeypatch.setattr(start, "dialog_sign_in", lambda settings, where="", choice=None: real(
        settings, show=fill, where=where, choice=choice))
    monkeypatch.setattr(ui_app, "run_gui", run_gui)
    monkeypatch.setattr(ui_app, "window_settings", lambda: QSettings(
        str(_SHOTS[0] / "ui.ini"), QSettings.Format.IniFormat))
    assert main(["--db", db_url, "gui"]) == 0
    assert opened == [("Ann Admin", 0, False)]  # started empty: no demo data unasked

    def cancel(dialog: QDialog) -> None:
        assert isinstance(dialog, LoginDialog)  # sign-in is required now
        dialog.reject()

    monkeypatch.setattr(start, "dialog_sign_in", lambda settings, where="", choice=None: real(
        settings, show=cancel, where=where, choice=choice))
    assert main(["--db", db_url, "gui"]) == 0  # cancelled: quits cleanly, no window
    assert len(opened) == 1


def test_connecting_to_a_team_database_moves_the_window_there(
    qtbot, db_url: str, settings: QSettings, tmp_path: Path
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from leaddesk.services.team.team_mode import TeamSession
    from leaddesk.services.team.users import ensure_local_user
    from leaddesk.ui.app import run_gui

    _admin_db(db_url)
    services = AppServices.open(db_url, backup_dir=tmp_path / "b",
                                sign_in=lambda s: auth.LoginService(s).login("boss",
                                                                            "first-admin-pw"))
    other = Store.open(f"sqlite:///{tmp_path / 'team.db'}")
    migrate.upgrade(other.engine)
    member = TeamSession(other, ensure_local_user(other))
    seen: list[str] = []

    def windows() -> list[MainWindow]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()]

    def connect_then_quit() -> None:
        [first] = windows()
        seen.append(first.sidebar.footer.text())
        first.teamConnected.emit(member)
        [second] = windows()
        seen.append(second.sidebar.footer.text())
        qtbot.waitUntil(lambda: second.lead_count is not None, timeout=10_000)
        QApplication.quit()

    QTimer.singleShot(0, connect_then_quit)
    try:
        assert run_gui(services, settings=settings, offer_demo=False) == 0
    finally:
        services.close()
        # The app's exec() ended by quit(): until exec() runs once more, later tests' event
        # loops (qtbot.wait, waitSignal) would return at once.
        QTimer.singleShot(0, lambda: QApplication.exit(0))
        QApplication.exec()
    assert "Ann Admin" in seen[0] and "Local user" in seen[1]

"""Sign-in dialog and the admin's user screen, against real services."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox

from leaddesk.channels.secrets import SecretStore
from leaddesk.services.app_services import AppServices
from leaddesk.services.context import ServiceContext
from leaddesk.services.team import auth, passwords
from leaddesk.services.team.users import UserService
from leaddesk.store import migrate
from leaddesk.store.database import Store
from leaddesk.ui.auth.first_run import FirstRunDialog
from leaddesk.ui.auth.login_dialog import LAST_USER_KEY, LoginDialog
from leaddesk.ui.auth.team_connect import TeamConnectDialog
from leaddesk.ui.auth.user_admin import UserAdminView
from leaddesk.ui.leads.model import LeadTableModel
from tests.support.memory_keyring import installed

SHOTS = Path(__file__).resolve().parent / "auth"


@pytest.fixture(autouse=True)
def _cheap_hashes() -> Iterator[None]:
    with passwords.hashing_parameters():
        yield


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'auth.db'}")
    migrate.upgrade(opened.engine)
    yield opened
    opened.dispose()


def _save(widget, name: str, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


def test_login_remembers_the_name_never_the_password(
    qtbot, store: Store, settings: QSettings, tmp_path: Path
) -> None:
    auth.create_first_admin(store, "boss", "Boss", "first-admin-pw")
    login = auth.LoginService(store).login
    dialog = LoginDialog(login, settings, where="leaddesk.db on this computer")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("boss")
    dialog.password.setText("not-the-password")
    dialog.sign_in()
    qtbot.waitUntil(lambda: not dialog.error.isHidden())
    assert "wrong user name or password" in dialog.error.text()
    assert dialog.password.text() == ""
    _save(dialog, "login_error", tmp_path)

    dialog.password.setText("first-admin-pw")
    with qtbot.waitSignal(dialog.signed_in) as signal:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert signal.args[0].role.value == "admin"
    assert settings.value(LAST_USER_KEY) == "boss"
    settings.sync()
    assert "first-admin-pw" not in Path(settings.fileName()).read_text("utf-8")

    again = LoginDialog(login, settings)
    qtbot.addWidget(again)
    assert again.username.text() == "boss" and again.password.text() == ""


def test_admin_adds_promotes_and_deactivates_users(
    qtbot, store: Store, tmp_path: Path
) -> None:
    admin = auth.create_first_admin(store, "boss", "Ann Admin", "first-admin-pw")
    users = UserService(ServiceContext(store, admin))
    users.add("mia", "Mia Manager", "manager", "manager-pw-1")
    view = UserAdminView(users)
    qtbot.addWidget(view)
    view.resize(900, 420)
    view.show()
    qtbot.waitUntil(lambda: view.table.rowCount() == 2)

    dialog = view.add_user()
    dialog.inputs["username"].setText("ray")
    dialog.inputs["name"].setText("Ray Rep")
    dialog.manager.setCurrentIndex(1)
    dialog.password.setText("short")
    dialog.confirm.setText("short")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.errors.shown()))
    assert "password" in dialog.errors.shown()
    dialog.password.setText("rep-password-1")
    dialog.confirm.setText("rep-password-1")
    dialog.submit()
    qtbot.waitUntil(lambda: view.table.rowCount() == 3)

    ray = users.by_username("ray")
    assert ray.manager_id == users.by_username("mia").id
    view.select_user(ray.id)
    view.toggle_active()
    qtbot.waitUntil(lambda: not users.by_username("ray").is_active)
    qtbot.waitUntil(lambda: view.active_button.text() == "Reactivate")
    view.select_user(users.by_username("mia").id)
    view.role_box.setCurrentIndex(view.role_box.findData("admin"))
    view.set_role()
    qtbot.waitUntil(lambda: users.by_username("mia").role == "admin")
    qtbot.waitUntil(lambda: view.table.item(1, 2).text() == "Admin")
    _save(view, "user_admin", tmp_path)


def test_a_rep_sees_the_refusal_on_the_user_screen(qtbot, store: Store) -> None:
    admin = auth.create_first_admin(store, "boss", "Boss", "first-admin-pw")
    UserService(ServiceContext(store, admin)).add("ray", "Ray", "rep", "rep-password-1")
    rep = auth.LoginService(store).login("ray", "rep-password-1")
    view = UserAdminView(UserService(ServiceContext(store, rep)))
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.table.rowCount() == 2)
    view.select_user(admin.id)
    view.toggle_active()
    qtbot.waitUntil(lambda: not view.message.isHidden())
    assert "not allowed" in view.message.text.text()


def test_first_run_creates_the_admin(qtbot, store: Store, tmp_path: Path) -> None:
    dialog = FirstRunDialog(lambda u, n, p: auth.create_first_admin(store, u, n, p),
                            lambda: auth.choose_no_login(store))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("boss")
    dialog.name.setText("The Boss")
    dialog.password.setText("first-admin-pw")
    dialog.confirm.setText("first-admin-pw")
    with qtbot.waitSignal(dialog.done) as signal:
        dialog.finish()
    assert signal.args[0].role.value == "admin"
    assert auth.login_mode(store) is auth.LoginMode.PASSWORD
    _save(dialog, "first_run", tmp_path)


def test_first_run_can_choose_no_login(qtbot, store: Store) -> None:
    dialog = FirstRunDialog(lambda u, n, p: auth.create_first_admin(store, u, n, p),
                            lambda: auth.choose_no_login(store))
    qtbot.addWidget(dialog)
    dialog.without_login.setChecked(True)
    assert not dialog.form.isEnabled()
    with qtbot.waitSignal(dialog.done):
        dialog.finish()
    assert auth.login_mode(store) is auth.LoginMode.NONE


def test_team_connect_reports_an_unreachable_server_and_stores_nothing(
    qtbot, settings: QSettings, tmp_path: Path
) -> None:
    with installed() as keyring:
        dialog = TeamConnectDialog(settings, SecretStore(keyring))
        qtbot.addWidget(dialog)
        dialog.host.setText("127.0.0.1")
        dialog.port.setValue(_closed_port())
        dialog.user.setText("ray")
        dialog.password.setText("rep-password-1")
        dialog.tls.setCurrentIndex(dialog.tls.findData("disable"))
        dialog.test()
        qtbot.waitUntil(lambda: not dialog.status.isHidden(), timeout=15_000)
        assert "cannot reach" in dialog.status.text()
        assert keyring.secrets == {}
        assert settings.value("team_database/host") is None
        _save(dialog, "team_connect", tmp_path)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_lead_table_model_of_a_rep_shows_only_their_leads(qtbot, store: Store) -> None:
    admin = auth.create_first_admin(store, "boss", "Boss", "first-admin-pw")
    users = UserService(ServiceContext(store, admin))
    for name in ("ray", "kim"):
        users.add(name, name.title(), "rep", f"{name}-password-1")
    login = auth.LoginService(store)
    ray = AppServices(ServiceContext(store, login.login("ray", "ray-password-1")))
    kim = AppServices(ServiceContext(store, login.login("kim", "kim-password-1")))
    for i in range(3):
        kim.leads.create({"first_name": f"Kim lead {i}", "email": f"k{i}@k.example"})
    ray.leads.create({"first_name": "Ray lead", "email": "r@r.example"})

    model = LeadTableModel(ray.leads)
    with qtbot.waitSignal(model.totalChanged, timeout=10_000):
        model.refresh()
    qtbot.waitUntil(lambda: model.rowCount() == 1)
    shown = {str(model.index(0, c).data()) for c in range(model.columnCount())}
    assert "Ray lead" in " ".join(shown) and not any("Kim" in s for s in shown)

"""Users and sign-in on a local database: first run, modes, login, back-off, rehash, admin work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import PermissionDeniedError, ValidationError
from leaddesk.services.team import auth, passwords
from leaddesk.services.team.users import UserService
from leaddesk.store import migrate
from leaddesk.store.database import Store
from leaddesk.store.models import User


@pytest.fixture(autouse=True)
def _cheap_hashes() -> Iterator[None]:
    with passwords.hashing_parameters():
        yield


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'users.db'}")
    migrate.upgrade(opened.engine)
    yield opened
    opened.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def test_first_run_creates_the_admin_and_requires_sign_in(store: Store) -> None:
    assert auth.needs_first_run(store)
    assert auth.current_actor(store) is None

    admin = auth.create_first_admin(store, "Boss", "The Boss", "first-admin-pw")

    assert admin.role.value == "admin"
    assert auth.login_mode(store) is auth.LoginMode.PASSWORD
    assert auth.current_actor(store) is None  # nobody acts without signing in
    assert auth.LoginService(store).login("boss", "first-admin-pw").id == admin.id
    with pytest.raises(PermissionDeniedError):
        auth.create_first_admin(store, "other", "Other", "another-admin-pw")
    with pytest.raises(PermissionDeniedError):
        auth.choose_no_login(store)


def test_no_login_on_this_computer_is_an_explicit_stored_choice(store: Store) -> None:
    actor = auth.choose_no_login(store)

    assert auth.login_mode(store) is auth.LoginMode.NONE
    assert auth.current_actor(store) == actor
    ctx = ServiceContext(store, actor)
    with pytest.raises(ValidationError, match="password"):
        auth.set_login_mode(ctx, auth.LoginMode.PASSWORD)  # no admin with a password yet
    UserService(ctx).reset_password(actor.id, "now-with-a-pw")
    auth.set_login_mode(ctx, auth.LoginMode.PASSWORD)
    assert auth.login_mode(store) is auth.LoginMode.PASSWORD


def test_wrong_passwords_back_off_and_a_good_one_resets(store: Store) -> None:
    auth.create_first_admin(store, "boss", "Boss", "first-admin-pw")
    clock = Clock()
    login = auth.LoginService(
        store, passwords.LoginThrottle(free_failures=3, base_delay=dt.timedelta(seconds=30),
                                       clock=clock)
    )
    for _ in range(3):
        with pytest.raises(auth.LoginFailedError):
            login.login("boss", "wrong-password")
    with store.read() as session:
        user = session.query(User).filter_by(username="boss").one()
        user_failed_at = user.last_failed_login_at
    assert user_failed_at is not None
    clock.now = user_failed_at + dt.timedelta(seconds=5)
    with pytest.raises(auth.LoginLockedError):
        login.login("boss", "first-admin-pw")  # even the right password waits

    clock.now = user_failed_at + dt.timedelta(seconds=31)
    assert login.login("boss", "first-admin-pw").role.value == "admin"
    with store.read() as session:
        assert session.query(User).filter_by(username="boss").one().failed_logins == 0


def test_unknown_users_and_inactive_users_get_the_same_answer(store: Store) -> None:
    admin = auth.create_first_admin(store, "boss", "Boss", "first-admin-pw")
    users = UserService(ServiceContext(store, admin))
    rep = users.add("rep", "Rep", "rep", "rep-password-1")
    users.set_active(rep.id, False)
    login = auth.LoginService(store)

    for name, password in (("nobody", "whatever-pw"), ("rep", "rep-password-1"),
                           ("boss", "not-the-pw")):
        with pytest.raises(auth.LoginFailedError, match="wrong user name or password"):
            login.login(name, password)


def test_a_login_rehashes_with_new_parameters(store: Store) -> None:
    with passwords.hashing_parameters(time_cost=1, memory_cost_kib=8):
        auth.create_first_admin(store, "boss", "Boss", "first-admin-pw")
    with store.read() as session:
        old = session.query(User).filter_by(username="boss").one().password_hash
    with passwords.hashing_parameters(time_cost=2, memory_cost_kib=16):
        assert passwords.needs_rehash(old)
        auth.LoginService(store).login("boss", "first-admin-pw")
        with store.read() as session:
            new = session.query(User).filter_by(username="boss").one().password_hash
        assert new != old and not passwords.needs_rehash(new)


def test_admin_manages_users_and_every_change_is_audited(store: Store) -> None:
    admin = auth.create_first_admin(store, "boss", "Boss", "first-admin-pw")
    app = AppServices(ServiceContext(store, admin))
    users = UserService(app.ctx)
    manager = users.add("mia", "Mia", "manager", "manager-pw-1")
    rep = users.add("ray", "Ray", "rep", "rep-password-1", manager_id=manager.id)

    assert [u.username for u in users.list()] == ["boss", "mia", "ray"]
    assert users.set_role(rep.id, "manager").role == "manager"
    assert not users.set_active(rep.id, False).is_active
    users.reset_password(manager.id, "manager-pw-2")
    assert auth.LoginService(store).login("mia", "manager-pw-2").id == manager.id
    with pytest.raises(ValidationError, match="taken"):
        users.add("mia", "Mia again", "rep", "whatever-pw-1")
    with pytest.raises(ValidationError, match="last active admin"):
        users.set_role(admin.id, "rep")
    with pytest.raises(ValidationError, match="at least"):
        users.add("shorty", "Short", "rep", "short")

    actions = [(a.action, a.entity_type) for a in app.activity.recent(limit=50)]
    assert actions.count(("create", "user")) >= 3
    assert ("password", "user") in actions
    assert all("manager-pw" not in repr(a) for a in app.activity.recent(limit=50))


def test_a_rep_changes_only_their_own_password(store: Store) -> None:
    admin = auth.create_first_admin(store, "boss", "Boss", "first-admin-pw")
    rep = UserService(ServiceContext(store, admin)).add("ray", "Ray", "rep", "rep-password-1")
    login = auth.LoginService(store)
    ctx = ServiceContext(store, login.login("ray", "rep-password-1"))

    with pytest.raises(ValidationError, match="old_password"):
        login.change_own_password(ctx, "not-it-at-all", "rep-password-2")
    login.change_own_password(ctx, "rep-password-1", "rep-password-2")
    assert login.login("ray", "rep-password-2").id == rep.id
    with pytest.raises(PermissionDeniedError):
        UserService(ctx).reset_password(admin.id, "taken-over-pw")

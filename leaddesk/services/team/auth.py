"""Signing in on a local (SQLite) database, and how this computer signs in at all.

Two explicit, stored modes (``app_settings`` key ``login_mode``):

- ``password``: people sign in with a user name and password (Argon2id hashes, rehashed on the
  next good login when the parameters change, back-off after repeated failures);
- ``none``: "no login on this computer": the OS account is trusted and acts as the local admin.

A new database has no mode; the first run either creates the admin (``create_first_admin``) or
chooses ``none`` (``choose_no_login``). Team databases sign in as database roles instead
(``leaddesk.services.team.team_mode``). Every outcome is audited; a password never is.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from leaddesk.services import activity, settings
from leaddesk.services.context import Actor, ServiceContext
from leaddesk.services.errors import PermissionDeniedError, ValidationError
from leaddesk.services.team import passwords, team_mode
from leaddesk.services.team.users import (
    LOGIN_MODE,
    UserService,
    check_password,
    clean_username,
    ensure_local_user,
    team_database,
)
from leaddesk.store.database import Store
from leaddesk.store.enums import LoginMode, Role
from leaddesk.store.models import User
from leaddesk.store.types import utcnow


class LoginFailedError(PermissionDeniedError):
    """Wrong user name or password (which of them is never said)."""

    def __init__(self) -> None:
        super().__init__("wrong user name or password")


class LoginLockedError(PermissionDeniedError):
    """Too many failed attempts: the next one is allowed at ``retry_at``."""

    def __init__(self, retry_at: dt.datetime) -> None:
        super().__init__(f"too many failed sign-ins: try again after {retry_at:%H:%M:%S} UTC")
        self.retry_at = retry_at


def login_mode(store: Store) -> LoginMode | None:
    """The stored mode, or ``None`` on a database that has not been through its first run."""
    value = settings.get(store, LOGIN_MODE)
    return LoginMode(value) if value else None


def set_login_mode(ctx: ServiceContext, mode: LoginMode) -> None:
    """Switch modes (admins only); ``password`` needs an active admin with a password."""
    with ctx.store.read() as session:
        me = session.get(User, ctx.actor.id)
        if me is None or me.role is not Role.ADMIN:
            raise PermissionDeniedError("only an admin changes how this computer signs in")
        if mode is LoginMode.PASSWORD and not session.scalar(
            select(func.count()).select_from(User).where(
                User.role == Role.ADMIN, User.is_active, User.password_hash.is_not(None)
            )
        ):
            raise ValidationError("login_mode", "first give an admin a password")
    settings.put(ctx.store, LOGIN_MODE, mode.value)
    with ctx.store.write() as session:
        activity.record(session, ctx.actor.id, "update", "settings", LOGIN_MODE,
                        summary=f"sign-in mode set to {mode.value}",
                        changes={LOGIN_MODE: [None, mode.value]})


def needs_first_run(store: Store) -> bool:
    return login_mode(store) is None


def create_first_admin(store: Store, username: str, name: str, password: str) -> Actor:
    """The first run's admin, and the ``password`` mode; refused once a mode is chosen."""
    check_password(password)
    username = clean_username(username)
    if not needs_first_run(store):
        raise PermissionDeniedError("this database already has its sign-in set up")
    with store.write() as session:
        user = User(username=username, name=name.strip() or username, role=Role.ADMIN,
                    password_hash=passwords.hash_password(password))
        session.add(user)
        session.flush()
        activity.record(session, user.id, "create", "user", user.id,
                        summary=f"first run: admin {username} created")
        actor = Actor(user.id, user.name, user.role)
    settings.put(store, LOGIN_MODE, LoginMode.PASSWORD.value)
    return actor


def choose_no_login(store: Store) -> Actor:
    """The first run's other choice: trust the OS account ("no login on this computer")."""
    if not needs_first_run(store):
        raise PermissionDeniedError("this database already has its sign-in set up")
    actor = ensure_local_user(store)
    settings.put(store, LOGIN_MODE, LoginMode.NONE.value)
    with store.write() as session:
        activity.record(session, actor.id, "update", "settings", LOGIN_MODE,
                        summary="first run: no login on this computer",
                        changes={LOGIN_MODE: [None, LoginMode.NONE.value]})
    return actor


def current_actor(store: Store) -> Actor | None:
    """Who acts without signing in: the local admin in ``none`` mode, else nobody."""
    return ensure_local_user(store) if login_mode(store) is LoginMode.NONE else None


class LoginService:
    """Checks passwords against ``users`` on a system (unscoped) store."""

    def __init__(
        self, store: Store, throttle: passwords.LoginThrottle | None = None
    ) -> None:
        self._store = store
        self.throttle = throttle or passwords.LoginThrottle()

    def login(self, username: str, password: str) -> Actor:
        """The signed-in actor, or LoginFailedError / LoginLockedError (both audited)."""
        name = (username or "").strip().lower()
        locked: LoginLockedError | None = None
        with self._store.write() as session:
            user = session.scalar(select(User).where(User.username == name))
            if user is not None:
                decision = self.throttle.check(user.failed_logins, user.last_failed_login_at)
                if not decision.allowed:
                    assert decision.retry_at is not None
                    activity.record(session, user.id, "login_locked", "user", user.id,
                                    summary=f"sign-in refused while locked: {name}")
                    locked = LoginLockedError(decision.retry_at)
            ok = passwords.verify_password(
                user.password_hash if user is not None else None, password
            )
            if user is None:
                activity.record(session, None, "login_failed", "user", "",
                                summary=f"sign-in as unknown user {name[:100]!r}")
            elif locked is not None:
                pass
            elif not ok or not user.is_active:
                user.failed_logins += 1
                user.last_failed_login_at = utcnow()
                activity.record(session, user.id, "login_failed", "user", user.id,
                                summary=f"failed sign-in {user.failed_logins} for {name}")
            else:
                assert user.password_hash is not None
                if passwords.needs_rehash(user.password_hash):
                    user.password_hash = passwords.hash_password(password)
                user.failed_logins = 0
                user.last_failed_login_at = None
                user.last_login_at = utcnow()
                activity.record(session, user.id, "login", "user", user.id,
                                summary=f"{name} signed in")
                return Actor(user.id, user.name, user.role)
        if locked is not None:
            raise locked
        raise LoginFailedError()

    def change_own_password(self, ctx: ServiceContext, old: str, new: str) -> None:
        """A user's own change: the old password first (then the same path as a reset). On a
        team database PostgreSQL checks the old one (a fresh connection as the user's role) and
        the new one becomes the role's password."""
        if team_database(ctx.store):
            ok = team_mode.password_works(ctx.store, old)
        else:
            with self._store.read() as session:
                user = session.get(User, ctx.actor.id)
                stored = user.password_hash if user is not None else None
            ok = passwords.verify_password(stored, old)
        if not ok:
            raise ValidationError("old_password", "is not the current password")
        UserService(ctx).reset_password(ctx.actor.id, new)

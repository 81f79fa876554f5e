"""Users: the team's people, their roles and passwords.

Who may do what is not decided here: a non-admin's attempt to add, deactivate or promote anyone
(themselves included) is refused by the store's scope check, audited, and raised as
``PermissionDeniedError``. On a PostgreSQL team database every user is also a database role
(``leaddesk.store.postgres_security``), created, disabled and re-passworded in the same
transaction as the ``users`` row.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.services import activity, settings
from leaddesk.services.context import Actor, ServiceContext
from leaddesk.services.errors import NotFoundError, PermissionDeniedError, ValidationError
from leaddesk.services.team import passwords
from leaddesk.services.validation import normalize_email, parse_choice, require_text
from leaddesk.store import postgres_security
from leaddesk.store.database import Store
from leaddesk.store.enums import Role
from leaddesk.store.models import User
from leaddesk.store.types import utcnow

LOCAL_USERNAME = "local"
MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as plain data; never carries the password hash."""

    id: uuid.UUID
    username: str
    name: str
    email: str
    role: str
    manager_id: uuid.UUID | None
    is_active: bool
    has_password: bool
    last_login_at: dt.datetime | None
    created_at: dt.datetime


def to_user_record(user: User) -> UserRecord:
    return UserRecord(
        id=user.id, username=user.username, name=user.name, email=user.email,
        role=user.role.value, manager_id=user.manager_id, is_active=user.is_active,
        has_password=user.password_hash is not None, last_login_at=user.last_login_at,
        created_at=user.created_at,
    )


def clean_username(value: str) -> str:
    username = (value or "").strip().lower()
    if not _USERNAME.match(username):
        raise ValidationError(
            "username", f"{value!r}: use 1-60 of a-z, 0-9, '.', '_', '-' (starting alphanumeric)"
        )
    return username


def check_password(password: str, field: str = "password") -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(field, f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise ValidationError(field, "must be at most 1024 characters")
    return password


#: ``app_settings`` key of the sign-in mode (see ``leaddesk.services.team.auth``).
LOGIN_MODE = "login_mode"


def ensure_local_user(store: Store) -> Actor:
    """The OS account's user ("no login on this computer" mode), created on first start.

    Refused once the database requires sign-in: then nobody acts without a password.
    """
    if settings.get(store, LOGIN_MODE) == "password":
        raise PermissionDeniedError(
            "this database requires sign-in: add --as USER (the password is asked for, or "
            "read with --password-stdin)"
        )
    stmt = select(User).where(User.username == LOCAL_USERNAME)
    with store.read() as session:
        user = session.scalar(stmt)
        if user is not None:
            return Actor(user.id, user.name, user.role)
    with store.write() as session:
        user = session.scalar(stmt)
        if user is None:
            user = User(name="Local user", username=LOCAL_USERNAME, role=Role.ADMIN)
            session.add(user)
            session.flush()
        return Actor(user.id, user.name, user.role)


def team_database(store: Store) -> bool:
    """Whether ``db team-setup`` made this a PostgreSQL team database (users are roles)."""
    return store.dialect == "postgresql" and bool(settings.get(store, TEAM_DATABASE, False))


TEAM_DATABASE = "team_database"


class UserService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- reads -------------------------------------------------------------------------------
    def list(self, include_inactive: bool = True) -> list[UserRecord]:
        stmt = select(User).order_by(User.username)
        if not include_inactive:
            stmt = stmt.where(User.is_active)
        with self._ctx.store.read() as session:
            return [to_user_record(u) for u in session.scalars(stmt)]

    def get(self, user_id: uuid.UUID) -> UserRecord:
        with self._ctx.store.read() as session:
            return to_user_record(self._user(session, user_id))

    def by_username(self, username: str) -> UserRecord:
        with self._ctx.store.read() as session:
            user = session.scalar(select(User).where(User.username == clean_username(username)))
            if user is None:
                raise NotFoundError("user", username)
            return to_user_record(user)

    @staticmethod
    def _user(session: Session, user_id: uuid.UUID) -> User:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError("user", user_id)
        return user

    # -- writes ------------------------------------------------------------------------------
    def add(
        self,
        username: str,
        name: str,
        role: str = Role.REP,
        password: str | None = None,
        email: str = "",
        manager_id: uuid.UUID | None = None,
    ) -> UserRecord:
        """A new user; on a team database also their login role (``password`` required)."""
        values = {
            "username": clean_username(username),
            "name": require_text(name, "name", 200),
            "role": parse_choice(Role, role, "role"),
            "email": normalize_email(email or "", "email"),
            "manager_id": manager_id,
        }
        team = team_database(self._ctx.store)
        if password is not None:
            check_password(password)
        elif team:
            raise ValidationError("password", "a team database user needs a password")
        with self._ctx.store.write() as session:
            if session.scalar(select(User.id).where(User.username == values["username"])):
                raise ValidationError("username", f"{values['username']!r} is taken")
            if manager_id is not None:
                self._check_manager(session, manager_id)
            user = User(**values)
            if password is not None and not team:
                user.password_hash = passwords.hash_password(password)
            session.add(user)
            session.flush()
            if team:
                assert password is not None
                postgres_security.create_login(session, user.username, password, user.role.value)
            activity.record(
                session, self._ctx.actor.id, "create", "user", user.id,
                summary=f"added {user.role.value} {user.username}",
                changes=activity.diff({}, values),
            )
            return to_user_record(user)

    def set_role(
        self, user_id: uuid.UUID, role: str, manager_id: uuid.UUID | None = None
    ) -> UserRecord:
        new_role = parse_choice(Role, role, "role")
        with self._ctx.store.write() as session:
            user = self._user(session, user_id)
            before = {"role": user.role, "manager_id": user.manager_id}
            user.role = new_role
            user.manager_id = manager_id
            user.updated_at = utcnow()
            changed = activity.diff(before, {"role": new_role, "manager_id": manager_id})
            session.flush()  # the scope check first, before any rule or database role change
            if manager_id is not None:
                self._check_manager(session, manager_id)
            if before["role"] is Role.ADMIN and new_role is not Role.ADMIN:
                self._keep_an_admin(session, user.id)
            if changed:
                if team_database(self._ctx.store):
                    postgres_security.set_login_role(session, user.username, new_role.value)
                activity.record(session, self._ctx.actor.id, "update", "user", user.id,
                                summary=f"{user.username} is now {new_role.value}",
                                changes=changed)
            session.flush()
            return to_user_record(user)

    def set_active(self, user_id: uuid.UUID, active: bool) -> UserRecord:
        """Deactivate (their sessions stop at their next query) or reactivate a user."""
        with self._ctx.store.write() as session:
            user = self._user(session, user_id)
            user.updated_at = utcnow()
            session.flush()  # the scope check first
            if not active and user.role is Role.ADMIN:
                self._keep_an_admin(session, user.id)
            if user.is_active != active:
                user.is_active = active
                session.flush()
                if team_database(self._ctx.store):
                    postgres_security.set_login_enabled(session, user.username, active)
                activity.record(
                    session, self._ctx.actor.id, "update", "user", user.id,
                    summary=f"{'reactivated' if active else 'deactivated'} {user.username}",
                    changes={"is_active": [not active, active]},
                )
            session.flush()
            return to_user_record(user)

    def reset_password(self, user_id: uuid.UUID, password: str) -> None:
        """Set a user's password (an admin's reset, or a user's own change)."""
        check_password(password)
        with self._ctx.store.write() as session:
            user = self._user(session, user_id)
            user.failed_logins = 0
            user.last_failed_login_at = None
            user.updated_at = utcnow()  # a change the scope check sees even on a team database
            if team_database(self._ctx.store):
                session.flush()
                postgres_security.set_login_password(session, user.username, password)
            else:
                user.password_hash = passwords.hash_password(password)
            activity.record(session, self._ctx.actor.id, "password", "user", user.id,
                            summary=f"set the password of {user.username}",
                            changes={"password": ["***", "***"]})

    def drop_login(self, user_id: uuid.UUID) -> UserRecord:
        """Deactivate a user and, on a team database, drop their database role."""
        record = self.set_active(user_id, False)
        if team_database(self._ctx.store):
            with self._ctx.store.write() as session:
                self._user(session, user_id)
                postgres_security.drop_login(session, record.username)
                activity.record(session, self._ctx.actor.id, "delete", "user_login", user_id,
                                summary=f"dropped the database login of {record.username}")
        return record

    # -- rules -------------------------------------------------------------------------------
    @staticmethod
    def _check_manager(session: Session, manager_id: uuid.UUID) -> None:
        manager = session.get(User, manager_id)
        if manager is None or manager.role is not Role.MANAGER:
            raise ValidationError("manager_id", f"{manager_id} is not a manager")

    @staticmethod
    def _keep_an_admin(session: Session, leaving: uuid.UUID) -> None:
        others = session.scalar(
            select(User.id).where(User.role == Role.ADMIN, User.is_active, User.id != leaving)
        )
        if others is None:
            raise ValidationError("role", "the last active admin cannot be demoted or deactivated")

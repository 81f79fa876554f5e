"""PostgreSQL team mode: setting a database up for a team, and signing in to it.

On a team database each user connects as their own database role, so PostgreSQL itself checks
the password and row-level security holds even outside the app. ``setup_team`` is the admin's
one-off step after ``leaddesk db upgrade``; ``connect`` is every user's sign-in, and
``check_connection`` turns what can go wrong into one clear sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from leaddesk.services import activity, settings
from leaddesk.services.context import Actor, ServiceContext
from leaddesk.services.credits import postgres_ledger
from leaddesk.services.errors import ServiceError
from leaddesk.services.team.users import TEAM_DATABASE, check_password, clean_username
from leaddesk.store import migrate, postgres_privileges, postgres_security
from leaddesk.store.database import Store
from leaddesk.store.enums import Role
from leaddesk.store.models import User


class TeamConnectionError(ServiceError):
    """Why a team database cannot be used; ``kind`` is one of the constants below."""

    UNREACHABLE = "unreachable"
    BAD_PASSWORD = "bad_password"
    NO_DATABASE = "no_database"
    WRONG_SCHEMA = "wrong_schema"
    NOT_A_TEAM_DATABASE = "not_a_team_database"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class TeamSession:
    """A signed-in team member: their store (connected as their role) and who they are."""

    store: Store
    actor: Actor

    def context(self) -> ServiceContext:
        return ServiceContext(self.store, self.actor)


def user_url(url: str, username: str, password: str) -> str:
    """The team database's URL for one user's own role."""
    parsed = make_url(url).set(
        username=postgres_security.role_name(clean_username(username)), password=password
    )
    return parsed.render_as_string(hide_password=False)


def _classify(exc: BaseException) -> TeamConnectionError:
    text = str(getattr(exc, "orig", None) or exc)
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        return TeamConnectionError(
            TeamConnectionError.BAD_PASSWORD, "wrong user name or password for the team database"
        )
    if "does not exist" in low and "database" in low:
        return TeamConnectionError(
            TeamConnectionError.NO_DATABASE, "the server has no database of that name"
        )
    if "not permitted to log in" in low:
        return TeamConnectionError(
            TeamConnectionError.BAD_PASSWORD, "this user's sign-in is disabled: ask your admin"
        )
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return TeamConnectionError(
        TeamConnectionError.UNREACHABLE,
        f"cannot reach the team database server (check host, port and network): {first}",
    )


def check_connection(store: Store) -> str:
    """The server's schema revision, or TeamConnectionError saying what is wrong."""
    import psycopg  # only a team database gets here: a SQLite user never loads the driver

    try:
        state = migrate.schema_state(store.engine)
    except (OperationalError, psycopg.OperationalError) as exc:
        raise _classify(exc) from None
    except DBAPIError as exc:  # e.g. no right to read the schema version: not set up
        raise TeamConnectionError(
            TeamConnectionError.NOT_A_TEAM_DATABASE,
            "this database is not set up for a team: ask your admin to run "
            f"`leaddesk db team-setup` ({str(exc.orig).splitlines()[0]})",
        ) from None
    if not state.up_to_date:
        found = state.current or "no LeadDesk schema"
        raise TeamConnectionError(
            TeamConnectionError.WRONG_SCHEMA,
            f"the team database is at schema {found}, this LeadDesk needs {state.head}: "
            + ("update LeadDesk" if state.current and state.current > state.head
               else "ask your admin to run `leaddesk db upgrade`"),
        )
    return state.head


def connect(url: str, username: str, password: str) -> TeamSession:
    """Sign in to a team database as ``username``'s own role (the caller closes the store)."""
    store = Store.open(user_url(url, username, password), connect_args={"connect_timeout": 10})
    try:
        check_connection(store)
        with store.read() as session:
            user_id = session.connection().exec_driver_sql(
                "SELECT public.leaddesk_uid()"
            ).scalar()
            user = session.get(User, user_id) if user_id is not None else None
            if user is None:
                raise TeamConnectionError(
                    TeamConnectionError.NOT_A_TEAM_DATABASE,
                    f"{username} is not an active user of this team database",
                )
            actor = Actor(user.id, user.name, user.role)
    except DBAPIError as exc:
        store.dispose()
        raise _classify(exc) from None
    except BaseException:
        store.dispose()
        raise
    return TeamSession(store, actor)


def password_works(store: Store, password: str) -> bool:
    """Whether ``password`` signs in as the role ``store`` is connected as (a fresh connection;
    the store's own pool is not touched)."""
    probe = create_engine(store.engine.url.set(password=password), poolclass=NullPool,
                          connect_args={"connect_timeout": 10})
    try:
        with probe.connect():
            return True
    except OperationalError as exc:
        if _classify(exc).kind == TeamConnectionError.BAD_PASSWORD:
            return False
        raise _classify(exc) from None
    finally:
        probe.dispose()


def setup_team(url: str, admin_username: str, admin_password: str, admin_name: str = "") -> Actor:
    """Make a migrated PostgreSQL database a team database; ``url`` is a superuser's.

    Creates (or re-passwords) the admin's own login role and LeadDesk admin user; re-running
    after an upgrade re-applies ownership, grants and policies.
    """
    check_password(admin_password)
    username = clean_username(admin_username)
    store = Store.open(url)
    try:
        if store.dialect != "postgresql":
            raise ServiceError("team databases are PostgreSQL databases")
        state = migrate.schema_state(store.engine)
        if not state.up_to_date:
            raise TeamConnectionError(
                TeamConnectionError.WRONG_SCHEMA,
                f"schema {state.current or 'missing'}: run `leaddesk db upgrade` first",
            )
        postgres_security.team_setup(store.engine, postgres_ledger.FUNCTIONS)
        with store.write() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                user = User(username=username, name=admin_name or username, role=Role.ADMIN)
                session.add(user)
                session.flush()
            elif user.role is not Role.ADMIN or not user.is_active:
                raise ServiceError(f"{username} exists and is not an active admin")
            user.password_hash = None  # the database checks team passwords
            if postgres_security.login_exists(session, username):
                postgres_security.set_login_password(session, username, admin_password)
                postgres_security.set_login_role(session, username, Role.ADMIN.value)
            else:
                postgres_security.create_login(session, username, admin_password, "admin")
            activity.record(session, user.id, "team_setup", "database", "",
                            summary=f"team database set up; admin {username}")
            actor = Actor(user.id, user.name, user.role)
        settings.put(store, TEAM_DATABASE, True)
        return actor
    finally:
        store.dispose()


def privileges_wider_than_model(store: Store) -> list[str]:
    """Every grant, owner or policy setting of the team database wider than the privilege
    model (``store.postgres_privileges``), one line each; empty when it holds. Any member
    can ask: the catalog is readable by all."""
    with store.read() as session:
        conn = session.connection()
        return postgres_privileges.team_check(conn, postgres_security.app_tables(conn))

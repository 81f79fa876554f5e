"""A team of four on SQLite and on PostgreSQL: an admin, a manager, rep A (the manager's) and
rep B. On PostgreSQL the database is a real team database and every member's services connect
as their own database role, so both walls (ORM scope and row-level security) are under test.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from leaddesk.services.app_services import AppServices
from leaddesk.services.context import ServiceContext
from leaddesk.services.team import passwords
from leaddesk.services.team.auth import LoginService, create_first_admin
from leaddesk.services.team.team_mode import TeamSession, connect, setup_team
from leaddesk.services.team.users import UserRecord, UserService
from leaddesk.store import migrate
from leaddesk.store.database import Store
from leaddesk.store.postgres_security import role_name

PASSWORD = {"admin": "admin-secret-1", "manager": "manager-secret-1",
            "rep_a": "rep-a-secret-1", "rep_b": "rep-b-secret-1"}


@dataclass
class Team:
    backend: str
    url: str  # the URL members connect with (no user for PostgreSQL)
    names: dict[str, str]
    users: dict[str, UserRecord] = field(default_factory=dict)
    apps: dict[str, AppServices] = field(default_factory=dict)
    sessions: list[TeamSession] = field(default_factory=list)
    pg_conninfo: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, who: str) -> AppServices:
        return self.apps[who]


@pytest.fixture(autouse=True)
def _cheap_hashes() -> Iterator[None]:
    with passwords.hashing_parameters():
        yield


def _names() -> dict[str, str]:
    suffix = secrets.token_hex(3)
    return {who: f"{who.replace('_', '-')}-{suffix}" for who in PASSWORD}


def _add_members(team: Team, admin: AppServices) -> None:
    users = UserService(admin.ctx)
    team.users["manager"] = users.add(team.names["manager"], "Mia Manager", "manager",
                                      PASSWORD["manager"])
    team.users["rep_a"] = users.add(team.names["rep_a"], "Ada Rep", "rep", PASSWORD["rep_a"],
                                    manager_id=team.users["manager"].id)
    team.users["rep_b"] = users.add(team.names["rep_b"], "Ben Rep", "rep", PASSWORD["rep_b"])


@contextlib.contextmanager
def _sqlite_team(tmp_path: Path) -> Iterator[Team]:
    url = f"sqlite:///{tmp_path / 'team.db'}"
    store = Store.open(url)
    migrate.upgrade(store.engine)
    team = Team("sqlite", url, _names())
    try:
        admin_actor = create_first_admin(store, team.names["admin"], "Ann Admin",
                                         PASSWORD["admin"])
        team.apps["admin"] = AppServices(ServiceContext(store, admin_actor))
        team.users["admin"] = UserService(team.apps["admin"].ctx).get(admin_actor.id)
        _add_members(team, team.apps["admin"])
        login = LoginService(store)
        for who in ("manager", "rep_a", "rep_b"):
            actor = login.login(team.names[who], PASSWORD[who])
            team.apps[who] = AppServices(ServiceContext(store, actor))
        yield team
    finally:
        store.dispose()


@contextlib.contextmanager
def _postgres_team(request: pytest.FixtureRequest) -> Iterator[Team]:
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_team_template")
    database = f"leaddesk_team_{secrets.token_hex(6)}"
    server._admin(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
        sql.Identifier(database), sql.Identifier(template)))
    super_url = server.url_for(database)
    member_url = server.url_for(database).replace(
        f"{server.user}:{server.password}@", ""
    )
    team = Team("postgresql", member_url, _names())
    try:
        setup_team(super_url, team.names["admin"], PASSWORD["admin"], "Ann Admin")
        admin = connect(member_url, team.names["admin"], PASSWORD["admin"])
        team.sessions.append(admin)
        team.apps["admin"] = AppServices(admin.context())
        team.users["admin"] = UserService(team.apps["admin"].ctx).get(admin.actor.id)
        _add_members(team, team.apps["admin"])
        for who in ("manager", "rep_a", "rep_b"):
            member = connect(member_url, team.names[who], PASSWORD[who])
            team.sessions.append(member)
            team.apps[who] = AppServices(member.context())
        for who in PASSWORD:
            team.pg_conninfo[who] = server.conninfo(
                database, user=role_name(team.names[who]), password=PASSWORD[who]
            )
        team.pg_conninfo["superuser"] = server.conninfo(database)
        yield team
    finally:
        for member in team.sessions:
            member.store.dispose()
        with contextlib.suppress(psycopg.Error):
            server.drop_database(database)
        with psycopg.connect(server.conninfo(), autocommit=True) as conn:
            for name in team.names.values():
                conn.execute(
                    sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role_name(name)))
                )


@pytest.fixture(scope="session")
def pg_team_template(pg_server: Any) -> Iterator[str]:
    """A migrated database, once per session; each team test gets a copy (CREATE ... TEMPLATE)."""
    name = f"leaddesk_team_template_{secrets.token_hex(4)}"
    store = Store.open(pg_server.create_database(name))
    try:
        migrate.upgrade(store.engine)
    finally:
        store.dispose()
    yield name
    with contextlib.suppress(psycopg.Error):
        pg_server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def team(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Team]:
    """The same team on each backend (PostgreSQL skips, saying why, without the binaries)."""
    maker = _sqlite_team(tmp_path) if request.param == "sqlite" else _postgres_team(request)
    with maker as built:
        yield built


@pytest.fixture
def pg_team(request: pytest.FixtureRequest, pg_server: Any) -> Iterator[Team]:
    """The team on PostgreSQL only (for raw-SQL attacks with a member's own credentials);
    naming ``pg_server`` gives its tests the ``postgres`` marker."""
    with _postgres_team(request) as built:
        yield built

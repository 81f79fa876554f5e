"""Row-level security on a PostgreSQL team database: the second wall behind ``scoping``.

Every LeadDesk user of a team database logs in as their own role, ``ld_<username>`` (the mapping
is this naming convention; group roles never match it). The tables belong to ``leaddesk_owner``,
a role nobody logs in as; users reach them through ``leaddesk_user`` (admins also through
``leaddesk_admin``). Every scoped table has ENABLE and FORCE ROW LEVEL SECURITY and one policy
built from the same rules as the ORM scope (``scoping.TABLE_RULES``), keyed on ``current_user``:
``SET ROLE`` to a group role maps to no user and sees nothing, and no session variable is read.
The policy functions pin their ``search_path`` and name ``public.users`` so that a temporary table
cannot stand in for it.

``team_setup`` is run once by the team's admin with a superuser (or database owner with
CREATEROLE) URL after ``db upgrade``, and again after every later upgrade; it is idempotent.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.orm import Session

from leaddesk.store import postgres_counters, scoping
from leaddesk.store.base import Base
from leaddesk.store.postgres_privileges import (
    ADMIN_ROLE,
    MEMBER_FUNCTIONS,
    OWNER_ROLE,
    USER_ROLE,
    USER_WRITABLE_SETTINGS,
    grant_statements,
)

ROLE_PREFIX = "ld_"
POLICY = "leaddesk_scope"

_FUNCTIONS = (
    f"""CREATE OR REPLACE FUNCTION public.leaddesk_uid() RETURNS uuid
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT id FROM public.users
    WHERE left(current_user, {len(ROLE_PREFIX)}) = '{ROLE_PREFIX}'
      AND username = substr(current_user, {len(ROLE_PREFIX) + 1}) AND is_active
    $$""",
    # Inside a SECURITY DEFINER function ``current_user`` is the owner: the caller is the
    # session's login role (``SET ROLE`` cannot change it to another user's).
    f"""CREATE OR REPLACE FUNCTION public.leaddesk_caller() RETURNS uuid
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT id FROM public.users
    WHERE left(session_user, {len(ROLE_PREFIX)}) = '{ROLE_PREFIX}'
      AND username = substr(session_user, {len(ROLE_PREFIX) + 1}) AND is_active
    $$""",
    """CREATE OR REPLACE FUNCTION public.leaddesk_caller_is_admin() RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM public.users
                   WHERE id = public.leaddesk_caller() AND role = 'admin')
    $$""",
    # What the caller's scope holds (scoping's rule, for SECURITY DEFINER functions).
    """CREATE OR REPLACE FUNCTION public.leaddesk_caller_sees(p_owner uuid) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
      SELECT 1 FROM public.users c WHERE c.id = public.leaddesk_caller() AND (
        c.role = 'admin' OR p_owner = c.id
        OR (c.role = 'manager'
            AND EXISTS (SELECT 1 FROM public.users r
                        WHERE r.id = p_owner AND r.manager_id = c.id))))
    $$""",
    """CREATE OR REPLACE FUNCTION public.leaddesk_is_admin() RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM public.users WHERE id = public.leaddesk_uid() AND role = 'admin')
    $$""",
    """CREATE OR REPLACE FUNCTION public.leaddesk_scope() RETURNS SETOF uuid
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT u.id FROM public.users u
    WHERE u.id = public.leaddesk_uid()
       OR (u.manager_id = public.leaddesk_uid() AND EXISTS (
           SELECT 1 FROM public.users m WHERE m.id = public.leaddesk_uid() AND m.role = 'manager'))
    $$""",
)
_ADMIN = "(SELECT public.leaddesk_is_admin())"
_IN_SCOPE = "{column} IN (SELECT public.leaddesk_scope())"


_MEMBER_LOGINS: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def member_login(conn: Connection) -> bool:
    """Whether ``conn`` is to a team database, signed in with a member's own login role: the
    ledger and the send counters then move only through the database's functions."""
    engine = conn.engine
    if engine.dialect.name != "postgresql":
        return False
    found = _MEMBER_LOGINS.get(engine)
    if found is None:
        found = _MEMBER_LOGINS[engine] = bool(conn.exec_driver_sql(
            f"SELECT left(session_user, {len(ROLE_PREFIX)}) = '{ROLE_PREFIX}' "
            "AND to_regproc('public.leaddesk_count_sends') IS NOT NULL"
        ).scalar())
    return found


def role_name(username: str) -> str:
    return ROLE_PREFIX + username


def login_exists(session: Session, username: str) -> bool:
    found = session.connection().exec_driver_sql(
        f"SELECT 1 FROM pg_roles WHERE rolname = {_literal(role_name(username))}"
    )
    return found.first() is not None


def _quote(conn: Connection, identifier: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(identifier)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- policies -----------------------------------------------------------------------------------


def _policy_condition(table: str, rule: scoping.Rule) -> str:
    if isinstance(rule, scoping.Owned):
        return f"{_ADMIN} OR {_IN_SCOPE.format(column=rule.column)}"
    if isinstance(rule, scoping.Child):
        # The parent's own policy filters the subquery: visible children of visible parents.
        return f"{rule.column} IN (SELECT id FROM public.{rule.parent})"
    return (
        f"{_ADMIN} OR {_IN_SCOPE.format(column=rule.column)} "
        f"OR {rule.lead_column} IN (SELECT id FROM public.leads)"
    )


@dataclass(frozen=True)
class SetupReport:
    scoped: list[str]
    shared: list[str]


def _statements(tables: Iterable[str], functions: Iterable[str]) -> Iterable[str]:
    roles = (OWNER_ROLE, USER_ROLE, ADMIN_ROLE)
    for role in roles:
        yield (
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        )
    yield f"GRANT {USER_ROLE} TO {ADMIN_ROLE}"
    yield "REVOKE ALL ON SCHEMA public FROM PUBLIC"
    yield f"GRANT USAGE ON SCHEMA public TO {USER_ROLE}, {OWNER_ROLE}"
    yield (
        "DO $$ BEGIN EXECUTE 'REVOKE TEMPORARY ON DATABASE ' || quote_ident(current_database())"
        " || ' FROM PUBLIC'; END $$"
    )
    for table in tables:
        yield f"ALTER TABLE public.{table} OWNER TO {OWNER_ROLE}"
        yield f"REVOKE ALL ON public.{table} FROM PUBLIC, {USER_ROLE}, {ADMIN_ROLE}"
    yield from _FUNCTIONS
    yield postgres_counters.COUNT_SENDS
    yield from functions
    # Every LeadDesk function belongs to the owner; members execute only the listed ones.
    yield f"""DO $$ DECLARE f record; BEGIN
      FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
               JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname = 'public' AND p.proname LIKE 'leaddesk%' LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO {OWNER_ROLE}', f.sig);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, {USER_ROLE}, {ADMIN_ROLE}', f.sig);
      END LOOP; END $$"""
    for signature in sorted(MEMBER_FUNCTIONS):
        yield f"GRANT EXECUTE ON FUNCTION public.{signature} TO {USER_ROLE}"
    for table in tables:
        yield from _table_statements(table)


_DEFINER = f"CREATE POLICY {POLICY}_definer ON public.{{table}} TO {OWNER_ROLE} USING (true) " \
    "WITH CHECK (true)"


def _table_statements(table: str) -> Iterable[str]:
    yield from grant_statements(table)
    if table == "alembic_version":
        return
    yield f"ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY"
    yield f"ALTER TABLE public.{table} FORCE ROW LEVEL SECURITY"
    for policy in (POLICY, f"{POLICY}_read", f"{POLICY}_write", f"{POLICY}_self",
                   f"{POLICY}_add", f"{POLICY}_definer"):
        yield f"DROP POLICY IF EXISTS {policy} ON public.{table}"
    # The SECURITY DEFINER functions run as the owner (a role nobody logs in as), which FORCE
    # subjects to policies too; this one lets them read and write what they check themselves.
    yield _DEFINER.format(table=table)
    yield from _policies(table)


def _policies(table: str) -> Iterable[str]:
    read = f"CREATE POLICY {POLICY}_read ON public.{table} FOR SELECT USING (true)"
    admin_writes = (
        f"CREATE POLICY {POLICY}_write ON public.{table} FOR ALL "
        f"USING ({_ADMIN}) WITH CHECK ({_ADMIN})"
    )
    if table == "users":
        yield read
        yield admin_writes
        yield (
            f"CREATE POLICY {POLICY}_self ON public.users FOR UPDATE "
            "USING (id = public.leaddesk_uid()) WITH CHECK (id = public.leaddesk_uid())"
        )
        return
    if table == "app_settings":
        keys = ", ".join(_literal(key) for key in sorted(USER_WRITABLE_SETTINGS))
        yield read
        yield admin_writes
        yield (
            f"CREATE POLICY {POLICY}_self ON public.app_settings FOR ALL "
            f"USING (key IN ({keys})) WITH CHECK (key IN ({keys}))"
        )
        return
    if table == "suppressions":  # anyone adds (an unsubscribe is never blocked), admins remove
        yield read
        yield admin_writes
        yield (
            f"CREATE POLICY {POLICY}_add ON public.suppressions FOR INSERT WITH CHECK "
            "(created_by_id IS NOT DISTINCT FROM public.leaddesk_uid() AND deleted_at IS NULL)"
        )
        return
    rule = scoping.TABLE_RULES.get(table) or scoping.rule_for(Base.metadata.tables[table])
    if rule is None:  # team-wide, written by privilege (the grants) or through functions
        yield read
        yield admin_writes
        return
    condition = _policy_condition(table, rule)
    if isinstance(rule, scoping.OwnedOrAbout):  # the audit log: append-only, own entries
        yield f"CREATE POLICY {POLICY}_read ON public.{table} FOR SELECT USING ({condition})"
        yield (
            f"CREATE POLICY {POLICY}_write ON public.{table} FOR INSERT WITH CHECK "
            f"({_ADMIN} OR {rule.column} = public.leaddesk_uid())"
        )
        return
    yield (
        f"CREATE POLICY {POLICY} ON public.{table} FOR ALL "
        f"USING ({condition}) WITH CHECK ({condition})"
    )


def app_tables(conn: Connection) -> list[str]:
    """The LeadDesk tables present in the database (models' tables plus ``alembic_version``)."""
    present = set(inspect(conn).get_table_names(schema="public"))
    known = [t.name for t in Base.metadata.sorted_tables if t.name in present]
    return known + (["alembic_version"] if "alembic_version" in present else [])


def team_setup(engine: Engine, functions: Iterable[str] = ()) -> SetupReport:
    """Roles, ownership, grants, FORCE RLS, policies and the ``functions`` (DDL of the features'
    ``SECURITY DEFINER`` functions); safe to run again after upgrades."""
    if engine.dialect.name != "postgresql":
        raise ValueError("team setup is for PostgreSQL databases")
    with engine.begin() as conn:
        tables = app_tables(conn)
        if "users" not in tables:
            raise ValueError("no LeadDesk schema here: run `leaddesk db upgrade` first")
        for statement in _statements(tables, functions):
            conn.exec_driver_sql(statement.replace("%", "%%"))  # no parameters: % is literal
    scoped = [t for t in tables if t not in scoping.SHARED_TABLES and t != "alembic_version"]
    shared = [t for t in tables if t in scoping.SHARED_TABLES]
    return SetupReport(scoped=scoped, shared=shared)


# --- login roles (called by the user service, inside its transaction) ---------------------------


def _verifier(conn: Connection, role: str, password: str) -> str:
    """The SCRAM verifier, computed here: the clear password never reaches the server's logs."""
    dbapi = conn.connection.dbapi_connection
    pgconn = dbapi.pgconn  # type: ignore[union-attr]
    secret = pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
    return bytes(secret).decode()


def create_login(session: Session, username: str, password: str, role: str) -> str:
    conn = session.connection()
    name = role_name(username)
    quoted = _quote(conn, name)
    verifier = _verifier(conn, name, password)
    conn.exec_driver_sql(f"CREATE ROLE {quoted} LOGIN PASSWORD {_literal(verifier)}")
    conn.exec_driver_sql(f"GRANT {USER_ROLE} TO {quoted}")
    set_login_role(session, username, role)
    return name


def set_login_role(session: Session, username: str, role: str) -> None:
    conn = session.connection()
    quoted = _quote(conn, role_name(username))
    if role == "admin":
        conn.exec_driver_sql(f"ALTER ROLE {quoted} CREATEROLE")
        conn.exec_driver_sql(f"GRANT {ADMIN_ROLE} TO {quoted} WITH ADMIN OPTION")
        conn.exec_driver_sql(f"GRANT {USER_ROLE} TO {quoted} WITH ADMIN OPTION")
    else:
        conn.exec_driver_sql(f"ALTER ROLE {quoted} NOCREATEROLE")
        conn.exec_driver_sql(f"REVOKE {ADMIN_ROLE} FROM {quoted}")
        conn.exec_driver_sql(f"REVOKE ADMIN OPTION FOR {USER_ROLE} FROM {quoted}")


def set_login_enabled(session: Session, username: str, enabled: bool) -> None:
    conn = session.connection()
    flag = "LOGIN" if enabled else "NOLOGIN"
    conn.exec_driver_sql(f"ALTER ROLE {_quote(conn, role_name(username))} {flag}")


def set_login_password(session: Session, username: str, password: str) -> None:
    conn = session.connection()
    name = role_name(username)
    verifier = _verifier(conn, name, password)
    conn.exec_driver_sql(f"ALTER ROLE {_quote(conn, name)} PASSWORD {_literal(verifier)}")


def drop_login(session: Session, username: str) -> None:
    conn = session.connection()
    conn.exec_driver_sql(f"DROP ROLE IF EXISTS {_quote(conn, role_name(username))}")

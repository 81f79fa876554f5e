"""The one place that decides which rows a query may see and a flush may change.

Soft-deleted rows are left out of every ORM query unless the statement asks for them with
``execution_options(include_deleted=True)``.

Team isolation lives here too, so that no service ever filters by owner by hand. A session opened
for a user (``Store.as_user``) carries the user's id in ``session.info``; on its first statement the
user's *current* role and team are read from ``users`` (a demoted or deactivated user loses access
at once). Then:

- every ORM SELECT/UPDATE/DELETE gets ``with_loader_criteria`` for each row-scoped table
  (``TABLE_RULES``): a rep sees their own rows, a manager theirs and their direct reports'
  (``users.manager_id``), an admin everything;
- ``before_flush`` refuses inserts, updates and deletes of rows outside the scope, before and after
  the change (no handing a row to someone outside it), with :class:`ScopeViolation`;
- ORM bulk statements run through ``Session.execute`` are checked the same way; bulk UPDATE or
  DELETE by primary key lists is refused outright for non-admins.

Sessions opened on a bare ``Store`` (start-up, login, migrations) are unscoped system sessions.
Core statements on ``Store.engine`` bypass the session, and so this module: only admin paths (demo
data, benchmarks) use them; on PostgreSQL row-level security (``postgres_security``) applies to
them as well, since each user connects as their own role.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Alias,
    ColumnElement,
    Join,
    Select,
    Table,
    event,
    exists,
    inspect,
    or_,
    select,
)
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria
from sqlalchemy.orm.attributes import NO_VALUE
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.util import ClauseAdapter

from leaddesk.store.base import Base, SoftDeleteMixin

INCLUDE_DELETED = "include_deleted"
#: ``session.info`` key holding the acting user's id (absent: a system session).
USER_KEY = "leaddesk_user_id"
_SCOPE_KEY = "leaddesk_scope"
#: The ``ScopeViolation.action`` of a session whose user is gone or deactivated.
NO_ACCOUNT = "use"


# --- which tables are scoped, and by what -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Owned:
    """Rows belong to the user in ``column``."""

    column: str


@dataclass(frozen=True, slots=True)
class Child:
    """Rows belong to whoever may see the ``parent`` row that ``column`` points at."""

    column: str
    parent: str


@dataclass(frozen=True, slots=True)
class OwnedOrAbout:
    """Audit rows: visible to the actor's scope, or when about a lead the reader may see."""

    column: str
    lead_column: str


Rule = Owned | Child | OwnedOrAbout

TABLE_RULES: dict[str, Rule] = {
    "leads": Owned("owner_id"),
    "messages": Owned("owner_id"),
    "tasks": Owned("owner_id"),
    "campaigns": Owned("owner_id"),
    "message_templates": Owned("owner_id"),
    "sequences": Owned("owner_id"),
    "integrations": Owned("owner_id"),
    "credit_accounts": Owned("user_id"),
    "business_profiles": Owned("user_id"),
    "saved_views": Owned("user_id"),
    "lead_change_sets": Owned("actor_id"),
    "lead_tags": Child("lead_id", "leads"),
    "lead_snapshots": Child("lead_id", "leads"),
    "sequence_steps": Child("sequence_id", "sequences"),
    "credit_transactions": Child("account_id", "credit_accounts"),
    "credit_holds": Child("account_id", "credit_accounts"),
    "redeemed_topup_codes": Child("account_id", "credit_accounts"),
    "activities": OwnedOrAbout("actor_id", "lead_id"),
}
#: Team-wide tables: every user reads them (``users`` writes are checked separately).
SHARED_TABLES = frozenset(
    {"users", "app_settings", "suppressions", "send_counters", "price_list_versions"}
)
#: What a non-admin may change on their own ``users`` row (never role, manager or activity).
SELF_EDITABLE_USER_COLUMNS = frozenset(
    {"name", "email", "password_hash", "failed_logins", "last_failed_login_at", "last_login_at",
     "updated_at"}
)


def rule_for(table: Table) -> Rule | None:
    """The table's rule; an unlisted table with an owner/user column is scoped by it."""
    rule = TABLE_RULES.get(table.name)
    if rule is None and table.name not in SHARED_TABLES:
        for column in ("owner_id", "user_id"):
            if column in table.c:
                return Owned(column)
    return rule


def unclassified_tables() -> list[str]:
    """Tables that are neither scoped nor declared team-wide (a test keeps this empty)."""
    return sorted(
        t.name for t in Base.metadata.sorted_tables
        if rule_for(t) is None and t.name not in SHARED_TABLES
    )


# --- who is asking ------------------------------------------------------------------------------


class ScopeViolation(Exception):
    """A write outside the acting user's scope; nothing of the transaction is kept."""

    def __init__(self, user_id: uuid.UUID, action: str, table: str, ident: object, reason: str):
        target = f"{table} {ident}" if ident else table
        super().__init__(f"not allowed: {action} {target}: {reason}")
        self.user_id = user_id
        self.action = action
        self.table = table
        self.ident = ident
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Scope:
    user_id: uuid.UUID
    role: str
    #: Whose rows are visible: the user and, for a manager, their direct reports.
    user_ids: frozenset[uuid.UUID]

    @property
    def sees_all(self) -> bool:
        return self.role == "admin"


def _users() -> Table:
    return Base.metadata.tables["users"]


def load_scope(session: Session) -> Scope | None:
    """The session's scope (``None`` for a system session), read once per session."""
    user_id = session.info.get(USER_KEY)
    if user_id is None:
        return None
    scope = session.info.get(_SCOPE_KEY)
    if scope is None:
        users = _users()
        rows = session.connection().execute(
            select(users.c.id, users.c.role, users.c.is_active).where(
                or_(users.c.id == user_id, users.c.manager_id == user_id)
            )
        ).all()
        me = next((r for r in rows if r.id == user_id), None)
        if me is None or not me.is_active:
            raise ScopeViolation(user_id, NO_ACCOUNT, "users", user_id, "no active user account")
        role = str(getattr(me.role, "value", me.role))
        team = {r.id for r in rows} if role == "manager" else {user_id}
        scope = Scope(user_id, role, frozenset(team))
        session.info[_SCOPE_KEY] = scope
    return scope


# --- reads --------------------------------------------------------------------------------------


def visible(table: Table, scope: Scope) -> ColumnElement[bool] | None:
    """The condition on ``table``'s rows that ``scope`` may see (``None``: no condition)."""
    rule = rule_for(table)
    if rule is None or scope.sees_all:
        return None
    if isinstance(rule, Owned):
        return _in_scope(table.c[rule.column], scope)
    if isinstance(rule, Child):
        return _visible_parent(table.c[rule.column], rule.parent, scope)
    return or_(
        _in_scope(table.c[rule.column], scope),
        _visible_parent(table.c[rule.lead_column], "leads", scope),
    )


def _visible_parent(column: Any, parent_name: str, scope: Scope) -> ColumnElement[bool]:
    """A correlated EXISTS on the parent's primary key: one index probe per row."""
    parent = Base.metadata.tables[parent_name]
    condition = visible(parent, scope)
    return exists().where(parent.c.id == column, *([] if condition is None else [condition]))


def _in_scope(column: Any, scope: Scope) -> ColumnElement[bool]:
    if len(scope.user_ids) == 1:
        return column == scope.user_id  # type: ignore[no-any-return]
    return column.in_(sorted(scope.user_ids))  # type: ignore[no-any-return]


def _not_deleted(cls: Any) -> Any:
    return cls.deleted_at.is_(None)


def _scoped_mappers() -> Iterator[tuple[type[Any], Table]]:
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        if isinstance(table, Table) and rule_for(table) is not None:
            yield mapper.class_, table


@functools.lru_cache(maxsize=256)
def _scope_options(scope: Scope) -> tuple[Any, ...]:
    """The criteria options of a scope, built once per scope (a scope is immutable)."""
    options = []
    for cls, table in _scoped_mappers():
        condition = visible(table, scope)
        if condition is not None:
            options.append(with_loader_criteria(cls, condition, include_aliases=True))
    return tuple(options)


def _add_criteria(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete or state.is_insert):
        return
    if state.is_column_load or state.is_relationship_load:
        return
    scope = load_scope(state.session)
    if not state.is_orm_statement:
        if scope is not None and not scope.sees_all:
            _scope_core(state, scope)
        return
    if state.is_insert:
        if scope is not None and not scope.sees_all:
            _check_bulk(state, scope)
        return
    options: list[Any] = []
    if not state.execution_options.get(INCLUDE_DELETED, False):
        options.append(with_loader_criteria(SoftDeleteMixin, _not_deleted, include_aliases=True))
    if scope is not None and not scope.sees_all:
        if state.is_update or state.is_delete:
            _check_bulk(state, scope)
        options += _scope_options(scope)
    if options:
        state.statement = state.statement.options(*options)


def _scope_core(state: ORMExecuteState, scope: Scope) -> None:
    """Core statements on tables run through a scoped session are scoped as well.

    SELECT: every scoped table (or alias of one) in the top-level FROM list, joins included,
    gets its condition; UPDATE/DELETE: the target table does; INSERT: the rows are checked.
    """
    stmt = state.statement
    if state.is_select and isinstance(stmt, Select):
        found = (_visible_from(f, scope) for f in _froms(stmt.get_final_froms()))
        conditions = [c for c in found if c is not None]
        if conditions:
            state.statement = stmt.where(*conditions)
        return
    table = getattr(stmt, "table", None)
    if not isinstance(table, Table):
        return
    _check_statement(state, scope, table)
    condition = visible(table, scope)
    if condition is not None and not state.is_insert:
        state.statement = stmt.where(condition)  # type: ignore[attr-defined]


def _froms(froms: Iterable[Any]) -> Iterator[Any]:
    for item in froms:
        if isinstance(item, Join):
            yield from _froms((item.left, item.right))
        else:
            yield item


def _visible_from(from_: Any, scope: Scope) -> ColumnElement[bool] | None:
    table = from_.element if isinstance(from_, Alias) else from_
    if not isinstance(table, Table):
        return None
    condition = visible(table, scope)
    if condition is None or from_ is table:
        return condition
    return ClauseAdapter(from_).traverse(condition)


# --- writes -------------------------------------------------------------------------------------


def _check_bulk(state: ORMExecuteState, scope: Scope) -> None:
    """ORM bulk INSERT/UPDATE/DELETE through a session: checked like Core statements."""
    mapper = state.bind_mapper
    table = mapper.local_table if mapper is not None else None
    if isinstance(table, Table):
        _check_statement(state, scope, table)


def _check_statement(state: ORMExecuteState, scope: Scope, table: Table) -> None:
    """INSERT rows must be in scope; UPDATE/DELETE may not move rows out of it."""
    values = _statement_values(state.statement)
    if state.is_insert:
        params = state.parameters
        rows = list(params) if isinstance(params, list | tuple) else [params] if params else []
        for row in rows or [{}]:
            _check_row(state.session, scope, table, "insert", {**values, **row}, None)
        return
    action = "update" if state.is_update else "delete"
    if table.name == "users":
        raise ScopeViolation(scope.user_id, action, "users", "", "only an admin manages users")
    if state.is_executemany:
        raise ScopeViolation(scope.user_id, action, table.name, "", "bulk by primary key")
    column = getattr(rule_for(table), "column", None)
    if column is not None and column in values:
        _check_row(state.session, scope, table, action, {column: values[column]}, None)


def _statement_values(statement: Any) -> dict[str, Any]:
    """Literal SET/VALUES of an insert or update; an expression value is refused as unknown."""
    out: dict[str, Any] = {}
    for key, value in (getattr(statement, "_values", None) or {}).items():
        name = getattr(key, "key", key)
        out[str(name)] = value.value if isinstance(value, BindParameter) else _Unknown()
    return out


class _Unknown:
    """A value computed by SQL: it cannot be checked, so it is treated as out of scope."""


def _check_row(
    session: Session, scope: Scope, table: Table, action: str,
    values: Mapping[str, Any], obj: Any,
) -> None:
    rule = rule_for(table)
    ident = values.get("id", "")
    if rule is None:
        return
    if isinstance(rule, Owned | OwnedOrAbout):
        owner = values.get(rule.column)
        if owner not in scope.user_ids:
            raise ScopeViolation(
                scope.user_id, action, table.name, ident, f"{rule.column} is outside your scope"
            )
        return
    parent_id = values.get(rule.column)
    parent = Base.metadata.tables[rule.parent]
    parent_obj = _related(obj, rule.column) if obj is not None else None
    if parent_obj is not None:
        _check_object(session, scope, parent_obj, action)
        return
    if isinstance(parent_id, _Unknown) or not _parent_visible(session, scope, parent, parent_id):
        raise ScopeViolation(
            scope.user_id, action, table.name, ident, f"{rule.parent} row is outside your scope"
        )


def _parent_visible(session: Session, scope: Scope, parent: Table, parent_id: Any) -> bool:
    if parent_id is None:
        return False
    for obj in session.new:  # a parent created in the same flush
        if getattr(obj, "id", None) == parent_id and inspect(obj).mapper.local_table is parent:
            _check_object(session, scope, obj, "insert")
            return True
    condition = visible(parent, scope)
    stmt = select(exists().where(parent.c.id == parent_id))
    if condition is not None:
        stmt = select(exists().where(parent.c.id == parent_id, condition))
    return bool(session.connection().scalar(stmt))


def _related(obj: Any, column: str) -> Any:
    """The already loaded parent object behind a foreign key column, if any (never loads)."""
    state = inspect(obj)
    for rel in state.mapper.relationships:
        if any(c.key == column for c in rel.local_columns) and rel.direction.name == "MANYTOONE":
            value = state.attrs[rel.key].loaded_value
            return None if value is NO_VALUE else value
    return None


def _values_of(obj: Any, committed: bool) -> Iterator[dict[str, Any]]:
    """The row's column values now, and (``committed``) as they were before this change."""
    state = inspect(obj)
    now = {attr.key: state.attrs[attr.key].value for attr in state.mapper.column_attrs}
    yield now
    if committed:
        before = dict(now)
        for attr in state.mapper.column_attrs:
            history = state.attrs[attr.key].history
            if history.deleted:
                before[attr.key] = history.deleted[0]
        if before != now:
            yield before


def _check_object(session: Session, scope: Scope, obj: Any, action: str) -> None:
    table = inspect(obj).mapper.local_table
    if not isinstance(table, Table):
        return
    if table.name == "users":
        _check_user_change(scope, obj, action)
        return
    for values in _values_of(obj, committed=action != "insert"):
        _check_row(session, scope, table, action, values, obj)


def _check_user_change(scope: Scope, obj: Any, action: str) -> None:
    if action == "update" and obj.id == scope.user_id:
        state = inspect(obj)
        changed = {
            a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()
        }
        extra = changed - SELF_EDITABLE_USER_COLUMNS
        if not extra:
            return
        reason = f"only an admin changes {', '.join(sorted(extra))}"
    else:
        reason = "only an admin manages users"
    raise ScopeViolation(scope.user_id, action, "users", getattr(obj, "id", ""), reason)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    scope = load_scope(session)
    if scope is None or scope.sees_all:
        return
    changes: Iterable[tuple[str, Iterable[Any]]] = (
        ("insert", session.new), ("update", session.dirty), ("delete", session.deleted),
    )
    with session.no_autoflush:
        for action, objects in changes:
            for obj in list(objects):
                if action == "update" and not session.is_modified(obj):
                    continue
                _check_object(session, scope, obj, action)


def install(factory: sessionmaker[Session]) -> None:
    """Hook a new session factory (once: ``event.contains`` is not used, as it can mistake a
    collected factory's registration, whose id was reused, for this one's)."""
    event.listen(factory, "do_orm_execute", _add_criteria)
    event.listen(factory, "before_flush", _before_flush)


def refusal_entry(violation: ScopeViolation) -> Any:
    """The audit row of a refused attempt (written after the refused transaction rolled back)."""
    activities = Base.metadata.tables["activities"]
    return activities.insert().values(
        actor_id=violation.user_id,
        action="refused",
        entity_type=violation.table,
        entity_id=str(violation.ident or "")[:64],
        summary=str(violation)[:500],
        changes={"attempted": violation.action, "reason": violation.reason},
    )

"""The raw-SQL attack plan of a team database, generated from the schema and the privilege model.

Nothing here lists tables or columns by hand: the tables are ``Base.metadata``'s (plus
``alembic_version``), the scoping rules ``scoping.rule_for``'s, the grants
``postgres_privileges``'s and the functions ``MEMBER_FUNCTIONS`` and the DDL the team setup runs.
A table added later is attacked like its kind without editing the suite, and a table that is
neither scoped nor declared special or shared is reported by ``unclassified_tables``.

The plan (collection time) names each attack: who (``rep``/``manager``), on what, how. The
statements are built at run time (``WriteBuilder``) from rows the superuser reads, since they
point at ids the seeded database has.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import JSON as SAJSON
from sqlalchemy import Boolean, Column, Enum, Integer, MetaData, String, Table
from sqlalchemy.dialects import postgresql

import leaddesk.store.models  # noqa: F401 (registers every table on Base.metadata)
from leaddesk.services.credits import postgres_ledger
from leaddesk.store import postgres_counters, postgres_security, scoping
from leaddesk.store.base import Base
from leaddesk.store.postgres_privileges import (
    DELETE,
    INSERT,
    LEDGER_TABLES,
    MEMBER_FUNCTIONS,
    SPECIAL_TABLES,
    UPDATE,
    USER_WRITABLE_SETTINGS,
    grants_for,
)

# --- the team (team_support's four users) ---------------------------------------------------------

MEMBERS = ("admin", "manager", "rep_a", "rep_b")
#: team_support makes rep A the manager's report.
REPORTS = {"manager": ("rep_a",)}
#: Who attacks as which role: rep A (a report) and the manager.
ATTACKERS = {"rep": "rep_a", "manager": "manager"}
#: A row owned by nobody (``NULL`` in the owner column): outside every member's scope too.
NOBODY = "nobody"
INT_MAX = 2**31 - 1

REFUSED, ALLOWED = "refused", "allowed"

ALEMBIC_VERSION = Table(
    "alembic_version", MetaData(), Column("version_num", String(32), primary_key=True)
)


def scope_of(member: str) -> frozenset[str]:
    """Whose rows ``member`` sees and writes (the policy's ``leaddesk_scope``; not the admin's)."""
    return frozenset({member, *REPORTS.get(member, ())})


def outsiders(role: str, *, nobody: bool = True) -> list[str]:
    """Members outside the role's scope (and, with ``nobody``, the ownerless row)."""
    scope = scope_of(ATTACKERS[role])
    return [m for m in MEMBERS if m not in scope] + ([NOBODY] if nobody else [])


# --- the tables --------------------------------------------------------------------------------


def all_tables() -> list[Table]:
    return [*Base.metadata.sorted_tables, ALEMBIC_VERSION]


def table(name: str) -> Table:
    return ALEMBIC_VERSION if name == ALEMBIC_VERSION.name else Base.metadata.tables[name]


def rule_of(t: Table) -> scoping.Rule | None:
    return None if t is ALEMBIC_VERSION else scoping.rule_for(t)


def unclassified_tables() -> list[str]:
    """Tables that are neither scoped nor declared special or shared: the suite cannot know what
    a member may do with them (nor, likely, does the team setup)."""
    return sorted(
        t.name for t in all_tables()
        if rule_of(t) is None and t.name not in SPECIAL_TABLES
        and t.name not in scoping.SHARED_TABLES
    )


def denied(t: Table) -> frozenset[str]:
    """The DML verbs the member role lacks on ``t`` (UPDATE: unless only some columns are
    granted). The ledger is written by members only through its functions, whatever a
    widened grant in the model says: it is attacked on every verb."""
    grants = grants_for(t.name)
    if t.name in LEDGER_TABLES:
        return frozenset({INSERT, UPDATE, DELETE})
    missing = frozenset({INSERT, UPDATE, DELETE}) - grants.user
    return missing - ({UPDATE} if grants.user_update_columns else set())


def column_names(t: Table) -> list[str]:
    return [c.name for c in t.c]


def pk_names(t: Table) -> list[str]:
    return [c.name for c in t.primary_key.columns]


def member_inserts(t: Table) -> bool:
    return INSERT in grants_for(t.name).user


# --- the attack list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Attack:
    role: str
    table: str
    kind: str
    target: str = ""  # a column, an outsider, or both ("rep_b.name")

    @property
    def id(self) -> str:
        return "-".join(p for p in (self.role, self.table, self.kind, self.target) if p)


def _privilege_attacks(role: str, t: Table) -> Iterator[Attack]:
    """Writes the member role holds no privilege for: raise, forge, erase, widen."""
    missing = denied(t)
    grants = grants_for(t.name)
    for column in column_names(t):
        if UPDATE in missing or (grants.user_update_columns
                                 and column not in grants.user_update_columns):
            yield Attack(role, t.name, "update", column)
    if INSERT in missing:
        yield Attack(role, t.name, "insert")
    if DELETE in missing:
        yield Attack(role, t.name, "delete")
    yield Attack(role, t.name, "truncate")
    yield Attack(role, t.name, "alter")  # switch row-level security off
    yield Attack(role, t.name, "grant")  # hand its rows to PUBLIC


def _row_attacks(role: str, t: Table) -> Iterator[Attack]:
    """Writes the policies must refuse (the role may hold the privilege)."""
    rule = rule_of(t)
    if isinstance(rule, scoping.Owned):
        for other in outsiders(role):
            yield Attack(role, t.name, "insert-owner", other)
            yield Attack(role, t.name, "reassign", other)
        for other in outsiders(role, nobody=False):
            yield Attack(role, t.name, "update-other", other)
            yield Attack(role, t.name, "steal", other)
            yield Attack(role, t.name, "delete-other", other)
    elif isinstance(rule, scoping.Child):
        for other in outsiders(role, nobody=False):
            yield Attack(role, t.name, "insert-parent", other)
            yield Attack(role, t.name, "reparent", other)
            yield Attack(role, t.name, "update-other", other)
            yield Attack(role, t.name, "steal", other)
            yield Attack(role, t.name, "delete-other", other)
    elif isinstance(rule, scoping.OwnedOrAbout):  # the audit log: own entries only
        for other in outsiders(role):
            yield Attack(role, t.name, "insert-owner", other)
    grants = grants_for(t.name)
    if grants.user_update_columns:  # users: the granted columns, on anyone else's row
        for other in (m for m in MEMBERS if m != ATTACKERS[role]):
            for column in sorted(grants.user_update_columns):
                yield Attack(role, t.name, "update-other", f"{other}.{column}")
    if t.name == "app_settings":  # settings: admin-only keys, whatever the grant
        for column in column_names(t):
            yield Attack(role, t.name, "update-admin-key", column)
        for kind in ("insert-admin-key", "upsert-admin-key", "widen-user-key"):
            yield Attack(role, t.name, kind)
    if t.name == "suppressions":  # anyone adds, as themselves, a live entry
        for other in outsiders(role):
            yield Attack(role, t.name, "insert-owner", other)
        yield Attack(role, t.name, "insert-deleted")


def write_attacks() -> list[Attack]:
    attacks: list[Attack] = []
    for role in ATTACKERS:
        for t in all_tables():
            attacks += _privilege_attacks(role, t)
            attacks += _row_attacks(role, t)
    return attacks


def allowed_writes() -> list[Attack]:
    """What the app lets a member write, the same way the attacks forge it: proof that each
    forged row is a valid row, refused only for whose it is."""
    found: list[Attack] = []
    for role in ATTACKERS:
        for t in all_tables():
            rule = rule_of(t)
            if member_inserts(t) and isinstance(rule, scoping.Owned | scoping.Child
                                                 | scoping.OwnedOrAbout):
                found.append(Attack(role, t.name, "insert-own"))
            if t.name == "suppressions":
                found.append(Attack(role, t.name, "insert-own"))
            if grants_for(t.name).user_update_columns:
                found.append(Attack(role, t.name, "update-self"))
            if t.name == "app_settings":
                found.append(Attack(role, t.name, "upsert-user-key"))
    return found


# --- functions ---------------------------------------------------------------------------------

_SIGNATURE = re.compile(r"FUNCTION\s+public\.(\w+)\s*\(([^)]*)\)", re.S)


def _arg_types(args: str) -> list[str]:
    return [part.strip().split()[-1] for part in args.split(",") if part.strip()]


def defined_functions() -> dict[str, list[str]]:
    """Every LeadDesk function the team setup creates, ``name -> argument types``."""
    found: dict[str, list[str]] = {}
    ddl = [*postgres_security._FUNCTIONS, postgres_counters.COUNT_SENDS,
           *postgres_ledger.FUNCTIONS]
    for text in ddl:
        for name, args in _SIGNATURE.findall(text):
            found[name] = _arg_types(args)
    return found


def signature(name: str, types: Sequence[str]) -> str:
    return f"{name}({', '.join(types)})"


def member_functions() -> dict[str, list[str]]:
    return {name: _arg_types(args) for name, args in
            (re.match(r"(\w+)\((.*)\)", sig).groups() for sig in sorted(MEMBER_FUNCTIONS))}


def owner_only_functions() -> dict[str, list[str]]:
    members = {signature(n, t) for n, t in member_functions().items()}
    return {n: t for n, t in defined_functions().items() if signature(n, t) not in members}


#: A well-formed call of each member function; the hostile variants change one part of it.
#: ``OWN`` is a fresh reservation of the caller's, ``KEY`` a fresh idempotency key, ``SCOPE`` a
#: send counter scope of the attack's own.
OWN, KEY, SCOPE = "<own reservation>", "<fresh key>", "<own scope>"
BENIGN: dict[str, list[Any]] = {
    "leaddesk_reserve": [1, "email", "", "", KEY, None, "attack-suite"],
    "leaddesk_reserve_many": [[{"cost": 1, "action": "email", "key": KEY}], None, "attack-suite"],
    "leaddesk_settle": [OWN, "release", ""],
    "leaddesk_settle_many": [[{"reservation_id": OWN, "kind": "release"}]],
    "leaddesk_count_sends": [[{"scope": SCOPE, "period": "d2099-01-01", "limit": 1000}], 1],
}
_BY_TYPE: dict[str, Any] = {"integer": 1, "text": "", "uuid": OWN, "jsonb": []}

#: Hostile values by argument type (jsonb also gets item-level variants).
VICTIM_RESERVATION, VICTIM_SETTLED, VICTIM_KEY = "<victim hold>", "<victim settled>", "<victim key>"
PRECLAIM = "<settle key of the victim's hold>"
VICTIM_SCOPE = "<the victim's send counter scope>"
LONG_TEXT = "x" * 100_000
HOSTILE: dict[str, dict[str, Any]] = {
    "integer": {"negative": -1, "zero": 0, "huge": INT_MAX, "min": -(2**31), "null": None},
    "text": {"null": None, "long": LONG_TEXT},
    "uuid": {"null": None, "random": "<random uuid>", "victim": VICTIM_RESERVATION,
             "victim-settled": VICTIM_SETTLED},
    "jsonb": {"null": None, "object": {"items": []}, "scalar": "items", "huge": "<100,000 items>",
              "repeated": "<the item twice>"},
}
_ITEM_VARIANTS: dict[str, Any] = {
    "missing": "<missing>", "null": None, "negative": -1, "zero": 0, "huge": INT_MAX,
    "text": "many", "long": LONG_TEXT, "victim": VICTIM_RESERVATION, "victim-key": VICTIM_KEY,
    "victim-scope": VICTIM_SCOPE,
}
#: Argument-specific variants beyond the type's (the ledger's idempotency keys).
EXTRA_HOSTILE: dict[tuple[str, int], dict[str, Any]] = {
    ("leaddesk_reserve", 4): {"victim-key": VICTIM_KEY, "preclaim": PRECLAIM},
}


def benign_args(name: str, types: Sequence[str]) -> list[Any]:
    return list(BENIGN.get(name) or [_BY_TYPE.get(t) for t in types])


@dataclass(frozen=True)
class Call:
    role: str
    function: str
    arg: int  # -1: the well-formed call itself
    variant: str
    item_key: str = ""

    @property
    def id(self) -> str:
        where = "call" if self.arg < 0 else f"arg{self.arg}"
        item = f"[{self.item_key}]" if self.item_key else ""
        return f"{self.role}-{self.function}-{where}{item}-{self.variant}"


def hostile_calls() -> list[Call]:
    calls: list[Call] = []
    for role in ATTACKERS:
        for name, types in member_functions().items():
            calls.append(Call(role, name, -1, "benign"))
            benign = benign_args(name, types)
            for index, type_ in enumerate(types):
                variants = {**HOSTILE.get(type_, {"null": None}),
                            **EXTRA_HOSTILE.get((name, index), {})}
                calls += [Call(role, name, index, v) for v in variants]
                value = benign[index] if index < len(benign) else None
                if type_ == "jsonb" and isinstance(value, list) and value:
                    for key in value[0]:
                        calls += [Call(role, name, index, v, key) for v in _ITEM_VARIANTS]
    return calls


def hostile_value(call: Call, types: Sequence[str]) -> Any:
    """The hostile value of ``call`` (placeholders are filled in at run time)."""
    type_ = types[call.arg]
    if call.item_key:
        variant = _ITEM_VARIANTS[call.variant]
        item = dict(benign_args(call.function, types)[call.arg][0])
        if variant == "<missing>":
            item.pop(call.item_key)
        else:
            item[call.item_key] = variant
        return [item]
    variants = {**HOSTILE.get(type_, {"null": None}),
                **EXTRA_HOSTILE.get((call.function, call.arg), {})}
    return variants[call.variant]


# --- building the statements (run time) ---------------------------------------------------------

_PG = postgresql.dialect()


def pg_type(column: Column[Any]) -> str:
    return column.type.compile(dialect=_PG)


def as_text(value: Any) -> str | None:
    """A value as PostgreSQL's text input for its column (cast in the statement)."""
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def unique_columns(t: Table) -> set[str]:
    names = {c.name for c in t.c if c.unique}
    for constraint in t.constraints:
        if type(constraint).__name__ == "UniqueConstraint":
            names |= {c.name for c in constraint.columns}
    for index in t.indexes:
        if index.unique:
            names |= {c.name for c in index.columns}
    return names | set(pk_names(t))


def fresh_value(column: Column[Any]) -> Any:
    """A new value for a key column (no collision with any row)."""
    if isinstance(column.type, Integer):
        return 100_000 + secrets.randbelow(1_000_000)
    if isinstance(column.type, String) and not isinstance(column.type, Enum):
        length = column.type.length or 32
        return ("f" + secrets.token_hex(16))[:length]
    return uuid.uuid4()


def owner_sql(t: Table, alias: str = "t", depth: int = 0) -> str:
    """SQL giving the owning user's id of a row of ``t`` (``alias``), or NULL (team-wide)."""
    rule = rule_of(t)
    if isinstance(rule, scoping.Owned | scoping.OwnedOrAbout):
        return f"{alias}.{rule.column}"
    if isinstance(rule, scoping.Child):
        parent = table(rule.parent)
        inner = f"p{depth}"
        key = pk_names(parent)[0]
        return (f"(SELECT {owner_sql(parent, inner, depth + 1)} FROM public.{parent.name} "
                f"{inner} WHERE {inner}.{key} = {alias}.{rule.column})")
    return "NULL::uuid"


@dataclass
class World:
    """The seeded database as the superuser sees it (row-level security does not apply)."""

    su: psycopg.Connection[dict[str, Any]]
    users: dict[str, uuid.UUID]

    def user(self, member: str) -> uuid.UUID | None:
        return None if member == NOBODY else self.users[member]

    def rows(self, t: Table, owner: str | None = None, limit: int = 5) -> list[dict[str, Any]]:
        """Rows of ``t`` (owned by the member ``owner``, if given), oldest keys first."""
        order = ", ".join(f"t.{k}" for k in pk_names(t))
        where, params = "", []
        if owner is not None:
            where = f"WHERE {owner_sql(t)} IS NOT DISTINCT FROM %s"
            params = [self.user(owner)]
        query = f"SELECT t.* FROM public.{t.name} t {where} ORDER BY {order} LIMIT {limit}"
        return list(self.su.execute(query, params).fetchall())

    def row(self, t: Table, owner: str | None = None, *, skip: int = 0) -> dict[str, Any]:
        found = self.rows(t, owner)
        if len(found) <= skip:
            raise LookupError(f"no {t.name} row of {owner or 'anyone'} to attack: seed one")
        return found[skip]


def changed_value(column: Column[Any], current: Any, world: World, attacker: str) -> Any:
    """A value ``column`` does not have: numbers raised, flags flipped, text changed, ids
    pointed at an outsider's row."""
    type_ = column.type
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column.table
        victim = next(m for m in MEMBERS if m not in scope_of(attacker) and
                      world.user(m) != current)
        if target.name == "users":
            return world.user(victim)
        rows = world.rows(target, victim if rule_of(target) else None)
        others = [r for r in rows if r[pk_names(target)[0]] != current]
        return others[0][pk_names(target)[0]] if others else uuid.uuid4()
    if isinstance(type_, Enum):
        return next(v for v in type_.enums if v != current)
    if isinstance(type_, Boolean):
        return not current
    if isinstance(type_, Integer):
        return (current or 0) + 1000
    if isinstance(type_, String):
        length = type_.length or 100
        text = ("forged-" + (current or ""))[:length]
        return text if text != current else "Z" * min(length, 8)
    if isinstance(type_, SAJSON):
        return {"forged": True}
    if isinstance(current, dt.datetime) or "TIMESTAMP" in pg_type(column):
        base = current or dt.datetime.now(dt.UTC)
        return base - dt.timedelta(days=30)
    return uuid.uuid4()


Statement = tuple[sql.Composable, list[Any]]


def update(t: Table, values: dict[str, Any], key: dict[str, Any]) -> Statement:
    sets = sql.SQL(", ").join(
        sql.SQL("{} = CAST(%s AS {})").format(sql.Identifier(name), sql.SQL(pg_type(t.c[name])))
        for name in values
    )
    where = sql.SQL(" AND ").join(
        sql.SQL("{} = CAST(%s AS {})").format(sql.Identifier(name), sql.SQL(pg_type(t.c[name])))
        for name in key
    )
    query = sql.SQL("UPDATE public.{} SET {} WHERE {}").format(sql.Identifier(t.name), sets, where)
    return query, [as_text(v) for v in (*values.values(), *key.values())]


def insert(t: Table, row: dict[str, Any], suffix: str = "") -> Statement:
    names = list(row)
    query = sql.SQL("INSERT INTO public.{} ({}) VALUES ({}){}").format(
        sql.Identifier(t.name),
        sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(
            sql.SQL("CAST(%s AS {})").format(sql.SQL(pg_type(t.c[n]))) for n in names
        ),
        sql.SQL(suffix),
    )
    return query, [as_text(row[n]) for n in names]


def delete(t: Table, key: dict[str, Any]) -> Statement:
    where = sql.SQL(" AND ").join(
        sql.SQL("{} = CAST(%s AS {})").format(sql.Identifier(name), sql.SQL(pg_type(t.c[name])))
        for name in key
    )
    query = sql.SQL("DELETE FROM public.{} WHERE {}").format(sql.Identifier(t.name), where)
    return query, [as_text(v) for v in key.values()]


def key_of(t: Table, row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in pk_names(t)}


class WriteBuilder:
    """Turns an :class:`Attack` into its statement against the seeded database."""

    def __init__(self, world: World) -> None:
        self.world = world

    def statement(self, attack: Attack) -> Statement:
        t = table(attack.table)
        attacker = ATTACKERS[attack.role]
        kind, target = attack.kind, attack.target
        name = sql.Identifier(t.name)
        if kind == "truncate":
            return sql.SQL("TRUNCATE public.{} CASCADE").format(name), []
        if kind == "alter":
            return sql.SQL("ALTER TABLE public.{} NO FORCE ROW LEVEL SECURITY").format(name), []
        if kind == "grant":
            return sql.SQL("GRANT ALL ON public.{} TO PUBLIC").format(name), []
        if t.name == "app_settings":
            return self._settings(t, kind, target, attacker)
        if kind == "update" and grants_for(t.name).user_update_columns:  # users: own row
            row = self._user_row(t, attacker)
            return update(t, {target: changed_value(t.c[target], row[target], self.world,
                                                    attacker)}, key_of(t, row))
        if kind == "update":
            row = self._visible_row(t, attacker)
            return update(t, {target: changed_value(t.c[target], row[target], self.world,
                                                    attacker)}, key_of(t, row))
        if kind == "insert":
            return insert(t, self._forged(t, attacker))
        if kind == "delete":
            return delete(t, key_of(t, self._visible_row(t, attacker)))
        if t.name == "suppressions":
            return self._suppression(t, kind, target, attacker)
        if kind == "update-other" and "." in target:  # users: another member's row
            member, column = target.split(".")
            row = self._user_row(t, member)
            return update(t, {column: changed_value(t.c[column], row[column], self.world,
                                                    attacker)}, key_of(t, row))
        if kind == "update-self":
            row = self._user_row(t, attacker)
            granted = sorted(grants_for(t.name).user_update_columns)
            values = {c: changed_value(t.c[c], row[c], self.world, attacker) for c in granted
                      if c not in pk_names(t)}
            return update(t, values, key_of(t, row))
        return self._scoped(t, kind, target, attacker)

    # -- rows ----------------------------------------------------------------------------------

    def _user_row(self, t: Table, member: str) -> dict[str, Any]:
        row = self.world.su.execute(f"SELECT * FROM public.{t.name} WHERE id = %s",
                                    [self.world.user(member)]).fetchone()
        assert row is not None
        return row

    def _visible_row(self, t: Table, attacker: str) -> dict[str, Any]:
        """A row the attacker can see: their own if the table is scoped, else any."""
        if rule_of(t) is None:
            return self.world.row(t)
        found = self.world.rows(t, attacker)
        return found[0] if found else self.world.row(t)

    def _forged(self, t: Table, attacker: str) -> dict[str, Any]:
        """A copy of a row (the attacker's own if any) with new keys and raised numbers."""
        source = dict(self._visible_row(t, attacker))
        for name in unique_columns(t):
            column = t.c[name]
            if column.foreign_keys and next(iter(column.foreign_keys)).column.table.name == \
                    "users":
                source[name] = self.world.user(attacker)
            else:
                source[name] = fresh_value(column)
        for column in t.c:
            if isinstance(column.type, Integer) and column.name not in unique_columns(t):
                source[column.name] = (source[column.name] or 0) + 1000
        return source

    def _copy(self, t: Table, source: dict[str, Any], owner: uuid.UUID | None,
              parent: Any = None) -> dict[str, Any]:
        """``source`` re-owned (Owned: the owner column; Child: the parent column), new keys."""
        rule = rule_of(t)
        row = dict(source)
        keep = set()
        if isinstance(rule, scoping.Owned | scoping.OwnedOrAbout):
            row[rule.column] = owner
            keep.add(rule.column)
        elif isinstance(rule, scoping.Child):
            row[rule.column] = parent
            keep.add(rule.column)
        for name in unique_columns(t) - keep:
            column = t.c[name]
            if not column.foreign_keys:
                row[name] = fresh_value(column)
        return row

    def _parent_of(self, t: Table, member: str, *, skip: int = 0) -> Any:
        rule = rule_of(t)
        assert isinstance(rule, scoping.Child)
        parent = table(rule.parent)
        return self.world.row(parent, member, skip=skip)[pk_names(parent)[0]]

    def own_insert(self, attack: Attack) -> Statement:
        """The allowed twin of an insert attack: the attacker's own row, copied alike."""
        t = table(attack.table)
        attacker = ATTACKERS[attack.role]
        if t.name == "suppressions":
            return self._suppression(t, "insert-own", "", attacker)
        if t.name == "app_settings":
            return self._settings(t, "upsert-user-key", "", attacker)
        if attack.kind == "update-self":
            return self.statement(attack)
        source = self.world.row(t, attacker)
        rule = rule_of(t)
        parent = None
        if isinstance(rule, scoping.Child):
            # Another of the attacker's parents than the source's, if any (a fresh key).
            parents = [self._parent_of(t, attacker, skip=i) for i in range(2)
                       if len(self.world.rows(table(rule.parent), attacker)) > i]
            parent = next((p for p in parents if p != source[rule.column]), parents[0])
        return insert(t, self._copy(t, source, self.world.user(attacker), parent))

    def _scoped(self, t: Table, kind: str, target: str, attacker: str) -> Statement:
        rule = rule_of(t)
        me = self.world.user(attacker)
        if kind == "insert-owner":
            source = self._visible_row(t, attacker)
            return insert(t, self._copy(t, source, self.world.user(target)))
        if kind == "reassign":  # an own row handed to an outsider
            assert isinstance(rule, scoping.Owned)
            row = self._row_of(t, attacker, UPDATE)
            return update(t, {rule.column: self.world.user(target)}, key_of(t, row))
        if kind == "insert-parent":
            source = self._visible_row(t, attacker)
            return insert(t, self._copy(t, source, None, self._parent_of(t, target)))
        if kind == "reparent":
            assert isinstance(rule, scoping.Child)
            row = self._row_of(t, attacker, UPDATE)
            return update(t, {rule.column: self._parent_of(t, target)}, key_of(t, row))
        victim_row = self._row_of(t, target, UPDATE if kind != "delete-other" else DELETE)
        if kind == "update-other":
            column = self._plain_column(t)
            return update(t, {column: changed_value(t.c[column], victim_row[column], self.world,
                                                    attacker)}, key_of(t, victim_row))
        if kind == "steal":
            if isinstance(rule, scoping.Owned):
                return update(t, {rule.column: me}, key_of(t, victim_row))
            assert isinstance(rule, scoping.Child)
            return update(t, {rule.column: self._parent_of(t, attacker)}, key_of(t, victim_row))
        if kind == "delete-other":
            return delete(t, key_of(t, victim_row))
        raise ValueError(f"unknown attack {kind}")

    def _row_of(self, t: Table, member: str, verb: str) -> dict[str, Any]:
        """``member``'s row; where members hold no ``verb`` at all, any row will do (the
        privilege check refuses before any row is looked at)."""
        found = self.world.rows(t, member)
        if found or verb not in denied(t):
            return found[0] if found else self.world.row(t, member)
        return self.world.row(t)

    @staticmethod
    def _plain_column(t: Table) -> str:
        """A column that is neither a key nor the scoping column (the first such)."""
        rule = rule_of(t)
        skip = unique_columns(t) | {getattr(rule, "column", "")}
        plain = [c.name for c in t.c if c.name not in skip and not c.foreign_keys]
        keys = [c.name for c in t.c if c.name != getattr(rule, "column", "")
                and not c.foreign_keys]
        return (plain or keys)[0]  # lead_tags: nothing but its key (the tag)

    # -- team-wide tables ---------------------------------------------------------------------

    def _suppression(self, t: Table, kind: str, target: str, attacker: str) -> Statement:
        source = self.world.row(t)
        row = {**source, "id": uuid.uuid4(), "value": f"{secrets.token_hex(6)}@gone.example",
               "created_by_id": self.world.user(attacker), "deleted_at": None}
        if kind == "insert-owner":
            row["created_by_id"] = self.world.user(target)
        elif kind == "insert-deleted":
            row["deleted_at"] = dt.datetime.now(dt.UTC)
        return insert(t, row)

    def _settings(self, t: Table, kind: str, target: str, attacker: str) -> Statement:
        admin_rows = [r for r in self.world.rows(t, limit=100)
                      if r["key"] not in USER_WRITABLE_SETTINGS]
        if not admin_rows:
            raise LookupError("no admin-only setting to attack: seed one")
        row = admin_rows[0]
        if kind in ("update", "update-admin-key"):
            return update(t, {target: changed_value(t.c[target], row[target], self.world,
                                                    attacker)}, key_of(t, row))
        if kind == "insert":
            return insert(t, {**row, "key": f"forged_{secrets.token_hex(4)}"})
        if kind == "insert-admin-key":
            return insert(t, {**row, "key": f"forged_{secrets.token_hex(4)}",
                              "value": {"value": True}})
        if kind == "upsert-admin-key":
            return insert(t, {**row, "value": {"value": "forged"}},
                          " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
        if kind == "delete":
            return delete(t, key_of(t, row))
        user_key = sorted(USER_WRITABLE_SETTINGS)[0]
        if kind == "widen-user-key":  # rename the user's own setting into an admin's
            return update(t, {"key": f"forged_{secrets.token_hex(4)}"}, {"key": user_key})
        if kind == "upsert-user-key":
            return insert(t, {**row, "key": user_key, "value": {"value": {"csv": "mine"}}},
                          " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
        raise ValueError(f"unknown settings attack {kind}")


# --- seeding gaps ------------------------------------------------------------------------------


def synthesized_row(t: Table, world: World, owner: str) -> dict[str, Any]:
    """A plain row of ``t`` owned by ``owner`` (for tables no service seeded)."""
    rule = rule_of(t)
    row: dict[str, Any] = {}
    for column in t.c:
        default = column.default
        if isinstance(rule, scoping.Owned | scoping.OwnedOrAbout) and column.name == rule.column:
            row[column.name] = world.user(owner)
        elif isinstance(rule, scoping.Child) and column.name == rule.column:
            parent = table(rule.parent)
            row[column.name] = world.row(parent, owner)[pk_names(parent)[0]]
        elif column.foreign_keys:
            target = next(iter(column.foreign_keys)).column.table
            found = world.rows(target, owner if rule_of(target) else None, limit=1)
            row[column.name] = found[0][pk_names(target)[0]] if found else None
        elif column.primary_key:
            row[column.name] = fresh_value(column)
        elif default is not None and getattr(default, "is_scalar", False):
            row[column.name] = default.arg  # type: ignore[attr-defined]
        elif column.nullable:
            row[column.name] = None
        elif isinstance(column.type, Enum):
            row[column.name] = column.type.enums[0]
        elif isinstance(column.type, Boolean):
            row[column.name] = False
        elif isinstance(column.type, Integer):
            row[column.name] = 0
        elif isinstance(column.type, String):
            row[column.name] = f"{owner} {t.name}"[: column.type.length or 100]
        elif isinstance(column.type, SAJSON):
            row[column.name] = {}
        elif "TIMESTAMP" in pg_type(column):
            row[column.name] = dt.datetime.now(dt.UTC)
        else:
            row[column.name] = uuid.uuid4()
    return row


def fill_gaps(world: World) -> list[str]:
    """Every member owns a row of every scoped table members write (a synthesized row where
    the services seeded none); returns what was added."""
    added = []
    for t in all_tables():
        rule = rule_of(t)
        if not (member_inserts(t) and isinstance(rule, scoping.Owned | scoping.Child)):
            continue
        for member in MEMBERS:
            if not world.rows(t, member, limit=1):
                query, params = insert(t, synthesized_row(t, world, member))
                world.su.execute(query, params)
                added.append(f"{t.name}:{member}")
    return added

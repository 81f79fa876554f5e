"""Leads as database-ready tuples, for bulk writes through the driver.

The ORM would need gigabytes for a million objects; here each lead is one tuple in the column
order of ``leads``, its values converted by the column types' own bind processors. A builder
needs only a dialect *name*, so the importer's worker processes build rows too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Enum, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from leaddesk.store.models import Lead

COLUMNS = [c.name for c in Lead.__table__.columns]
POSITIONS = {name: i for i, name in enumerate(COLUMNS)}
#: Plain text columns: their cleaned values are already what the driver takes.
TEXT_FIELDS = frozenset(
    c.name
    for c in Lead.__table__.columns
    if isinstance(c.type, String) and not isinstance(c.type, Enum)
)


def dialect_named(name: str) -> Dialect:
    """A dialect object for ``name`` without an engine (bind processors need no connection)."""
    if name == "sqlite":
        return sqlite.pysqlite.SQLiteDialect_pysqlite()
    if name == "postgresql":
        return postgresql.psycopg.PGDialect_psycopg()
    raise ValueError(f"no bulk lead rows for the {name!r} database")


class LeadRowBuilder:
    """Builds insert tuples for new leads owned by ``owner_id``, created ``now``."""

    def __init__(self, dialect: Dialect, owner_id: uuid.UUID | None, now: dt.datetime) -> None:
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self._hex_ids = dialect.name == "sqlite"  # Uuid is CHAR(32) hex there
        self._procs = {
            c.name: c.type._cached_bind_processor(dialect) for c in Lead.__table__.columns
        }
        template = []
        for column in Lead.__table__.columns:
            default = column.default
            value: Any = None
            if default is not None:
                value = default.arg if default.is_scalar else default.arg(None)
            if column.name in ("created_at", "updated_at"):
                value = now
            elif column.name == "owner_id":
                value = owner_id
            template.append(self.db(column.name, value))
        self.template = template
        self.id_position = POSITIONS["id"]
        marks = ", ".join(self.mark for _ in COLUMNS)
        self.insert_sql = f"INSERT INTO leads ({', '.join(COLUMNS)}) VALUES ({marks})"

    def db(self, name: str, value: Any) -> Any:
        """``value`` of column ``name`` in the driver's form."""
        proc = self._procs[name]
        return proc(value) if proc is not None and value is not None else value

    def id_value(self, hex_id: str) -> Any:
        """A key made by ``new_id_hexes`` in the driver's form."""
        return hex_id if self._hex_ids else self.db("id", uuid.UUID(hex=hex_id))

    def row(self, values: Mapping[str, Any], lead_id: Any) -> tuple[Any, ...]:
        """The insert tuple of cleaned ``values`` (``tags`` is not a column: left out)."""
        row = list(self.template)
        row[POSITIONS["id"]] = lead_id
        for name, value in values.items():
            if name in TEXT_FIELDS:
                row[POSITIONS[name]] = value
            elif name != "tags":
                row[POSITIONS[name]] = self.db(name, value)
        return tuple(row)

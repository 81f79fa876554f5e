"""Bring a database to this version's schema: back it up, upgrade, or refuse it.

A database stamped with a revision this version does not know comes from a newer LeadDesk;
it is refused untouched rather than guessed at.

Telling where a database stands needs no Alembic, whose import costs more than the rest of
opening a database: this version's revisions are read from the revision files' own ``revision``
and ``down_revision`` lines, the database's from its ``alembic_version`` table. Alembic is
imported to run an upgrade.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import logging
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from leaddesk.store.errors import DatabaseTooNewError

if TYPE_CHECKING:
    from alembic.config import Config

from leaddesk.store.database import create_private

log = logging.getLogger("leaddesk.store")

SCRIPT_LOCATION = str(Path(__file__).resolve().parent / "migrations")
#: What migrations build by hand and the models do not describe (the FTS5 table and its shadow
#: tables, the pg_trgm index, the duplicate-key indexes): comparisons with the models ignore it.
UNMODELLED_PREFIXES = ("leads_fts", "ix_leads_search_", "ix_leads_key_")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic ``include_object`` hook: leave out the unmodelled search structures."""
    return not (reflected and compare_to is None and (name or "").startswith(UNMODELLED_PREFIXES))


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str
    has_tables: bool

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


#: ``revision: str = "0002"`` and ``down_revision: str | None = "0001"`` at the top level of a
#: revision file (as Alembic's template writes them).
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+?)\s*$", re.MULTILINE)


@functools.cache
def revisions() -> dict[str, tuple[str, ...]]:
    """Every revision this version ships, with the ones it follows: the top-level
    ``revision`` and ``down_revision`` of each file in ``versions/``, which is what Alembic
    imports those files to learn (tests/unit/store/test_migrations.py checks that they agree)."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted((Path(SCRIPT_LOCATION) / "versions").glob("*.py")):
        values = {
            name: ast.literal_eval(value)
            for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8"))
        }
        revision, down = values.get("revision"), values.get("down_revision")
        if isinstance(revision, str):
            follows = down if isinstance(down, tuple | list) else () if down is None else (down,)
            found[revision] = tuple(map(str, follows))
    return found


def head_revision() -> str:
    known = revisions()
    heads = sorted(set(known) - {earlier for follows in known.values() for earlier in follows})
    if len(heads) != 1:
        raise RuntimeError(f"migration history must have one head, found {heads}")
    return heads[0]


def schema_state(engine: Engine) -> SchemaState:
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        current = (
            conn.scalar(text("SELECT version_num FROM alembic_version"))
            if "alembic_version" in tables
            else None
        )
    return SchemaState(
        current=current, head=head_revision(), has_tables=bool(tables - {"alembic_version"})
    )


def check_not_newer(state: SchemaState) -> None:
    if state.current is None:
        return
    if state.current not in revisions():
        raise DatabaseTooNewError(
            f"this database is at schema revision {state.current}, which this LeadDesk "
            f"(schema {state.head}) does not know: it was written by a newer LeadDesk. "
            "Install the newer version to open it; the database was left untouched."
        )


def backup_sqlite(engine: Engine, dest_dir: Path, label: str) -> Path | None:
    """Copy a SQLite database with the online backup API (safe with WAL)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    source = Path(database)
    if not source.exists():
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    dest_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = dest_dir / f"{source.stem}-{label}-{stamp}.db"
    create_private(str(target))  # a backup holds every lead, as the database does
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    log.info("backed up %s to %s", source, target)
    return target


def upgrade(engine: Engine, backup_dir: Path | None = None) -> SchemaState:
    """Upgrade to head if needed (after a backup of a non-empty SQLite file)."""
    state = schema_state(engine)
    check_not_newer(state)
    if state.up_to_date:
        return state
    if state.current is None and state.has_tables:
        raise RuntimeError(
            "this database has tables but no LeadDesk schema revision: it is not a LeadDesk "
            "database, or it was created without migrations"
        )
    if state.has_tables and backup_dir is not None:
        backup_sqlite(engine, backup_dir, f"before-{state.head}")
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return schema_state(engine)

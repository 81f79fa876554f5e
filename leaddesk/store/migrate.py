"""Bring a database to this version's schema: back it up, upgrade, or refuse it.

A database stamped with a revision this version does not know comes from a newer LeadDesk;
it is refused untouched rather than guessed at.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from leaddesk.store.errors import DatabaseTooNewError

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
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def head_revision() -> str:
    script = ScriptDirectory(SCRIPT_LOCATION)
    heads = script.get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migration history must have one head, found {heads}")
    return heads[0]


def schema_state(engine: Engine) -> SchemaState:
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        has_tables = bool(set(inspect(conn).get_table_names()) - {"alembic_version"})
    return SchemaState(current=current, head=head_revision(), has_tables=has_tables)


def check_not_newer(state: SchemaState) -> None:
    if state.current is None:
        return
    known = {rev.revision for rev in ScriptDirectory(SCRIPT_LOCATION).walk_revisions()}
    if state.current not in known:
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
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / f"{source.stem}-{label}-{stamp}.db"
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
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return schema_state(engine)

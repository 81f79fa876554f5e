"""Full-text search over leads: name, email, company, title and notes, as substrings.

SQLite answers from the FTS5 trigram index ``leads_fts`` (built and kept in sync by triggers in
migration 0003; its rowids are ``leads.rowid``). PostgreSQL answers ``ILIKE`` from a pg_trgm GIN
index over one text expression. Each whitespace-separated term must occur (AND). Terms shorter
than three characters have no trigram: alone they match the start of a name, email or company
(what a user typing "Jo" expects), which a keyset page answers by walking its sort index; beside
longer terms ("vp sales") they are plain substrings of the rows the index found.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Boolean, Connection, Engine, and_, bindparam, or_
from sqlalchemy import text as text_clause
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from leaddesk.store.models import Lead

MIN_TERM = 3
#: A search matching this many leads is walked along the sort index (see ``lead_plan``) ...
DENSE_MATCHES = 5000
#: ... and testing each walked row beats collecting the matches from this share of leads on.
EACH_ROW_SHARE = 0.2
#: Rows indexed per statement after a bulk insert.
BULK_SLICE = 100_000
#: FTS5 buffers this much of a bulk insert in memory before writing a segment (default 1 MB).
BULK_HASH_BYTES = 64 * 1024 * 1024
DEFAULT_HASH_BYTES = 1024 * 1024
MAX_TERMS = 8
PREFIX_COLUMNS = ("first_name", "last_name", "email", "company")
SEARCHED_COLUMNS = ("first_name", "last_name", "email", "company", "title", "notes")
#: The PostgreSQL expression the GIN index of migration 0003 is built on (must stay identical).
PG_TEXT = " || ' ' || ".join(SEARCHED_COLUMNS)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_query(terms: list[str]) -> str:
    """An FTS5 MATCH string requiring every term as a substring (each quoted as a phrase)."""
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


class ContainsAll(ColumnElement[bool]):
    """``leads`` rows whose searched text contains every term; compiled per dialect."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [
        ("match", InternalTraversal.dp_clauseelement),
        ("patterns", InternalTraversal.dp_clauseelement_tuple),
        ("walk", InternalTraversal.dp_string),
    ]

    def __init__(self, terms: list[str], walk: str = "") -> None:
        self.match: BindParameter[str] = bindparam(None, fts_query(terms), unique=True)
        self.patterns = tuple(bindparam(None, _like_pattern(t), unique=True) for t in terms)
        self.walk = walk


@compiles(ContainsAll, "sqlite")
def _sqlite(element: ContainsAll, compiler: Any, **kw: Any) -> str:
    match = compiler.process(element.match, **kw)
    if element.walk == "each":  # tested row by row along a sort index (see lead_plan)
        return (
            f"EXISTS (SELECT 1 FROM leads_fts WHERE leads_fts MATCH {match} "
            "AND leads_fts.rowid = leads.rowid)"
        )
    rowid = "+leads.rowid" if element.walk == "list" else "leads.rowid"
    return f"{rowid} IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH {match})"


@compiles(ContainsAll, "postgresql")
def _postgresql(element: ContainsAll, compiler: Any, **kw: Any) -> str:
    text = "(" + " || ' ' || ".join(f"leads.{c}" for c in SEARCHED_COLUMNS) + ")"  # = PG_TEXT
    return " AND ".join(
        f"{text} ILIKE {compiler.process(p, **kw)} ESCAPE '\\'" for p in element.patterns
    )


@compiles(ContainsAll)
def _default(element: ContainsAll, compiler: Any, **kw: Any) -> str:
    columns = [getattr(Lead, c) for c in SEARCHED_COLUMNS]
    clause = and_(*(or_(*(c.ilike(p, escape="\\") for c in columns)) for p in element.patterns))
    return compiler.process(clause, **kw)


def _terms(text: str) -> list[str]:
    return list(dict.fromkeys(text.split()))[:MAX_TERMS]


def search_condition(text: str, walk: str = "") -> ColumnElement[bool] | None:
    """The WHERE condition for a search box's text, or None when it holds no term.

    ``walk`` (``lead_plan``): "" lets the search index drive; with "list" the matches are
    collected once and a sort index drives; with "each" every row walked is tested alone.
    """
    terms = _terms(text)
    if not terms:
        return None
    long_terms = [t for t in terms if len(t) >= MIN_TERM]
    conditions: list[ColumnElement[bool]] = [ContainsAll(long_terms, walk)] if long_terms else []
    for term in terms:
        if len(term) >= MIN_TERM:
            continue
        if long_terms:  # "vp sales": the index narrows, the short term is a plain substring
            columns, test = SEARCHED_COLUMNS, "icontains"
        else:
            columns, test = PREFIX_COLUMNS, "istartswith"
        conditions.append(
            or_(*(getattr(getattr(Lead, c), test)(term, autoescape=True) for c in columns))
        )
    return and_(*conditions)


def indexed_matches(session: Session, text: str, cap: int = DENSE_MATCHES) -> int | None:
    """How many leads the search's indexed terms match, counted up to ``cap``.

    None when there is nothing to ask the index (no term of three characters, or PostgreSQL).
    """
    long_terms = [t for t in _terms(text) if len(t) >= MIN_TERM]
    if not long_terms or session.get_bind().dialect.name != "sqlite":
        return None
    found = session.execute(
        text_clause(
            "SELECT count(*) FROM (SELECT rowid FROM leads_fts WHERE leads_fts MATCH :q LIMIT :n)"
        ),
        {"q": fts_query(long_terms), "n": cap},
    ).scalar()
    return int(found or 0)


# -- keeping the SQLite index -------------------------------------------------------------------

_FTS_COLUMNS = "name, email, company, title, notes"


def _values(prefix: str) -> str:
    return ", ".join(
        [f"{prefix}first_name || ' ' || {prefix}last_name"]
        + [f"{prefix}{c}" for c in ("email", "company", "title", "notes")]
    )


_TRIGGERS = {
    "leads_fts_insert": f"""CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
        INSERT INTO leads_fts (rowid, {_FTS_COLUMNS}) VALUES (new.rowid, {_values("new.")});
    END""",
    "leads_fts_delete": f"""CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
        INSERT INTO leads_fts (leads_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.rowid, {_values("old.")});
    END""",
    "leads_fts_update": f"""CREATE TRIGGER leads_fts_update
    AFTER UPDATE OF first_name, last_name, email, company, title, notes ON leads BEGIN
        INSERT INTO leads_fts (leads_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.rowid, {_values("old.")});
        INSERT INTO leads_fts (rowid, {_FTS_COLUMNS}) VALUES (new.rowid, {_values("new.")});
    END""",
}


def ensure_search_index(engine: Engine) -> bool:
    """Rebuild the SQLite search index when its triggers are gone; True if it was rebuilt.

    A later migration that recreates ``leads`` (SQLite batch mode copies the table) drops the
    triggers and may renumber rowids: the index is then rebuilt from the table, here.
    """
    if engine.dialect.name != "sqlite":
        return False
    with engine.begin() as conn:
        names = {
            row[0]
            for row in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name LIKE 'leads_fts%'"
            )
        }
        if "leads_fts" not in names or set(_TRIGGERS) <= names:
            return False
        for name in _TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        conn.exec_driver_sql("INSERT INTO leads_fts (leads_fts) VALUES ('delete-all')")
        conn.exec_driver_sql(
            f"INSERT INTO leads_fts (rowid, {_FTS_COLUMNS}) SELECT rowid, {_values('')} FROM leads"
        )
        for sql in _TRIGGERS.values():
            conn.exec_driver_sql(sql)
    return True


@contextlib.contextmanager
def bulk_insert(conn: Connection) -> Iterator[None]:
    """Index the leads inserted inside this block in one statement at its end (SQLite).

    FTS5 flushes its pending data at every statement's savepoint, so a trigger feeding it one
    row per INSERT is several times slower than one ``INSERT ... SELECT`` over the new rows.
    Only the insert trigger is suspended: rows inserted here must not be updated or deleted
    inside the block (those triggers would remove index entries not yet written).
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    base = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM leads").scalar()
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS leads_fts_insert")
    yield
    top = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM leads").scalar()
    if top - base > BULK_SLICE:  # fewer, bigger segments to merge: ~35% less time
        _fts_config(conn, "hashsize", BULK_HASH_BYTES)
    # In slices: one statement's journal (kept in memory) then holds one slice's index pages.
    for start in range(base, top, BULK_SLICE):
        conn.exec_driver_sql(
            f"INSERT INTO leads_fts (rowid, {_FTS_COLUMNS}) "
            f"SELECT rowid, {_values('')} FROM leads WHERE rowid > ? AND rowid <= ?",
            (start, min(start + BULK_SLICE, top)),
        )
    conn.exec_driver_sql(_TRIGGERS["leads_fts_insert"])
    if top - base > BULK_SLICE:
        _fts_config(conn, "hashsize", DEFAULT_HASH_BYTES)


def _fts_config(conn: Connection, name: str, value: int) -> None:
    """Set an FTS5 configuration option of ``leads_fts`` (stored with the index)."""
    conn.exec_driver_sql("INSERT INTO leads_fts (leads_fts, rank) VALUES (?, ?)", (name, value))

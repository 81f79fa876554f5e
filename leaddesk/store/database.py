"""Engines and sessions: one ``Store`` per database, built by the app at start (never at import).

SQLite runs in WAL mode with foreign keys and a busy timeout. Write sessions on SQLite begin
with ``BEGIN IMMEDIATE`` so that two writers queue on the busy timeout instead of failing with
"database is locked" when a read transaction tries to upgrade.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from leaddesk.store import scoping
from leaddesk.store.change_feed import ChangeFeed, feed_for
from leaddesk.store.checkpointer import Checkpointer

log = logging.getLogger("leaddesk.store")
BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "leaddesk_write"
#: A bulk write's temporary storage (sorts, statement journals) goes to files, not memory.
_SPILL_OPTION = "leaddesk_spill"
_SPILLING = "leaddesk_spilling"  # in a pooled connection's info while it spills


#: Each file database's background checkpointer (see ``checkpointer``), found by its engine.
_CHECKPOINTERS: weakref.WeakKeyDictionary[Engine, Checkpointer] = weakref.WeakKeyDictionary()


def _configure_sqlite(engine: Engine) -> None:
    path = engine.url.database or ""
    file_backed = bool(path) and path != ":memory:" and not path.startswith("file:")
    if file_backed:
        checkpointer = _CHECKPOINTERS[engine] = Checkpointer(path)
        if os.path.exists(f"{path}-wal"):  # a log left by a crash: fold it in, off this thread
            checkpointer.request()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # The driver's own transaction handling is turned off; "begin" below emits BEGIN.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA cache_size = -65536")
        cur.execute("PRAGMA temp_store = MEMORY")
        if file_backed:  # checkpoints run on the checkpointer's thread, not inside COMMIT
            cur.execute("PRAGMA wal_autocheckpoint = 0")
        cur.close()

    if file_backed:

        @event.listens_for(engine, "commit")
        def _on_commit(_conn: Any) -> None:
            # Fired before the COMMIT itself: the checkpointer settles a moment, and retries
            # while frames are still being written.
            _CHECKPOINTERS[engine].request()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(_SPILL_OPTION, False):
            # Before BEGIN: SQLite refuses to change temporary storage inside a transaction.
            conn.exec_driver_sql("PRAGMA temp_store = FILE")
            conn.connection.info[_SPILLING] = True
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITE_OPTION, False) else "BEGIN")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: Any, record: Any) -> None:
        # Back in the pool, out of its transaction: the usual in-memory temporary storage.
        if record.info.pop(_SPILLING, False) and dbapi_conn is not None:
            dbapi_conn.execute("PRAGMA temp_store = MEMORY")


def create_private(database: str | None) -> None:
    """A new SQLite file is readable by its owner only (0600; SQLite gives its -wal and -shm
    files the same mode): every lead of every user is in it. An existing file keeps its mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine configured for LeadDesk on SQLite or PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        create_private(parsed.database)
        connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


@dataclass
class Store:
    """A database: its engine and the session factories services use per call."""

    engine: Engine
    _read: sessionmaker[Session] = field(init=False, repr=False)
    _write: sessionmaker[Session] = field(init=False, repr=False)
    _bulk_write: sessionmaker[Session] = field(init=False, repr=False)
    #: The user whose scope every session applies (``None``: unscoped system sessions).
    user_id: uuid.UUID | None = field(default=None, init=False)
    #: Turns a refused write into the caller's error type (services: PermissionDeniedError).
    refusal_error: Callable[[scoping.ScopeViolation], Exception] | None = field(
        default=None, init=False, repr=False
    )

    def __post_init__(self) -> None:
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        writer = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._write = sessionmaker(writer, expire_on_commit=False)
        bulk = self.engine.execution_options(**{_WRITE_OPTION: True, _SPILL_OPTION: True})
        self._bulk_write = sessionmaker(bulk, expire_on_commit=False)
        for factory in (self._read, self._write, self._bulk_write):
            scoping.install(factory)
        feed_for(self.engine)  # every commit from now on is announced

    @property
    def changes(self) -> ChangeFeed:
        """What each commit wrote (see ``leaddesk.store.change_feed``)."""
        return feed_for(self.engine)

    @classmethod
    def open(cls, url: str, **kwargs: Any) -> Store:
        return cls(make_engine(url, **kwargs))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def as_user(
        self,
        user_id: uuid.UUID,
        refusal_error: Callable[[scoping.ScopeViolation], Exception] | None = None,
    ) -> Store:
        """The same database, every session scoped to ``user_id`` (see ``store.scoping``)."""
        bound = copy.copy(self)
        bound.user_id = user_id
        bound.refusal_error = refusal_error
        return bound

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A short read-only session."""
        with self._session(self._read) as session:
            yield session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A short write transaction, committed on success and rolled back on error."""
        with self._session(self._write) as session:
            yield session

    @contextlib.contextmanager
    def bulk_write(self) -> Iterator[Session]:
        """A write transaction for a bulk load. On SQLite its temporary storage (index-build
        sorts, statement journals) spills to files instead of memory, so the memory it needs
        stays flat in the load's size (measured: 366 MB against 301 MB for a million leads)."""
        with self._session(self._bulk_write) as session:
            yield session

    @contextlib.contextmanager
    def _session(self, factory: sessionmaker[Session]) -> Iterator[Session]:
        info = {} if self.user_id is None else {scoping.USER_KEY: self.user_id}
        try:
            with factory(info=info) as session, session.begin():
                yield session
        except scoping.ScopeViolation as exc:
            # Rolled back by now; the refused attempt itself is audited in its own transaction
            # (not for a deactivated account, which on PostgreSQL may not write at all).
            if exc.action != scoping.NO_ACCOUNT:
                with self._write() as audit, audit.begin():
                    audit.execute(scoping.refusal_entry(exc))
            error = self.refusal_error(exc) if self.refusal_error else exc
            if error is exc:
                raise
            raise error from exc

    def dispose(self) -> None:
        if self.dialect == "sqlite":
            # SQLite's advice on closing: refresh planner statistics the session found stale.
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
                    conn.exec_driver_sql("PRAGMA optimize")
            except SQLAlchemyError as err:  # a read-only or vanished file: nothing to refresh
                log.debug("PRAGMA optimize skipped: %s", err)
            checkpointer = _CHECKPOINTERS.pop(self.engine, None)
            if checkpointer is not None:
                checkpointer.close()
        self.engine.dispose()

"""Group commit: many threads' short write operations share one SQLite transaction.

SQLite runs one writer at a time and a commit costs more than the statements of a reservation,
so eight threads reserving in eight transactions queue behind eight commits. Here the first
thread to arrive leads: it takes every operation waiting, runs each inside its own SAVEPOINT (so
one that fails rolls back alone) in one transaction, commits, and only then hands each caller its
result or error. A caller never sees a result that was not committed. Leadership passes to a
waiting thread after each batch, so no caller serves the others forever.

No SAVEPOINT per operation (it cost as much as the operation): an operation may raise one of
its ``clean`` errors only before its first write (a refusal); any other error rolls the whole
batch back and every operation of it runs again alone, in its own transaction. So operations
must not call back into another write (no nesting) and must be pure database work.

On SQLite an operation may also be *raw* (:meth:`GroupCommit.run_raw`): it gets the driver's
``sqlite3`` connection instead of a Session, for tiny hot-path writes such as the outbox's
per-message handoff marker, whose statements need not commit together. Raw operations go first
(a sender waits for them) and alone run without any Session or Core machinery, each statement
committing on its own; in a batch with others they share its transaction.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from leaddesk.store import change_feed
from leaddesk.store.change_feed import Change
from leaddesk.store.database import Store

MAX_BATCH = 64

Work = Callable[[Session], Any]


class _Op:
    __slots__ = ("clean", "done", "error", "lead", "raw", "result", "tables", "wake", "work")

    def __init__(self, work: Work, clean: tuple[type[Exception], ...], raw: bool = False,
                 tables: frozenset[str] = frozenset()) -> None:
        self.work = work
        self.clean = clean
        self.raw = raw
        self.tables = tables  # what a raw operation writes (the change feed cannot see it)
        self.wake = threading.Event()
        self.lead = False
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None


class GroupCommit:
    """The combiner of one engine and user. It holds no reference to the engine (the registry is
    keyed weakly by it): each batch runs on the leading caller's store, which is scoped to the
    same user as every other caller of this combiner."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Op] = []
        self._leading = False
        #: The driver connection raw operations run on, kept between batches (checking one out
        #: of the pool and back cost more than the handoff marker's statement). Only the leader
        #: uses it; see :meth:`close_raw`.
        self._raw: Any = None
        self._raw_pool: Any = None  # the pool ``_raw`` came from

    def run(self, store: Store, work: Work, clean: tuple[type[Exception], ...] = ()) -> Any:
        """Run ``work(session)`` in a shared write transaction; return its result or raise.

        ``work`` raises an error of a ``clean`` type only before it writes anything.
        """
        return self._run(store, _Op(work, clean))

    def run_raw(
        self, store: Store, work: Callable[[Any], Any], tables: Iterable[str] = ()
    ) -> Any:
        """SQLite only: run ``work(sqlite3_connection)``, serialised with the other writes;
        each of its statements commits on its own, or with the shared transaction it runs in
        (``work`` must not begin, commit or roll back). ``tables``: what it writes, announced
        on the change feed. Its result or error."""
        if store.dialect != "sqlite":
            raise ValueError("raw group-commit operations are for SQLite")
        return self._run(store, _Op(work, (), raw=True, tables=frozenset(tables)))

    def _run(self, store: Store, op: _Op) -> Any:
        with self._lock:
            self._queue.append(op)
            if not self._leading:
                self._leading = op.lead = True
        while not op.lead:
            op.wake.wait()
            op.wake.clear()
            if op.done:
                return _outcome(op)
        self._lead(store, op)
        return _outcome(op)

    def _lead(self, store: Store, own: _Op) -> None:
        try:
            while not own.done:
                with self._lock:
                    batch = self._take()
                try:
                    self._run_batch(store, batch)
                except BaseException as exc:  # e.g. KeyboardInterrupt: nobody waits forever
                    for op in batch:
                        op.result, op.error = None, exc
                    raise
                finally:
                    for op in batch:
                        op.done = True
                        if op is not own:
                            op.wake.set()
        finally:
            with self._lock:
                if self._queue:  # hand over to the longest-waiting caller
                    heir = self._queue[0]
                    heir.lead = True
                    heir.wake.set()
                else:
                    self._leading = False

    def _take(self) -> list[_Op]:
        """The next batch (the lock held): waiting raw operations go first, in a transaction
        of their own, so that a tiny write (a handoff marker, which a sender waits for) does
        not wait behind the bigger operations queued with it."""
        queue = self._queue
        raw = [op for op in queue if op.raw][:MAX_BATCH]
        if raw and len(raw) < len(queue):
            taken = set(map(id, raw))
            self._queue = [op for op in queue if id(op) not in taken]
            return raw
        batch, self._queue = queue[:MAX_BATCH], queue[MAX_BATCH:]
        return batch

    def _raw_transaction(self, store: Store, batch: list[_Op]) -> None:
        """Raw operations alone, on the kept driver connection in autocommit: each statement is
        its own transaction (one call into SQLite, so one wait for the GIL after it, not three
        as with BEGIN and COMMIT around it; under a busy GIL each of those waits is what costs).
        A failed connection is not kept."""
        try:
            conn = self._raw_connection(store).driver_connection
            for op in batch:
                op.result, op.error = op.work(conn), None
        except Exception:
            self.close_raw()
            raise
        finally:  # committed statement by statement: announce what may have been written
            written = frozenset[str]().union(*(op.tables for op in batch))
            if written:
                store.changes.publish(Change(written))

    def close_raw(self) -> None:
        """Close the kept raw connection (its engine is disposed, or it failed): given back
        to a disposed pool it would stay open."""
        pooled, self._raw = self._raw, None
        if pooled is not None:
            pooled.invalidate()

    def _raw_connection(self, store: Store) -> Any:
        """The kept pooled connection of ``store``'s current pool (the leader's alone)."""
        pooled = self._raw
        if pooled is not None and self._raw_pool is not store.engine.pool:  # disposed meanwhile
            self.close_raw()
            pooled = None
        if pooled is None:
            self._raw_pool = store.engine.pool
            pooled = self._raw = store.engine.raw_connection()
        return pooled

    def _run_batch(self, store: Store, batch: list[_Op]) -> None:
        try:
            if all(op.raw for op in batch):
                self._raw_transaction(store, batch)
                return
            with store.write() as session:
                for op in batch:
                    _attempt(session, op)
        except Exception as exc:  # the shared commit failed: none of it happened
            if len(batch) == 1:
                batch[0].result, batch[0].error = None, exc
                return
            for op in batch:  # each runs again alone, so one bad apple spoils nothing
                try:
                    if op.raw:
                        self._raw_transaction(store, [op])
                        continue
                    with store.write() as session:
                        op.result, op.error = op.work(session), None
                except Exception as alone:
                    op.result, op.error = None, alone


def _attempt(session: Session, op: _Op) -> None:
    if op.raw:  # the driver connection under the session's transaction
        connection = session.connection()
        change_feed.note_write(connection, op.tables)
        op.result = op.work(connection.connection.driver_connection)
        return
    try:
        op.result = op.work(session)
    except op.clean as exc:  # a refusal before any write: the others carry on
        op.error = exc


def _outcome(op: _Op) -> Any:
    if op.error is not None:
        raise op.error
    return op.result


_COMBINERS: weakref.WeakKeyDictionary[Engine, dict[uuid.UUID | None, GroupCommit]] = (
    weakref.WeakKeyDictionary()
)
_COMBINERS_LOCK = threading.Lock()


def for_store(store: Store) -> GroupCommit:
    """The one combiner of a database's engine and acting user in this process.

    Per user, because a batch runs in the leading caller's scoped session: one user's work must
    never run under another user's scope.
    """
    with _COMBINERS_LOCK:
        per_user = _COMBINERS.get(store.engine)
        if per_user is None:
            per_user = _COMBINERS[store.engine] = {}
            combiners = per_user  # the listener must not hold the engine itself

            def close_raw(_engine: Engine) -> None:
                for each in list(combiners.values()):
                    each.close_raw()

            event.listen(store.engine, "engine_disposed", close_raw)
        combiner = per_user.get(store.user_id)
        if combiner is None:
            combiner = per_user[store.user_id] = GroupCommit()
        return combiner

"""The handoff marker's writes (see :meth:`Outbox.hand_over`): the mark committed just before a
message goes to its provider, with how the worker's previous handoffs ended. Core for
PostgreSQL; plain SQL on SQLite, run as a raw group-commit operation (no Session), the usual
note-and-mark pair in one statement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from leaddesk.sending.claims import Claimed, HandoffNote
from leaddesk.store.enums import Handoff, MessageState
from leaddesk.store.models import Message

_TABLE = Message.__table__
_OURS = (_TABLE.c.id == bindparam("h_id"), _TABLE.c.state == MessageState.SENDING.value,
         _TABLE.c.claimed_by == bindparam("h_worker"))
_MARK = _TABLE.update().where(*_OURS).values(handoff=Handoff.HANDING.value,
                                             handed_at=bindparam("h_at"))
_NOTE = _TABLE.update().where(*_OURS).values(
    handoff=bindparam("h_handoff"),
    provider_id=func.coalesce(bindparam("h_pid", type_=_TABLE.c.provider_id.type),
                              _TABLE.c.provider_id))
_MARK_SQL = ("UPDATE messages SET handoff = 'handing', handed_at = ? "
             "WHERE id = ? AND state = 'sending' AND claimed_by = ?")
_NOTE_SQL = ("UPDATE messages SET handoff = ?, provider_id = coalesce(?, provider_id) "
             "WHERE id = ? AND state = 'sending' AND claimed_by = ?")
# The usual case, one note and one mark, in one statement: one call into SQLite, one commit.
_NOTE_AND_MARK_SQL = (
    "UPDATE messages SET "
    "handoff = CASE WHEN id = :mark THEN 'handing' ELSE :handoff END, "
    "handed_at = CASE WHEN id = :mark THEN :at ELSE handed_at END, "
    "provider_id = CASE WHEN id = :mark THEN provider_id "
    "ELSE coalesce(:pid, provider_id) END "
    "WHERE id IN (:mark, :note) AND state = 'sending' AND claimed_by = :worker "
    "RETURNING id")


def session_hand_over(
    worker: str, msg: Claimed, notes: Sequence[HandoffNote], now: dt.datetime
) -> Callable[[Session], bool]:
    """The write for a session: ``True`` when ``msg`` was still ``worker``'s and is marked."""

    def work(session: Session) -> bool:
        conn = session.connection()
        if notes:
            conn.execute(_NOTE, [{"h_id": n.message_id, "h_worker": worker,
                                  "h_handoff": n.handoff.value, "h_pid": n.provider_id}
                                 for n in notes])
        marked = conn.execute(_MARK, {"h_id": msg.id, "h_worker": worker, "h_at": now})
        return marked.rowcount == 1

    return work


def sqlite_hand_over(
    worker: str, msg: Claimed, notes: Sequence[HandoffNote], now: dt.datetime
) -> Callable[[Any], bool]:
    """The same write as a raw operation on a SQLite connection."""
    uid, at = _sqlite_binds()
    note_rows = [(n.handoff.value, None if n.provider_id is None else n.provider_id[:200],
                  uid(n.message_id), worker) for n in notes]
    mark_row = (at(now), uid(msg.id), worker)
    if len(note_rows) == 1:
        handoff, pid, note, _ = note_rows[0]
        both = {"mark": mark_row[1], "note": note, "handoff": handoff, "pid": pid,
                "at": mark_row[0], "worker": worker}

        def both_work(conn: Any) -> bool:
            return any(row[0] == both["mark"]
                       for row in conn.execute(_NOTE_AND_MARK_SQL, both).fetchall())

        return both_work

    def work(conn: Any) -> bool:
        if note_rows:
            conn.executemany(_NOTE_SQL, note_rows)
        return conn.execute(_MARK_SQL, mark_row).rowcount == 1

    return work


_SQLITE_BINDS: tuple[Callable[[Any], Any], Callable[[Any], Any]] | None = None


def _sqlite_binds() -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """How SQLite stores a message id and a timestamp (the columns' own bind processors)."""
    global _SQLITE_BINDS
    if _SQLITE_BINDS is None:
        dialect = sqlite.dialect()

        def processor(column: Any) -> Callable[[Any], Any]:
            process = column.type.bind_processor(dialect)
            return process if process is not None else (lambda value: value)

        _SQLITE_BINDS = (processor(_TABLE.c.id), processor(_TABLE.c.handed_at))
    return _SQLITE_BINDS

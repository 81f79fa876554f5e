"""Calling the ledger's PostgreSQL functions (``postgres_ledger``) from the ledger service.

Each call runs on the caller's connection, inside its transaction, and answers in the ledger
service's own terms: ledger lines as rows of ``credit_transactions`` (typed like the table's
columns), a refused reservation as :class:`Refused` (the service then reads why, as on SQLite),
an unknown reservation as ``NotFoundError``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Row, bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError

from leaddesk.services.credits.postgres_ledger import (
    FOREIGN_KEY_USE,
    REFUSED,
    UNKNOWN_RESERVATION,
)
from leaddesk.services.errors import NotFoundError, PermissionDeniedError, ValidationError
from leaddesk.store.models import CreditTransaction

_TX = CreditTransaction.__table__
_ITEMS = bindparam("items", type_=JSONB)

_ACCOUNT = text("SELECT public.leaddesk_credit_account()")
_RESERVE = text(
    "SELECT * FROM public.leaddesk_reserve(:cost, :action, :reference_type, :reference_id, "
    ":key, :price_version, :holder)"
).columns(*_TX.c)
_RESERVE_MANY = text(
    "SELECT out_index, out_reservation, out_balance "
    "FROM public.leaddesk_reserve_many(:items, :price_version, :holder)"
).bindparams(_ITEMS)
_SETTLE = text("SELECT * FROM public.leaddesk_settle(:rid, :kind, :reason)").columns(*_TX.c)
_SETTLE_MANY = text(
    "SELECT out_reservation, out_kind FROM public.leaddesk_settle_many(:items)"
).bindparams(_ITEMS)


class Refused(Exception):
    """The database refused a reservation for balance or spend cap; nothing was written."""


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


@contextmanager
def _translated(reservation: uuid.UUID | None = None) -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        state = _sqlstate(exc)
        if state == REFUSED:
            raise Refused() from exc
        if state == UNKNOWN_RESERVATION:
            raise NotFoundError("reservation", reservation) from exc
        if state == FOREIGN_KEY_USE:
            raise ValidationError("idempotency_key", "is used by another account") from exc
        if state == "42501":
            raise PermissionDeniedError("the database refused this credit movement") from exc
        if state == "22023":
            raise ValidationError("credits", str(getattr(exc.orig, "diag", exc).message_primary
                                                 or exc.orig)) from exc
        raise


def own_account(conn: Connection) -> uuid.UUID:
    """The caller's account, created empty on first use."""
    with _translated():
        return conn.execute(_ACCOUNT).scalar_one()


def reserve(conn: Connection, cost: int, action: str, reference_type: str, reference_id: str,
            key: str | None, price_version: int | None, holder: str) -> Row[Any]:
    """The reservation's ledger line (or the first line of ``key``); raises :class:`Refused`."""
    params = {"cost": cost, "action": action, "reference_type": reference_type,
              "reference_id": reference_id, "key": key, "price_version": price_version,
              "holder": holder}
    with _translated():
        return conn.execute(_RESERVE, params).one()


def settle(conn: Connection, reservation_id: uuid.UUID, kind: str, reason: str) -> Row[Any]:
    """The settlement's ledger line (the earlier one when already settled)."""
    with _translated(reservation_id):
        return conn.execute(
            _SETTLE, {"rid": reservation_id, "kind": kind, "reason": reason}
        ).one()


def reserve_many(conn: Connection, items: Sequence[dict[str, Any]], price_version: int,
                 holder: str) -> list[tuple[uuid.UUID | None, int | None]]:
    """Per item, in order: its reservation id and balance after, or ``(None, None)`` when
    refused."""
    with _translated():
        rows = conn.execute(_RESERVE_MANY, {"items": list(items), "price_version": price_version,
                                            "holder": holder}).all()
    return [(row.out_reservation, row.out_balance) for row in sorted(rows)]


def settle_many(conn: Connection, items: Sequence[dict[str, Any]]) -> dict[uuid.UUID, str]:
    """``{reservation: kind}`` of the reservations settled now."""
    with _translated():
        rows = conn.execute(_SETTLE_MANY, {"items": list(items)}).all()
    return {row.out_reservation: row.out_kind for row in rows}

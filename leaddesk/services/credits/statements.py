"""The ledger's tables and its prepared hot-path statements.

Built once at import: SQLAlchemy caches their compiled form, so a call only binds values
(building a statement per call cost more than running it). Reserving and settling share the
guarded account UPDATEs here; each names its parameters in ``bindparam`` below.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, bindparam, case, delete, insert, or_, select, update

from leaddesk.store.models import CreditAccount, CreditTransaction
from leaddesk.store.models.credit import CapPeriod, CreditHold

ACCOUNTS = CreditAccount.__table__
TRANSACTIONS = CreditTransaction.__table__
HOLDS = CreditHold.__table__

_acc, _hold = ACCOUNTS.c, HOLDS.c
_now = bindparam("now", type_=_acc.updated_at.type)
_cost = bindparam("cost", type_=Integer)
#: The cap window a reservation now falls in: the week's or the month's key, by the cap's period.
_window = case(
    (_acc.spend_cap_period == CapPeriod.WEEK.value, bindparam("week", type_=Integer)),
    else_=bindparam("month", type_=Integer),
)
#: What already counts against the cap in that window (nothing once a new window starts).
_spent = case((_acc.cap_window == _window, _acc.cap_spent), else_=0)

#: The one guarded statement: balance (unless unlimited) and spend cap, together. No row back:
#: refused. Parameters ``acc``, ``cost``, ``week``, ``month``, ``now``.
RESERVE = (
    update(ACCOUNTS)
    .where(
        _acc.id == bindparam("acc"),
        or_(_acc.unlimited, _acc.balance >= _cost),
        or_(_acc.spend_cap.is_(None), _spent + _cost <= _acc.spend_cap),
    )
    .values(
        balance=_acc.balance - _cost,
        reserved=_acc.reserved + _cost,
        cap_window=_window,
        cap_spent=_spent + _cost,
        updated_at=_now,
    )
    .returning(_acc.balance, _acc.cap_window)
)

#: Settle ``held`` credits of an account, ``back`` of them released to its balance and
#: ``cap_back`` off its cap while the hold's ``hold_window`` is still current.
SETTLE = (
    update(ACCOUNTS)
    .where(_acc.id == bindparam("acc"))
    .values(
        balance=_acc.balance + bindparam("back", type_=Integer),
        reserved=_acc.reserved - bindparam("held", type_=Integer),
        cap_spent=case(
            (
                _acc.cap_window == bindparam("hold_window", type_=Integer),
                _acc.cap_spent - bindparam("cap_back", type_=Integer),
            ),
            else_=_acc.cap_spent,
        ),
        updated_at=_now,
    )
    .returning(_acc.balance)
)

#: Delete the hold of reservation ``rid`` (once: a second settle finds none).
TAKE_HOLD = (
    delete(HOLDS)
    .where(_hold.reservation_id == bindparam("rid"))
    .returning(_hold.account_id, _hold.amount, _hold.cap_window)
)
#: As :data:`TAKE_HOLD`, only on account ``acc`` (a member settles their own).
TAKE_OWN_HOLD = TAKE_HOLD.where(_hold.account_id == bindparam("acc"))

#: Delete the holds of the reservations ``rids``.
TAKE_HOLDS = (
    delete(HOLDS)
    .where(_hold.reservation_id.in_(bindparam("rids", expanding=True)))
    .returning(_hold.reservation_id, _hold.account_id, _hold.amount, _hold.cap_window)
)
#: As :data:`TAKE_HOLDS`, only on account ``acc``.
TAKE_OWN_HOLDS = TAKE_HOLDS.where(_hold.account_id == bindparam("acc"))

#: The ledger line with idempotency key ``key``.
SELECT_BY_KEY = select(TRANSACTIONS).where(TRANSACTIONS.c.idempotency_key == bindparam("key"))
INSERT_TRANSACTION = insert(TRANSACTIONS)
INSERT_HOLD = insert(HOLDS)


def _settlement_insert(returning: bool = True) -> Any:
    """INSERT ... SELECT of a consumption or release line from its reservation's row."""
    r, t = TRANSACTIONS.alias("reservation"), TRANSACTIONS.c
    copied = {
        "action": r.c.action,
        "reference_type": r.c.reference_type,
        "reference_id": r.c.reference_id,
        "price_version": r.c.price_version,
        "account_id": r.c.account_id,
        "reservation_id": r.c.id,
    }
    given = {
        "id": "new_id",
        "kind": "new_kind",
        "amount": "new_amount",
        "balance_after": "new_balance",
        "idempotency_key": "new_key",
        "metadata": "new_meta",
        "actor_id": "new_actor",
        "created_at": "new_at",
    }
    names = [*copied, *given]
    columns = [*copied.values()] + [bindparam(given[n], type_=t[n].type) for n in given]
    source = select(*columns).where(r.c.id == bindparam("rid", type_=t.id.type))
    stmt = insert(TRANSACTIONS).from_select(names, source)
    if not returning:
        return stmt
    return stmt.returning(t.action, t.reference_type, t.reference_id, t.price_version)


#: One statement copies action, reference and price version from the reservation ``rid``
#: into its settlement line (parameters ``new_*``), returning what it copied.
INSERT_SETTLEMENT = _settlement_insert()
#: The same without RETURNING, so a batch runs as one executemany.
INSERT_SETTLEMENTS = _settlement_insert(returning=False)

"""A state machine against the real ledger: random purchase/reserve/consume/release/refund runs.

Invariants after every step: balance == sum(ledger), balance >= 0 unless Enterprise, reserved ==
the holds still open, and no reservation has more than one settlement or refund.
"""

from __future__ import annotations

import collections
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from leaddesk.services.app_services import AppServices
from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.errors import InsufficientCreditsError, ReservationSettledError
from leaddesk.store.enums import Role
from tests.support.credit_helpers import add_member, credits_for

PACKAGES = {"starter": 500, "professional": 2000}


class LedgerMachine(RuleBasedStateMachine):
    app: AppServices  # set by the test: one database, a fresh admin account per run

    def __init__(self) -> None:
        super().__init__()
        member = add_member(self.app.store, f"m{uuid.uuid4().hex[:12]}", Role.ADMIN)
        self.credits: CreditService = credits_for(self.app.store, member)
        self.balance = 0
        self.unlimited = False
        self.open: dict[uuid.UUID, int] = {}
        self.consumed: dict[uuid.UUID, int] = {}
        self.settled: dict[uuid.UUID, str] = {}
        self.refunded: set[uuid.UUID] = set()
        self.keys: dict[str, uuid.UUID] = {}
        self.run = uuid.uuid4().hex

    @rule(package=st.sampled_from(sorted(PACKAGES)))
    def purchase(self, package: str) -> None:
        self.credits.purchase(package)
        self.balance += PACKAGES[package]

    @precondition(lambda self: not self.unlimited)
    @rule()
    def go_enterprise(self) -> None:
        self.credits.purchase("enterprise")
        self.unlimited = True

    @rule(cost=st.integers(1, 700), key=st.none() | st.sampled_from(["k1", "k2", "k3"]))
    def reserve(self, cost: int, key: str | None) -> None:
        key = None if key is None else f"{key}-{self.run}"
        known = self.keys.get(key) if key is not None else None
        try:
            res = self.credits.reserve(cost, "voice", idempotency_key=key)
        except InsufficientCreditsError:
            assert not self.unlimited and self.balance < cost and known is None
            return
        if known is not None:
            assert res.id == known, "a repeated key returns the first reservation"
            return
        assert self.unlimited or self.balance >= cost
        if key is not None:
            self.keys[key] = res.id
        self.balance -= cost
        self.open[res.id] = cost

    @precondition(lambda self: self.open)
    @rule(data=st.data(), consume=st.booleans())
    def settle(self, data: st.DataObject, consume: bool) -> None:
        rid = data.draw(st.sampled_from(sorted(self.open)))
        cost = self.open.pop(rid)
        if consume:
            self.credits.consume(rid)
            self.consumed[rid] = cost
            self.settled[rid] = "consumption"
        else:
            self.credits.release(rid)
            self.balance += cost
            self.settled[rid] = "release"

    @precondition(lambda self: self.settled)
    @rule(data=st.data(), consume=st.booleans())
    def settle_again(self, data: st.DataObject, consume: bool) -> None:
        rid = data.draw(st.sampled_from(sorted(self.settled)))
        wanted = "consumption" if consume else "release"
        call = self.credits.consume if consume else self.credits.release
        if self.settled[rid] == wanted:
            assert call(rid).kind == wanted  # the first result, no second move
        else:
            with pytest.raises(ReservationSettledError):
                call(rid)

    @precondition(lambda self: self.consumed)
    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        rid = data.draw(st.sampled_from(sorted(self.consumed)))
        self.credits.refund(rid, "test")
        if rid not in self.refunded:
            self.refunded.add(rid)
            self.balance += self.consumed[rid]

    @invariant()
    def ledger_is_exact(self) -> None:
        bal = self.credits.balance()
        assert bal.available == self.balance == self.credits.ledger_sum()
        assert bal.reserved == sum(self.open.values())
        assert set(self.credits.held()) == set(self.open)
        if not bal.unlimited:
            assert bal.available >= 0

    def teardown(self) -> None:
        history = self.credits.history(limit=100_000)
        settlements = collections.Counter(
            t.reservation_id for t in history if t.kind in ("consumption", "release")
        )
        refunds = collections.Counter(t.reservation_id for t in history if t.kind == "refund")
        assert all(n == 1 for n in settlements.values())
        assert all(n == 1 for n in refunds.values())
        assert set(settlements) == set(self.settled)


def test_random_ledger_runs_keep_the_invariants(tmp_path: Path) -> None:
    app = AppServices.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        LedgerMachine.app = app
        runner = LedgerMachine.TestCase
        runner.settings = settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        runner("runTest").runTest()
    finally:
        app.close()

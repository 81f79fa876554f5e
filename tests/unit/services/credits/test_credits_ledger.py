"""Admin moves of the ledger: refunds, adjustments, allocations, spend caps, prices, buy, redeem."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from leaddesk.services import settings
from leaddesk.services.app_services import AppServices
from leaddesk.services.credits import pricing, topup_codes
from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.errors import (
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    SpendCapExceededError,
    ValidationError,
)
from leaddesk.store.enums import Role
from tests.support.credit_helpers import PUBLIC_KEY, add_member, code, credits_for


@pytest.fixture
def admin(app: AppServices) -> CreditService:
    app.credits.purchase("professional")
    return app.credits


@pytest.fixture
def rep(app: AppServices) -> CreditService:
    return credits_for(app.store, add_member(app.store, "rita"))


def _exact(*services: CreditService) -> None:
    for credits in services:
        bal = credits.balance()
        assert bal.available == credits.ledger_sum()
        assert bal.reserved == sum(
            -t.amount
            for t in credits.history(limit=10_000)
            if t.kind == "reservation" and t.id in set(credits.held())
        )


# --- refunds ------------------------------------------------------------------------------------


def test_a_consumed_action_is_refunded_once(admin: CreditService) -> None:
    res = admin.reserve(5, "voice", "message", "m1")
    admin.consume(res.id)
    first = admin.refund(res.id, "call dropped")
    again = admin.refund(res.id, "call dropped")
    assert first.id == again.id and first.amount == 5 and first.kind == "refund"
    assert admin.balance().available == 2000
    _exact(admin)


def test_only_consumed_actions_are_refunded(admin: CreditService) -> None:
    res = admin.reserve(2, "sms")
    with pytest.raises(ValidationError, match="not settled"):
        admin.refund(res.id)
    admin.release(res.id)
    with pytest.raises(ValidationError, match="released"):
        admin.refund(res.id)
    _exact(admin)


def test_members_cannot_refund_adjust_allocate_or_cap(app: AppServices, rep: CreditService) -> None:
    for call in (
        lambda: rep.refund(uuid.uuid4()),
        lambda: rep.adjust(5, "gift"),
        lambda: rep.allocate("local", 5),
        lambda: rep.set_spend_cap("local", 5),
        lambda: rep.publish_prices({"email": 2}),
    ):
        with pytest.raises(PermissionDeniedError, match="only an admin"):
            call()
    with pytest.raises(PermissionDeniedError):
        rep.balance("local")


# --- adjustments --------------------------------------------------------------------------------


def test_adjustments_need_a_reason_and_never_go_negative(admin: CreditService) -> None:
    with pytest.raises(ValidationError, match="reason"):
        admin.adjust(10, " ")
    with pytest.raises(ValidationError, match="amount"):
        admin.adjust(0, "nothing")
    admin.adjust(-1500, "migration fix")
    with pytest.raises(InsufficientCreditsError, match="need 600, have 500"):
        admin.adjust(-600, "too much")
    admin.adjust(25, "goodwill")
    assert admin.balance().available == 525
    _exact(admin)


# --- allocations --------------------------------------------------------------------------------


def test_an_admin_allocates_to_a_member_whose_balance_is_their_own(
    admin: CreditService, rep: CreditService
) -> None:
    line = admin.allocate("rita", 300, idempotency_key="alloc-1")
    assert admin.allocate("rita", 300, idempotency_key="alloc-1").id == line.id
    assert line.amount == 300 and line.kind == "allocation"
    assert rep.balance().available == 300
    assert admin.balance().available == 1700
    res = rep.reserve(2, "linkedin")
    rep.consume(res.id)
    assert rep.balance().available == 298
    assert admin.balance().available == 1700, "a member spends their own balance"
    assert admin.balance("rita").available == 298
    admin.allocate("rita", -98)
    assert (rep.balance().available, admin.balance().available) == (200, 1798)
    _exact(admin, rep)


def test_allocation_is_guarded_by_the_source_balance(
    admin: CreditService, rep: CreditService
) -> None:
    with pytest.raises(InsufficientCreditsError, match="need 2001, have 2000"):
        admin.allocate("rita", 2001)
    with pytest.raises(InsufficientCreditsError, match="need 1, have 0"):
        admin.allocate("rita", -1)
    with pytest.raises(ValidationError, match="another member"):
        admin.allocate("local", 5)
    with pytest.raises(NotFoundError):
        admin.allocate("nobody", 5)
    assert rep.history() == [] and admin.balance().available == 2000


def test_an_allocation_can_name_the_member_by_email_or_id(
    app: AppServices, admin: CreditService
) -> None:
    member = add_member(app.store, "sam")
    admin.allocate("SAM@example.test", 1)
    admin.allocate(str(member.id), 2)
    admin.allocate(member.id, 3)
    assert admin.balance(member.id).available == 6


# --- spend caps ---------------------------------------------------------------------------------


def test_a_monthly_cap_stops_a_member_before_the_balance_does(
    admin: CreditService, rep: CreditService
) -> None:
    admin.allocate("rita", 500)
    cap = admin.set_spend_cap("rita", 10, "month")
    assert (cap.period, cap.credits, cap.spent, cap.remaining) == ("month", 10, 0, 10)
    first = rep.reserve(5, "voice")
    rep.consume(first.id)
    second = rep.reserve(3, "whatsapp")
    with pytest.raises(SpendCapExceededError, match="cap is 10, 8 already spent, need 3"):
        rep.reserve(3, "whatsapp")
    rep.release(second.id)  # a failed action gives its share of the cap back
    rep.reserve(5, "voice")
    assert rep.spend_cap().spent == 10
    assert rep.balance().available == 490
    _exact(rep)


def test_a_cap_counts_what_was_already_spent_this_period_and_can_be_lifted(
    admin: CreditService, rep: CreditService
) -> None:
    admin.allocate("rita", 100)
    for _ in range(3):
        rep.consume(rep.reserve(5, "voice").id)
    rep.release(rep.reserve(5, "voice").id)
    cap = admin.set_spend_cap("rita", 20, "week")
    assert cap.spent == 15
    with pytest.raises(SpendCapExceededError):
        rep.reserve(6, "voice")
    admin.set_spend_cap("rita", None)
    assert rep.spend_cap().credits is None
    rep.reserve(50, "voice")


def test_a_new_window_starts_the_count_again(admin: CreditService, rep: CreditService) -> None:
    admin.allocate("rita", 100)
    admin.set_spend_cap("rita", 5, "week")
    rep.reserve(5, "voice")
    rep.now = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
    rep.reserve(5, "voice")
    assert rep.spend_cap().spent == 5


def test_caps_apply_to_enterprise_members_too(app: AppServices, admin: CreditService) -> None:
    boss = credits_for(app.store, add_member(app.store, "ent", Role.REP))
    boss.purchase("enterprise")
    admin.set_spend_cap("ent", 7)
    boss.reserve(7, "voice")
    with pytest.raises(SpendCapExceededError):
        boss.reserve(1, "email")


# --- prices -------------------------------------------------------------------------------------


def test_prices_are_versioned_data_and_each_charge_records_its_version(
    app: AppServices, admin: CreditService
) -> None:
    assert admin.prices.version == 1 and admin.quote("email").cost == 1
    old = admin.reserve_action("email", 3)
    assert old.amount == -3 and old.price_version == 1
    new_list = admin.publish_prices({"email": 2}, note="provider costs went up")
    assert new_list.version == 2
    quote = admin.quote("email", 3)
    assert (quote.cost, quote.price_version) == (6, 2)
    charged = admin.reserve_action("email", 3)
    assert (charged.amount, charged.price_version) == (-6, 2)
    assert admin.consume(charged.id).price_version == 2
    assert CreditService(app.ctx).prices.actions["email"] == 2, "others read the new version"
    with pytest.raises(ValidationError, match="has no price"):
        admin.publish_prices({"fax": 1})
    with pytest.raises(ValidationError, match="between 0"):
        admin.publish_prices({"email": -1})


# --- buying and redeeming -----------------------------------------------------------------------


def test_buying_a_package_works_on_demo_databases_only(app: AppServices) -> None:
    with pytest.raises(PermissionDeniedError, match="credits redeem"):
        app.credits.buy_package("starter")
    settings.put(app.store, settings.DEMO_DATABASE, True)
    assert app.credits.buy_package("starter").amount == 500


def test_a_code_redeems_once(app: AppServices) -> None:
    text = code(1234)
    tx = app.credits.redeem(text, public_key=PUBLIC_KEY)
    assert (tx.kind, tx.amount, tx.reference_type) == ("purchase", 1234, "topup_code")
    with pytest.raises(topup_codes.CodeAlreadyRedeemed, match="already redeemed on"):
        app.credits.redeem(text.lower(), public_key=PUBLIC_KEY)
    assert app.credits.balance().available == 1234


def test_plan_codes_grant_the_package_and_enterprise_is_unlimited(app: AppServices) -> None:
    app.credits.redeem(code("professional"), public_key=PUBLIC_KEY)
    assert app.credits.balance().plan == "professional"
    app.credits.redeem(code(topup_codes.Plan.ENTERPRISE), public_key=PUBLIC_KEY)
    app.credits.redeem(code("starter"), public_key=PUBLIC_KEY)
    bal = app.credits.balance()
    assert (bal.plan, bal.unlimited, bal.available) == ("enterprise", True, 2500)
    res = app.credits.reserve(5000, "voice")
    app.credits.consume(res.id)
    assert app.credits.balance().available == -2500 == app.credits.ledger_sum()


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("hello", topup_codes.MalformedCode, "not a valid LeadDesk top-up code"),
        ("LD1-0000-0000", topup_codes.MalformedCode, "wrong length"),
        (code(500, days=-2), topup_codes.ExpiredCode, "expired on"),
    ],
)
def test_bad_codes_are_refused_with_distinct_messages(
    app: AppServices, text: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        app.credits.redeem(text, public_key=PUBLIC_KEY)
    assert app.credits.history() == []


def test_a_tampered_or_foreign_code_is_refused(app: AppServices) -> None:
    blob = topup_codes._from_text(code(100))
    record, signature = blob[:-64], blob[-64:]
    altered = bytearray(record)
    altered[-1] ^= 0x01  # one more credit
    forged = topup_codes._to_text(
        bytes(altered) + signature + topup_codes._checksum(bytes(altered) + signature)
    )
    with pytest.raises(topup_codes.TamperedCode, match="signature is not valid"):
        app.credits.redeem(forged, public_key=PUBLIC_KEY)
    with pytest.raises(topup_codes.TamperedCode):  # ours is not the key the app ships
        app.credits.redeem(code(100))
    assert app.credits.balance().available == 0


# --- before an action runs ----------------------------------------------------------------------


def test_preflight_says_the_cost_and_what_stops_it(
    admin: CreditService, rep: CreditService
) -> None:
    check = admin.preflight("voice", 3)
    assert (check.ok, check.quote.cost, check.available) == (True, 15, 2000)
    assert not rep.preflight("email").ok
    assert rep.preflight("email").message == "this needs 1 credits; you have 0"
    admin.allocate("rita", 100)
    admin.set_spend_cap("rita", 8, "week")
    check = rep.preflight("voice", 2)
    assert not check.ok and check.available == 8
    assert check.message == "this needs 10 credits; your weekly spend cap leaves 8"


def test_low_balance_warning_is_on_by_default_and_configurable(
    admin: CreditService, rep: CreditService
) -> None:
    assert admin.low_balance_warning() is None
    assert "0 credits left (warning below 50)" in (rep.low_balance_warning() or "")
    admin.set_low_balance_threshold(0)
    assert rep.low_balance_warning() is None
    admin.set_low_balance_threshold(2500)
    assert "2,000 credits left (warning below 2,500)" in (admin.low_balance_warning() or "")
    with pytest.raises(PermissionDeniedError):
        rep.set_low_balance_threshold(5)


def test_a_running_service_picks_up_prices_published_elsewhere(
    app: AppServices, admin: CreditService, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = CreditService(app.ctx)
    assert elsewhere.quote("sms").cost == 2
    admin.publish_prices({"sms": 4})
    assert elsewhere.quote("sms").cost == 2, "read at most once a minute"
    monkeypatch.setattr(pricing, "PRICES_TTL", 0.0)
    assert elsewhere.quote("sms") == admin.quote("sms")
    assert elsewhere.reserve_action("sms").price_version == 2

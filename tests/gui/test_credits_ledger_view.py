"""The credits view's ledger tools: filters, the stacked chart and its ranges, CSV export,
redeeming codes, demo-only packages and the low-balance warning."""

from __future__ import annotations

import csv

import pytest

from leaddesk.services import settings as app_settings
from leaddesk.services.app_services import AppServices
from leaddesk.services.credits import topup_codes
from leaddesk.services.credits.history import CreditHistory, LedgerFilter
from leaddesk.ui.credits.model import TransactionTableModel
from leaddesk.ui.credits.view import CreditsView
from tests.support.credit_helpers import PUBLIC_KEY, add_member, code, credits_for


def _open(qtbot, credits) -> CreditsView:
    widget = CreditsView(credits)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    return widget


@pytest.fixture
def view(qtbot, demo_app: AppServices) -> CreditsView:
    credits = demo_app.credits
    last = credits.reserve(2, "sms")
    credits.consume(last.id)
    credits.refund(last.id, "not delivered")
    return _open(qtbot, credits)


@pytest.fixture
def trusted_test_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topup_codes, "load_shipped_public_key", lambda: PUBLIC_KEY)


def _rows(view: CreditsView) -> list:
    return [view.model.record(r) for r in range(view.model.rowCount())]


def _settle(qtbot, view: CreditsView) -> None:
    qtbot.waitUntil(view.is_loaded)


def test_the_filtered_model_passes_the_model_tester(qtbot, qtmodeltester, demo_app) -> None:
    history = CreditHistory(demo_app.credits)
    only_email = LedgerFilter(actions=("email",))
    model = TransactionTableModel(
        lambda after, limit: history.page(only_email, after, limit),
        dict(demo_app.credits.prices.labels),
        page_size=50,
    )
    with qtbot.waitSignal(model.loaded):
        model.refresh()
    with qtbot.waitSignal(model.loaded):
        model.fetchMore()
    assert model.rowCount() == 100
    assert {model.record(r).action for r in range(100)} == {"email"}
    keys = [(model.record(r).created_at, model.record(r).id) for r in range(100)]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == 100
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: not model.is_fetching())


def test_filters_narrow_the_table(qtbot, view: CreditsView) -> None:
    assert any(t.kind == "refund" for t in _rows(view))
    view.filters.refunds_check.setChecked(False)
    _settle(qtbot, view)
    assert not any(t.kind == "refund" for t in _rows(view))

    index = view.filters.action_combo.findData("voice")
    assert index > 0, "the ledger's actions are offered"
    view.filters.action_combo.setCurrentIndex(index)
    _settle(qtbot, view)
    assert _rows(view) and {t.action for t in _rows(view)} == {"voice"}

    newest = _rows(view)[0].created_at.astimezone().date()
    view.filters.since_edit.setDate(newest)
    view.filters.until_edit.setDate(newest)
    _settle(qtbot, view)
    assert {t.created_at.astimezone().date() for t in _rows(view)} == {newest}


def test_the_chart_stacks_actions_and_switches_ranges(qtbot, view: CreditsView) -> None:
    usage = view.usage_card.chart.usage
    assert usage is not None and len(usage.days) == 30
    assert {"email", "sms"} <= set(usage.actions)
    assert [total for _day, total in view.usage_card.chart.days] == [
        sum(usage.credits[a][i] for a in usage.actions) for i in range(30)
    ]
    assert "Email" in view.usage_card.legend.text()
    for days in (90, 365):
        view.usage_card.range_buttons[days].click()
        _settle(qtbot, view)
        assert len(view.usage_card.chart.days) == days
        assert str(days) in view.usage_card.chart_title.text()


def test_export_writes_every_filtered_transaction(qtbot, view: CreditsView, tmp_path) -> None:
    view.filters.action_combo.setCurrentIndex(view.filters.action_combo.findData("email"))
    _settle(qtbot, view)
    target = tmp_path / "ledger.csv"
    view.export_csv(target)
    qtbot.waitUntil(
        lambda: view.export_button.isEnabled() and "Exported" in view.message_bar.text.text()
    )
    with target.open(encoding="utf-8", newline="") as exported:
        rows = list(csv.reader(exported))
    expected = list(CreditHistory(view._credits).iter_all(LedgerFilter(actions=("email",))))
    assert len(rows) == len(expected) + 1 and {r[4] for r in rows[1:]} == {"email"}


def test_redeeming_a_code_adds_credits_and_refusals_say_why(
    qtbot, app: AppServices, trusted_test_key: None
) -> None:
    view = _open(qtbot, app.credits)
    buy_starter = view.add_credits.buy_buttons["starter"]
    assert not buy_starter.isVisible(), "packages are for demo databases"
    view.add_credits.code_edit.setText(code(300))
    with qtbot.waitSignal(view.creditsChanged):
        view.add_credits.redeem_button.click()
    _settle(qtbot, view)
    assert view.available.value.text() == "300"
    assert app.credits.balance().available == 300

    for text, why in (
        ("nonsense", "not a valid LeadDesk top-up code"),
        (code(5, days=-1), "expired"),
    ):
        view.add_credits.code_edit.setText(text)
        view.add_credits.redeem_button.click()
        qtbot.waitUntil(lambda why=why: why in view.message_bar.text.text())
    assert app.credits.balance().available == 300


def test_packages_show_on_demo_databases(qtbot, view: CreditsView) -> None:
    assert view.add_credits.buy_buttons["starter"].isVisible()


def test_the_low_balance_warning_follows_the_threshold(qtbot, app: AppServices) -> None:
    app_settings.put(app.store, app_settings.DEMO_DATABASE, True)
    app.credits.purchase("starter")
    view = _open(qtbot, app.credits)
    assert view.low_balance is None
    app.credits.set_low_balance_threshold(1000)
    view.refresh()
    _settle(qtbot, view)
    assert view.low_balance and "500 credits left (warning below 1,000)" in view.low_balance
    assert "Low balance" in view.available.note.text()


def test_a_member_sees_no_user_filter(qtbot, app: AppServices) -> None:
    rep = credits_for(app.store, add_member(app.store, "rita"))
    view = _open(qtbot, rep)
    assert view.filters.user_combo.isHidden()
    assert view.ledger_filter() == LedgerFilter()


def test_an_admin_can_look_at_a_member(qtbot, app: AppServices) -> None:
    app.credits.adjust(100, "seed")
    member = add_member(app.store, "rita")
    app.credits.allocate("rita", 40)
    rita = credits_for(app.store, member)
    rita.consume(rita.reserve(5, "voice").id)
    view = _open(qtbot, app.credits)
    view.filters.user_combo.setCurrentIndex(view.filters.user_combo.findData(str(member.id)))
    _settle(qtbot, view)
    assert {t.account_id for t in _rows(view)} == {rita.account_id()}
    assert sum(view.usage_card.chart.usage.credits.get("voice", [])) == 5
    view.filters.user_combo.setCurrentIndex(view.filters.user_combo.findData("*"))
    _settle(qtbot, view)
    assert len({t.account_id for t in _rows(view)}) == 2


def test_the_status_bar_warns_of_a_low_balance(qtbot, app: AppServices, settings) -> None:
    from leaddesk.ui.main_window import MainWindow

    app.credits.adjust(30, "seed")
    window = MainWindow(app, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.balance is not None)
    assert window.low_balance and "30 credits left (warning below 50)" in window.low_balance
    assert window.balance_label.text() == "Credits: 30 — low balance"
    assert window.balance_label.toolTip() == window.low_balance
    app.credits.adjust(100, "top up")
    window.refresh_balance()
    qtbot.waitUntil(lambda: window.balance is not None and window.balance.available == 130)
    assert window.low_balance is None and window.balance_label.text() == "Credits: 130"


def test_one_line_per_action_and_the_raw_ledger_one_click_away(
    qtbot, view: CreditsView
) -> None:
    folded = _rows(view)
    assert not any(t.kind == "reservation" for t in folded), "each send is one line"
    sends = [t for t in folded if t.kind == "consumption"]
    assert sends and all(t.amount < 0 for t in sends)
    view.filters.raw_check.click()
    _settle(qtbot, view)
    raw = _rows(view)
    assert {t.id for t in sends[:20]} <= {t.id for t in raw if t.kind == "reservation"}
    assert any(t.kind == "consumption" and t.amount == 0 for t in raw)

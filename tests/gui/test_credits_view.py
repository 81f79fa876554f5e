"""The credits view: figures, the transaction model, the usage chart and buying a package."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from leaddesk.services.credits.history import CreditHistory, LedgerFilter
from leaddesk.ui.credits.model import TransactionTableModel
from leaddesk.ui.credits.view import CreditsView, month_start
from leaddesk.ui.main_window import MainWindow


@pytest.fixture
def view(qtbot, demo_app) -> CreditsView:
    widget = CreditsView(demo_app.credits)
    qtbot.addWidget(widget)
    widget.resize(1100, 750)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    return widget


def test_figures_come_from_the_ledger(view, demo_app) -> None:
    balance = demo_app.credits.balance()
    assert view.available.value.text() == f"{balance.available:,}"
    assert view.reserved.value.text() == f"{balance.reserved:,}"
    assert view.used.value.text() == f"{demo_app.credits.spent_since(month_start()):,}"
    assert view.plan.value.text() == "Professional"
    assert len(view.usage_card.chart.days) == 30
    assert sum(c for _d, c in view.usage_card.chart.days) > 0


def test_transaction_model_contract_and_paging(qtbot, qtmodeltester, demo_app) -> None:
    history = CreditHistory(demo_app.credits)
    model = TransactionTableModel(lambda after, limit: history.page(LedgerFilter(raw=True), after,
                                                                    limit),
                                  dict(demo_app.credits.prices.labels), page_size=100)
    with qtbot.waitSignal(model.loaded):
        model.refresh()
    assert model.rowCount() == 100
    assert model.canFetchMore()
    with qtbot.waitSignal(model.loaded):
        model.fetchMore()
    newest = demo_app.credits.history(200)
    assert [model.record(r).id for r in range(200)] == [t.id for t in newest]
    amounts = {model.data(model.index(r, model.COL_AMOUNT)) for r in range(200)}
    assert any(a.endswith("spent") for a in amounts)
    qtmodeltester.check(model)  # it may ask for more rows: let them arrive
    qtbot.waitUntil(lambda: not model.is_fetching())


def test_buying_asks_first_and_updates_the_status_bar(qtbot, demo_app, settings) -> None:
    window = MainWindow(demo_app, settings)
    qtbot.addWidget(window)
    window.show()
    window.show_view("credits")
    view = window.credits_view
    qtbot.waitUntil(lambda: view.is_loaded() and window.balance is not None)
    before = demo_app.credits.balance().available

    box = view.add_credits.confirm_purchase(demo_app.credits.prices.package("starter"))
    assert "Starter" in box.text()
    assert demo_app.credits.balance().available == before  # nothing bought before "Buy"
    with qtbot.waitSignal(view.creditsChanged):
        box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: window.balance is not None and window.balance.available == before + 500)
    assert window.balance_label.text() == f"Credits: {before + 500:,}"
    qtbot.waitUntil(view.is_loaded)
    assert view.available.value.text() == f"{before + 500:,}"
    assert view.model.record(0).kind == "purchase"


def test_cancel_buys_nothing(qtbot, view, demo_app) -> None:
    before = demo_app.credits.balance().available
    box = view.add_credits.confirm_purchase(demo_app.credits.prices.package("professional"))
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert demo_app.credits.balance().available == before

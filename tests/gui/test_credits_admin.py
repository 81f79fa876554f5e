"""The credits view's admin screens: allocating and taking back credits, spend caps and the
price list. Every move asks first; refusals are named next to the field they concern."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from leaddesk.services.app_services import AppServices
from leaddesk.services.context import ServiceContext
from leaddesk.services.team.users import UserService
from leaddesk.ui import operations
from leaddesk.ui.credits.allocate import AllocateDialog
from leaddesk.ui.credits.caps import SpendCapDialog
from leaddesk.ui.credits.price_list import PriceListDialog, PriceListModel
from leaddesk.ui.credits.view import CreditsView
from tests.support.credit_helpers import add_member, credits_for


@pytest.fixture
def rita(app: AppServices):
    app.credits.adjust(1000, "seed")
    return add_member(app.store, "rita")


def _open(qtbot, app: AppServices, credits=None) -> CreditsView:
    credits = credits or app.credits
    view = CreditsView(credits, users=UserService(ServiceContext(app.store, credits.actor)))
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitUntil(view.is_loaded)
    return view


def _allocate_dialog(qtbot, view: CreditsView, member, take_back: bool = False):
    dialog = view.admin.open_allocate(take_back=take_back)
    assert isinstance(dialog, AllocateDialog)
    qtbot.waitUntil(dialog.is_loaded)
    dialog.picker.select(member.id)
    qtbot.waitUntil(lambda: dialog.is_loaded() and dialog.picker.figures is not None)
    return dialog


def test_the_admin_tools_show_for_admins_only(qtbot, app: AppServices, rita) -> None:
    admin_view = _open(qtbot, app)
    tools = admin_view.admin
    for button in (tools.allocate_button, tools.caps_button, tools.prices_button):
        assert button.isVisible()
    rep_view = _open(qtbot, app, credits_for(app.store, rita))
    tools = rep_view.admin
    for button in (tools.allocate_button, tools.caps_button, tools.prices_button):
        assert button.isHidden()


def test_giving_credits_asks_first_then_moves_them(qtbot, app: AppServices, rita) -> None:
    view = _open(qtbot, app)
    dialog = _allocate_dialog(qtbot, view, rita)
    assert [m.username for m in dialog.picker.members] == ["rita"], "never oneself"
    assert "Has 0 credits available" in dialog.picker.status.text()
    assert "1,000 credits available" in dialog.own_label.text()
    dialog.amount.setValue(300)

    box = dialog.confirm()
    assert box is not None and box.text() == "Give 300 credits to Rita?"
    assert "Rita: 0 → 300 credits" in box.informativeText()
    assert "You: 1,000 → 700 credits" in box.informativeText()
    assert app.credits.balance().available == 1000, "nothing moves before the confirmation"
    with qtbot.waitSignal(view.creditsChanged):
        box.button(QMessageBox.StandardButton.Yes).click()
    assert app.credits.balance().available == 700
    assert app.credits.balance(rita.id).available == 300
    assert view.message_bar.text.text() == "Gave 300 credits to Rita."
    qtbot.waitUntil(lambda: view.is_loaded() and view.model.rowCount() > 0)
    assert view.available.value.text() == "700"
    top = view.model.index(0, view.model.COL_REFERENCE)
    assert view.model.record(0).kind == "allocation" and top.data() == "Rita"


def test_cancelling_moves_nothing(qtbot, app: AppServices, rita) -> None:
    view = _open(qtbot, app)
    dialog = _allocate_dialog(qtbot, view, rita)
    dialog.amount.setValue(300)
    box = dialog.confirm()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert app.credits.balance(rita.id).available == 0
    dialog.reject()


def test_refusals_are_named_next_to_the_field(qtbot, app: AppServices, rita) -> None:
    app.credits.allocate(rita.id, 40)
    view = _open(qtbot, app)
    dialog = _allocate_dialog(qtbot, view, rita, take_back=True)
    assert dialog.submit_button.text() == "Take back…"
    assert dialog.confirm() is None, "no amount: nothing to confirm"
    assert dialog.errors.shown() == {"amount": "Enter how many credits, 1 or more."}

    dialog.amount.setValue(100)
    box = dialog.confirm()
    assert box is not None and box.text() == "Take 100 credits back from Rita?"
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "amount" in dialog.errors.shown())
    refused = "Rita has 40 credits that are not spent or reserved."
    assert dialog.errors.shown() == {"amount": refused}
    assert dialog.isVisible(), "the dialog stays open to correct the amount"

    dialog.give.setChecked(True)
    dialog.amount.setValue(5000)
    dialog.move(rita.id, 5000, "Rita")
    qtbot.waitUntil(lambda: dialog.errors.shown().get("amount", "").startswith("You have"))
    assert dialog.errors.shown() == {"amount": "You have 960 credits to give."}
    assert app.credits.balance(rita.id).available == 40
    qtbot.waitUntil(dialog.is_loaded)
    dialog.reject()


def test_a_repeated_move_is_made_once(qtbot, app: AppServices, rita) -> None:
    view = _open(qtbot, app)
    dialog = _allocate_dialog(qtbot, view, rita)
    with qtbot.waitSignal(dialog.allocated):
        dialog.move(rita.id, 50, "Rita")  # e.g. a double click reaching the dialog twice
        dialog.move(rita.id, 50, "Rita")
    qtbot.waitUntil(lambda: operations.pending() == 0)
    assert app.credits.balance(rita.id).available == 50
    assert app.credits.balance().available == 950


def test_spend_caps_are_set_shown_and_removed(qtbot, app: AppServices, rita) -> None:
    view = _open(qtbot, app)
    dialog = view.admin.open_spend_caps()
    assert isinstance(dialog, SpendCapDialog)
    qtbot.waitUntil(dialog.is_loaded)
    dialog.picker.select(rita.id)
    qtbot.waitUntil(lambda: dialog.is_loaded() and dialog.picker.figures is not None)
    assert dialog.no_cap.isChecked() and not dialog.credits.isEnabled()
    assert "no spend cap" in dialog.picker.status.text()

    dialog.capped.setChecked(True)
    dialog.save()
    assert dialog.errors.shown() == {
        "credits": "Enter a cap of 1 credit or more, or choose No cap."
    }
    dialog.credits.setValue(200)
    dialog.period.setCurrentIndex(dialog.period.findData("week"))
    with qtbot.waitSignal(dialog.capChanged):
        dialog.save()
    cap = app.credits.spend_cap(rita.id)
    assert (cap.credits, cap.period) == (200, "week")
    assert view.message_bar.text.text() == "Rita: cap 200 credits a week, 0 used."

    again = view.admin.open_spend_caps()
    qtbot.waitUntil(again.is_loaded)
    again.picker.select(rita.id)
    qtbot.waitUntil(lambda: again.is_loaded() and again.picker.figures is not None)
    assert again.capped.isChecked() and again.credits.value() == 200
    assert again.period.currentData() == "week"
    again.no_cap.setChecked(True)
    with qtbot.waitSignal(again.capChanged):
        again.save()
    assert app.credits.spend_cap(rita.id).credits is None


def test_the_price_list_model_passes_the_model_tester(qtmodeltester, app: AppServices) -> None:
    model = PriceListModel()
    model.set_prices(app.credits.prices)
    assert model.rowCount() == len(app.credits.prices.actions)
    sms = model.index(model.row_of("sms"), model.COL_NEW)
    assert model.flags(sms) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, model.COL_CURRENT)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(sms, "four")
    assert model.setData(sms, 4)
    assert model.changes() == {"sms": 4}
    assert model.setData(sms, 2) and model.changes() == {}, "back to the published cost"
    model.setData(sms, 4)
    qtmodeltester.check(model)


def test_publishing_prices_asks_first_and_makes_a_new_version(
    qtbot, app: AppServices, rita
) -> None:
    view = _open(qtbot, app)
    dialog = view.admin.open_price_list()
    assert isinstance(dialog, PriceListDialog)
    qtbot.waitUntil(dialog.is_loaded)
    assert dialog.version_label.text().startswith("Version 1")
    assert not dialog.publish_button.isEnabled(), "nothing changed yet"
    model = dialog.model
    model.setData(model.index(model.row_of("sms"), model.COL_NEW), 4)
    assert dialog.publish_button.isEnabled()
    assert dialog.publish_button.text() == "Publish version 2…"
    dialog.note.setText("SMS costs more")

    box = dialog.confirm()
    assert box is not None and box.text() == "Publish price list version 2?"
    assert "SMS: 2 → 4" in box.informativeText()
    assert app.credits.reload_prices().version == 1, "nothing published before confirming"
    with qtbot.waitSignal(dialog.published):
        box.button(QMessageBox.StandardButton.Yes).click()
    prices = app.credits.reload_prices()
    assert (prices.version, prices.actions["sms"]) == (2, 4)
    assert "SMS 4" in view.add_credits.prices_label.text()
    assert "version 2 published" in view.message_bar.text.text()
    assert credits_for(app.store, rita).quote("sms").cost == 4


def test_a_refused_price_is_named_on_its_row(qtbot, app: AppServices) -> None:
    view = _open(qtbot, app)
    dialog = view.admin.open_price_list()
    qtbot.waitUntil(dialog.is_loaded)
    model = dialog.model
    row = model.row_of("email")
    model.setData(model.index(row, model.COL_NEW), 2_000_000)  # past what the spin box allows
    dialog.publish(model.changes(), "")
    qtbot.waitUntil(lambda: "" in dialog.errors.shown())
    assert dialog.errors.shown() == {"": "Email: 2000000 must be between 0 and 1000000"}
    assert model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert app.credits.reload_prices().version == 1
    qtbot.waitUntil(dialog.is_loaded)
    dialog.reject()


def test_a_member_sees_allocations_from_the_team(qtbot, app: AppServices, rita) -> None:
    app.credits.allocate(rita.id, 25)
    view = _open(qtbot, app, credits_for(app.store, rita))
    assert view.model.record(0).kind == "allocation"
    assert view.model.index(0, view.model.COL_REFERENCE).data() == "Team member"


def test_a_member_sees_their_spend_cap(qtbot, app: AppServices, rita) -> None:
    app.credits.allocate(rita.id, 100)
    app.credits.set_spend_cap(rita.id, 50, "week")
    member = credits_for(app.store, rita)
    member.consume(member.reserve(5, "voice").id)
    view = _open(qtbot, app, member)
    assert view.used.note.text() == "spend cap: 45 of 50 left this week"
    assert view.plan.value.text() == "Team credits"


def test_a_running_move_cannot_be_dismissed(qtbot, app: AppServices, rita) -> None:
    view = _open(qtbot, app)
    dialog = _allocate_dialog(qtbot, view, rita)
    with qtbot.waitSignal(view.creditsChanged):
        dialog.move(rita.id, 10, "Rita")
        dialog.reject()  # Esc while the move runs: the dialog stays to report it
        assert dialog.isVisible()
    assert view.message_bar.text.text() == "Gave 10 credits to Rita."


def test_the_admin_sets_the_low_balance_warning(qtbot, app: AppServices, rita) -> None:
    view = _open(qtbot, app)
    assert view.low_balance is None
    dialog = view.admin.open_low_balance()
    qtbot.waitUntil(dialog.is_loaded)
    assert dialog.threshold.value() == 50, "on by default"
    dialog.threshold.setValue(5000)
    with qtbot.waitSignal(view.creditsChanged):
        dialog.save()
    assert app.credits.low_balance_threshold() == 5000
    assert view.message_bar.text.text() == "Everyone is warned below 5,000 credits."
    qtbot.waitUntil(lambda: view.is_loaded() and view.low_balance is not None)
    assert "Low balance" in view.available.note.text()
    rep_view = _open(qtbot, app, credits_for(app.store, rita))
    assert rep_view.admin.warning_button.isHidden()

"""The credits page and an open Allocate dialog follow credits moved elsewhere (sends, the
CLI, a team-mate): the same numbers everywhere, no stale balance."""

from __future__ import annotations

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.context import ServiceContext
from leaddesk.services.team.users import UserService
from leaddesk.store.change_feed import Change
from leaddesk.ui.change_hub import ChangeHub
from leaddesk.ui.credits.view import CreditsView
from tests.support.credit_helpers import add_member


@pytest.fixture
def rita(app: AppServices):
    app.credits.adjust(1000, "seed")
    return add_member(app.store, "rita")


def _open(qtbot, app: AppServices) -> CreditsView:
    view = CreditsView(app.credits, users=UserService(ServiceContext(app.store, app.credits.actor)))
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitUntil(view.is_loaded)
    return view


def test_credits_moved_elsewhere_reach_the_page_and_the_open_dialog(
    qtbot, app: AppServices, rita
) -> None:
    view = _open(qtbot, app)
    hub = ChangeHub(app.store, view, watch=False)
    hub.changed.connect(view.on_changes)
    dialog = view.admin.open_allocate()
    assert dialog is not None
    qtbot.waitUntil(dialog.is_loaded)
    dialog.picker.select(rita.id)
    qtbot.waitUntil(lambda: dialog.picker.figures is not None)
    rows = view.model.rowCount()

    app.credits.allocate(rita.id, 250)  # as another window would
    with qtbot.waitSignal(hub.changed, timeout=5_000):
        pass

    qtbot.waitUntil(lambda: view.is_loaded() and view.available.value.text() == "750")
    qtbot.waitUntil(lambda: view.model.rowCount() == rows + 1)
    qtbot.waitUntil(lambda: "750 credits available" in dialog.own_label.text())
    qtbot.waitUntil(lambda: "Has 250 credits available" in dialog.picker.status.text())
    hub.stop()
    dialog.reject()


def test_changes_elsewhere_leave_the_page_alone(qtbot, app: AppServices) -> None:
    view = _open(qtbot, app)
    view.on_changes(Change(frozenset({"leads", "tasks"})))
    assert view.is_loaded(), "no reload for tables the page does not show"

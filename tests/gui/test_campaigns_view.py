"""The campaigns view: list of real campaigns, create / edit / delete through the form."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from leaddesk.store.change_feed import Change
from leaddesk.ui.campaigns.form import split_list
from leaddesk.ui.campaigns.model import CampaignListModel
from leaddesk.ui.campaigns.view import CampaignsView


@pytest.fixture
def view(qtbot, demo_app) -> CampaignsView:
    widget = CampaignsView(demo_app.campaigns)
    qtbot.addWidget(widget)
    widget.resize(1100, 750)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    return widget


def test_model_contract(qtmodeltester, demo_app) -> None:
    model = CampaignListModel()
    model.set_campaigns(demo_app.campaigns.list())
    qtmodeltester.check(model)
    assert model.data(model.index(0), CampaignListModel.StatusRole) in {
        "draft", "active", "paused", "done"}


def test_lists_campaigns_and_shows_the_first(qtbot, view, demo_app) -> None:
    names = [c.name for c in demo_app.campaigns.list()]
    assert [view.model.record(r).name for r in range(view.model.rowCount())] == names
    assert view.current is not None and view.form.name.text() == names[0]
    qtbot.waitUntil(lambda: "leads" in view.form.stats.text())


def test_create_edit_delete(qtbot, view, demo_app) -> None:
    before = len(demo_app.campaigns.list())
    view.new_campaign()
    assert view.form.name.text() == "" and not view.form.delete_button.isEnabled()
    view.form.name.setText("Nordic retail")
    view.form.goal.setPlainText("20 meetings")
    view.form.budget.setValue(1500)
    view.form.icp["geographies"].setText("SE, NO; DK")
    with qtbot.waitSignal(view.campaignsChanged):
        view.save()
    qtbot.waitUntil(view.is_loaded)
    created = next(c for c in demo_app.campaigns.list() if c.name == "Nordic retail")
    assert created.budget_credits == 1500
    assert created.icp == {"geographies": ["SE", "NO", "DK"]}
    assert view.current is not None and view.current.id == created.id
    assert len(demo_app.campaigns.list()) == before + 1

    view.form.status.setCurrentIndex(view.form.status.findData("active"))
    view.form.name.setText("Nordic retail Q4")
    with qtbot.waitSignal(view.campaignsChanged):
        view.save()
    qtbot.waitUntil(view.is_loaded)
    updated = demo_app.campaigns.get(created.id)
    assert (updated.name, updated.status) == ("Nordic retail Q4", "active")
    assert view.form.heading.text() == "Nordic retail Q4"

    view.confirm_delete()
    box = view.confirmation
    assert box.isVisible()
    with qtbot.waitSignal(view.campaignsChanged):
        box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(view.is_loaded)
    assert all(c.id != created.id for c in demo_app.campaigns.list())
    assert view.model.row_of(created.id) is None


def test_validation_error_shows_next_to_the_field(qtbot, view, demo_app) -> None:
    view.new_campaign()
    view.form.name.setText("   ")
    view.save()
    qtbot.waitUntil(lambda: bool(view.form.errors.shown()))
    assert view.form.errors.shown() == {"name": "is required"}
    assert len(demo_app.campaigns.list()) == 3


def test_unknown_icp_criteria_survive_an_edit(qtbot, view, demo_app) -> None:
    campaign = demo_app.campaigns.create({"name": "Custom", "icp": {"tech": ["Kafka"]}})
    view.refresh(select=campaign.id)
    qtbot.waitUntil(lambda: view.current is not None and view.current.id == campaign.id)
    view.form.icp["keywords"].setText("streaming")
    with qtbot.waitSignal(view.campaignsChanged):
        view.save()
    qtbot.waitUntil(view.is_loaded)
    assert demo_app.campaigns.get(campaign.id).icp == {"tech": ["Kafka"],
                                                       "keywords": ["streaming"]}


def test_split_list() -> None:
    assert split_list(" a, b ;c,, ") == ["a", "b", "c"]


def test_counts_and_list_follow_writes_made_elsewhere(qtbot, view, demo_app) -> None:
    campaign = view.current
    assert campaign is not None
    qtbot.waitUntil(lambda: "messages" in view.form.stats.text())
    before = demo_app.campaigns.stats(campaign.id)
    lead = demo_app.leads.create({"email": "late@example.org", "campaign_id": campaign.id})
    draft = demo_app.messages.save_draft(lead.id, "email", "Hi", "Hello")
    demo_app.compose.queue([draft.id])
    view.on_changes(Change(frozenset({"messages", "leads"})))
    qtbot.waitUntil(lambda: view.form.stats.text().startswith(
        f"{before.leads + 1:,} leads · {before.messages + 1:,} messages"))

    demo_app.campaigns.create({"name": "Made in another window"})
    view.on_changes(Change(frozenset({"campaigns"})))
    qtbot.waitUntil(lambda: view.is_loaded() and view.model.rowCount() == len(
        demo_app.campaigns.list()))
    assert view.current is not None and view.current.id == campaign.id, "the selection stays"

"""The composer: template + real lead -> live preview, cost, SMS segments, saved draft."""

from __future__ import annotations

import pytest

from leaddesk.ui.composer.lead_picker import LeadSuggestionModel
from leaddesk.ui.composer.view import ComposerView


@pytest.fixture
def view(qtbot, demo_app) -> ComposerView:
    widget = ComposerView(demo_app.templates, demo_app.leads, demo_app.messages,
                          demo_app.credits, sender={"name": "Sam Seller"})
    qtbot.addWidget(widget)
    widget.resize(1100, 750)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    return widget


@pytest.fixture
def lead(demo_app):
    return next(r for r in demo_app.leads.page(limit=50).rows if r.email and r.company)


def template_id(demo_app, name: str):
    return next(t.id for t in demo_app.templates.list() if t.name == name)


def test_preview_renders_the_template_for_a_real_lead(qtbot, view, demo_app, lead) -> None:
    assert view.select_template(template_id(demo_app, "Intro email"))
    view.set_lead(lead)
    preview = view.last_preview
    assert preview is not None and preview.rendered and not preview.error
    assert preview.subject == f"{lead.company} and faster pipeline reviews"
    assert preview.body.startswith(f"Hi {lead.first_name},")
    assert "Sam Seller" in preview.body
    assert view.form.preview_subject.text() == preview.subject
    assert view.form.preview_body.toPlainText() == preview.body + preview.footer
    assert 'To unsubscribe, reply "unsubscribe"' in preview.footer
    assert view.form.cost.text() == "Cost: 1 credit"
    balance = demo_app.credits.balance().available
    assert view.form.balance.text() == f"Balance: {balance:,} credits"
    assert view.form.save_button.isEnabled()


def test_typing_updates_the_preview(qtbot, view, lead) -> None:
    view.set_lead(lead)
    view.form.body.setPlainText("Hello {{ first_name }} at {{ company }}")
    qtbot.waitUntil(lambda: view.last_preview.body == f"Hello {lead.first_name} at {lead.company}")


def test_save_as_draft(qtbot, view, demo_app, lead) -> None:
    tid = template_id(demo_app, "Intro email")
    view.select_template(tid)
    view.set_lead(lead)
    with qtbot.waitSignal(view.draftSaved) as blocker:
        view.form.save_button.click()
    message = blocker.args[0]
    assert message.state == "draft" and message.template_id == tid
    assert message.body == view.last_preview.body
    assert message.subject == view.last_preview.subject
    assert any(m.id == message.id for m in demo_app.messages.for_lead(lead.id))
    assert "Draft saved" in view.message_bar.text.text()


def test_sms_shows_segments_and_its_cost(qtbot, view, demo_app, lead) -> None:
    view.set_channel("sms")
    assert view.form.template.currentText() == "Meeting reminder SMS"
    assert not view.form.subject.isVisibleTo(view)
    view.set_lead(lead)
    assert view.form.cost.text() == f"Cost: {demo_app.credits.prices.cost('sms')} credits"
    assert view.form.segments.isVisibleTo(view)
    assert view.form.segments.text().startswith("1 SMS segment")
    view.form.body.setPlainText("x" * 200)
    view.render_preview()
    assert view.form.segments.text().startswith("2 SMS segments")


def test_a_missing_variable_blocks_the_draft(qtbot, view, lead) -> None:
    view.set_lead(lead)
    view.form.body.setPlainText("Reach me at {{ sender.email }}")
    preview = view.render_preview()
    assert preview.error and "sender.email" in preview.error
    assert view.form.preview_error.isVisibleTo(view)
    assert not view.form.save_button.isEnabled()
    assert view.form.save_hint.text() == "Fix the template to save a draft."


def test_no_recipient_no_draft(view) -> None:
    assert view.lead is None
    assert not view.form.save_button.isEnabled()
    assert "Choose a recipient" in view.form.save_hint.text()


def test_send_is_not_a_dead_button(view) -> None:
    assert not view.form.send_button.isEnabled()
    assert "outbox" in view.form.send_button.toolTip()


def test_lead_picker_searches_as_you_type(qtbot, view, lead) -> None:
    picker = view.picker
    picker.setFocus()
    qtbot.keyClicks(picker, lead.email[:12])
    qtbot.waitUntil(lambda: not picker.is_searching() and picker.suggestions.rowCount() > 0)
    found = [picker.suggestions.record(i) for i in range(picker.suggestions.rowCount())]
    term = lead.email[:12].lower()
    assert all(term in (r.email + r.first_name + r.last_name + r.company).lower() for r in found)
    row = next(i for i, r in enumerate(found) if r.id == lead.id)
    with qtbot.waitSignal(picker.leadChosen):
        picker.choose(row)
    picker.completer_.popup().hide()
    assert view.lead == lead
    assert view.last_preview.rendered


def test_suggestion_model_contract(qtmodeltester, demo_app) -> None:
    model = LeadSuggestionModel()
    model.set_leads(demo_app.leads.page(limit=20).rows)
    qtmodeltester.check(model)

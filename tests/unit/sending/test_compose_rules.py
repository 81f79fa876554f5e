"""Compose: rendering per lead, held messages, do-not-contact, cost, scheduling, saved views."""

from __future__ import annotations

import datetime as dt

import pytest

from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.store.models import Message, SavedView


def test_missing_variable_is_held_with_its_name_never_queued(harness):
    app = harness.app
    ok, missing = app.leads.create({"first_name": "Ann", "email": "ann@example.org",
                                    "company": "Acme"}).id, \
        app.leads.create({"first_name": "Bob", "email": "bob@example.org"}).id
    plan = app.compose.plan("email", [ok, missing], subject="Hi {{ first_name }}",
                            body="{{ company }} and {{ sender.company }}")
    held = {p.lead_id: p.held_reason for p in plan.previews}
    assert held[ok] == ""
    assert "missing company" in held[missing]
    assert plan.previews[0].body == "Acme and Example Ltd"
    assert (plan.sendable, plan.total_cost, plan.price_each) == (1, 1, 1)
    result = app.compose.commit(plan)
    assert (result.queued, result.held) == (1, 1)
    assert app.messages.counts_by_state() == {"queued": 1, "held": 1}
    stored = {m.lead_id: m for m in app.messages.recent()}
    assert stored[missing].hold_reason == held[missing]
    assert stored[missing].body == "{{ company }} and {{ sender.company }}"  # not a broken text


def test_fallbacks_render_and_sms_rules_apply(harness):
    app = harness.app
    app.integrations.add("linkedin", "li", {})
    lead = app.leads.create({"email": "x@example.org", "phone": "+14155550100",
                             "linkedin_url": "https://www.linkedin.com/in/someone"}).id
    plan = app.compose.plan("sms", [lead], body="Hi {{ first_name | default('there') }} " * 200,
                            integration=harness.channel)
    assert plan.previews[0].body.startswith("Hi there Hi there")
    assert plan.previews[0].held_reason  # longer than an SMS may be
    assert plan.sendable == 0


def test_do_not_contact_leads_get_no_message(harness):
    app = harness.app
    flagged = app.leads.create({"email": "no@example.org", "do_not_contact": True}).id
    fine = app.leads.create({"email": "yes@example.org"}).id
    app.suppression.add("+1 415 555 0100", "manual")
    by_phone = app.leads.create({"email": "p@example.org", "phone": "+14155550100"}).id
    plan = app.compose.plan("email", [flagged, fine, by_phone], subject="Hi", body="Hello")
    assert {p.lead_id for p in plan.blocked} == {flagged, by_phone}
    assert app.compose.commit(plan).blocked == 2
    assert app.messages.counts_by_state() == {"queued": 1}
    assert app.suppression.check_lead(by_phone) == \
        "+14155550100 is on the do-not-contact list (manual)"


def test_schedule_draft_and_an_email_without_subject(harness):
    app = harness.app
    lead = harness.leads(1)[0]
    at = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    app.compose.commit(app.compose.plan("email", [lead], subject="s", body="later"), at=at)
    app.compose.commit(app.compose.plan("email", [lead], subject="s", body="draft"), draft=True)
    with app.store.read() as session:
        rows = {m.body: m for m in session.query(Message)}
    assert rows["later"].state.value == "queued" and rows["later"].next_attempt_at == at
    assert rows["draft"].state.value == "draft"
    plan = app.compose.plan("email", [lead], subject="s", body="x")
    assert plan.affordable and plan.total_cost == 1
    assert app.compose.plan("email", [lead], body="no subject").held[0].held_reason
    with pytest.raises(ValidationError, match="at: needs a time zone"):
        app.compose.commit(plan, at=dt.datetime(2030, 1, 1))


def test_saved_view_recipients_and_unknown_view(harness):
    app = harness.app
    harness.leads(3)
    app.leads.create({"first_name": "Zed", "email": "zed@example.org", "status": "won"})
    with app.store.write() as session:
        session.add(SavedView(user_id=app.ctx.actor.id, name="fresh",
                              query={"statuses": ["new"]}))
    assert len(app.compose.leads_in_view("fresh")) == 3
    with pytest.raises(NotFoundError):
        app.compose.leads_in_view("nope")


def test_template_of_another_channel_is_refused(harness):
    app = harness.app
    template = app.templates.create({"channel": "sms", "name": "t", "body": "hi"})
    with pytest.raises(ValidationError, match="sms template, not email"):
        app.compose.plan("email", harness.leads(1), template_id=template.id)

"""WhatsApp content templates: what a template may name, and compose rendering its variables."""

from __future__ import annotations

import pytest

from leaddesk.services.errors import ValidationError
from leaddesk.store.models import Message

SID = "HX" + "ab" * 16


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"content_sid": "HX123"}, "content_sid", "not a Twilio Content SID"),
        ({"content_sid": "MG" + "ab" * 16}, "content_sid", "HX followed by 32 hex digits"),
        (
            {"content_sid": SID, "content_variables": "{1: x}"},
            "content_variables",
            "not valid JSON",
        ),
        (
            {"content_sid": SID, "content_variables": ["x"]},
            "content_variables",
            "must be an object",
        ),
        (
            {"content_sid": SID, "content_variables": {"first": "{{ first_name }}"}},
            "content_variables",
            "'first' is not a variable number",
        ),
        (
            {"content_sid": SID, "content_variables": {"0": "x"}},
            "content_variables",
            "'0' is not a variable number",
        ),
        (
            {"content_sid": SID, "content_variables": {"1": " "}},
            "content_variables",
            "variable 1 needs a text value",
        ),
        (
            {"content_sid": SID, "content_variables": {"1": 5}},
            "content_variables",
            "variable 1 needs a text value",
        ),
        (
            {"content_sid": SID, "content_variables": {"1": "{{ favourite_colour }}"}},
            "content_variables",
            "favourite_colour",
        ),
        (
            {"content_sid": SID, "content_variables": {"1": "{{ first_name "}},
            "content_variables",
            "variable 1",
        ),
        (
            {"content_variables": {"1": "{{ first_name }}"}},
            "content_variables",
            "need a Content SID",
        ),
    ],
)
def test_bad_content_template_fields_are_refused_by_name(app, data, field, words):
    with pytest.raises(ValidationError) as caught:
        app.templates.create({"channel": "whatsapp", "name": "Intro", **data})
    assert caught.value.field == field
    assert words in caught.value.message
    assert app.templates.list() == []


def test_only_whatsapp_templates_name_a_content_sid(app):
    with pytest.raises(ValidationError, match="content_sid: only WhatsApp") as caught:
        app.templates.create({"channel": "sms", "name": "Hi", "body": "x", "content_sid": SID})
    assert "sms template" in caught.value.message
    template = app.templates.create(
        {
            "channel": "whatsapp",
            "name": "Intro",
            "content_sid": SID,
            "content_variables": '{"2": "{{ company }}", "1": "{{ first_name }}"}',
        }
    )
    assert list(template.content_variables.items()) == [
        ("1", "{{ first_name }}"),
        ("2", "{{ company }}"),
    ]
    with pytest.raises(ValidationError, match="content_sid: only WhatsApp"):
        app.templates.update(template.id, {"channel": "email"})  # the kept SID counts
    cleared = app.templates.update(template.id, {"content_sid": "", "content_variables": {}})
    assert (cleared.content_sid, cleared.content_variables) == ("", {})


def test_compose_renders_variables_per_lead_and_holds_what_whatsapp_refuses(harness):
    app = harness.app
    ann = app.leads.create({"first_name": "Ann", "company": "Acme", "phone": "+14155550101"}).id
    bob = app.leads.create({"first_name": "Bob", "phone": "+14155550102"}).id
    eve = app.leads.create(
        {"first_name": "Eve", "company": "  ", "phone": "+14155550103", "title": "x" * 90}
    ).id
    template = app.templates.create(
        {
            "channel": "whatsapp",
            "name": "Intro",
            "body": "Hi {{ first_name }} (our copy)",
            "content_sid": SID,
            "content_variables": {
                "1": "{{ first_name }}",
                "2": "{{ company | default('') }}",
                "3": "{{ title | default('there') * 20 }}",
            },
        }
    )
    plan = app.compose.plan(
        "whatsapp", [ann, bob, eve], template_id=template.id, integration=harness.channel
    )
    assert plan.content_sid == SID
    by_lead = {p.lead_id: p for p in plan.previews}
    assert by_lead[ann].content_variables == {"1": "Ann", "2": "Acme", "3": "there" * 20}
    assert by_lead[ann].body == "Hi Ann (our copy)" and by_lead[ann].sendable
    assert (
        by_lead[bob].held_reason == "WhatsApp variable {{2}} is empty; WhatsApp refuses "
        "empty values."
    )
    assert "WhatsApp variable {{3}} is 1800 characters; the limit is 1600." in by_lead[
        eve
    ].held_reason + " ".join(i.message for i in by_lead[eve].issues)

    result = app.compose.commit(plan)
    assert (result.queued, result.held) == (1, 2)
    with app.store.read() as session:
        rows = {m.lead_id: m for m in session.query(Message)}
    assert (rows[ann].content_sid, rows[ann].content_variables) == (
        SID,
        {"1": "Ann", "2": "Acme", "3": "there" * 20},
    )
    assert rows[bob].hold_reason.startswith("WhatsApp variable {{2}} is empty")


def test_free_form_messages_carry_no_content_template(harness):
    app = harness.app
    lead = app.leads.create({"first_name": "Ann", "phone": "+14155550101"}).id
    plan = app.compose.plan(
        "whatsapp", [lead], body="Hi {{ first_name }}", integration=harness.channel
    )
    app.compose.commit(plan)
    with app.store.read() as session:
        row = session.query(Message).one()
    assert (row.content_sid, row.content_variables, row.body) == ("", None, "Hi Ann")

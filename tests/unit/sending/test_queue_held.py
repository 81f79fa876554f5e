"""Queueing held messages again: rendered against the lead as it is now, never as template text."""

from __future__ import annotations

import pytest

from leaddesk.cli import main
from leaddesk.services.errors import ValidationError


def _held(harness, **lead):
    lead_id = harness.app.leads.create({"last_name": "Example", "company": "Acme", **lead}).id
    result = harness.app.compose.send("email", [lead_id], subject="Hi {{ first_name }}",
                                      body="Hello {{ first_name }}, a note for {{ company }}.")
    assert result.held == 1
    return lead_id, result.message_ids[0]


def test_a_held_message_is_rendered_again_once_the_lead_has_the_value(harness) -> None:
    lead_id, message_id = _held(harness, email="ada@example.org")
    before = harness.app.messages.get(message_id)
    assert "missing first_name" in before.hold_reason

    with pytest.raises(ValidationError, match="still held: missing first_name"):
        harness.app.compose.queue([message_id])
    assert harness.app.messages.get(message_id).state == "held", "a refusal changes nothing"

    harness.app.leads.update(lead_id, {"first_name": "Ada"})
    assert harness.app.compose.queue([message_id]) == 1
    queued = harness.app.messages.get(message_id)
    assert queued.state == "queued"
    assert (queued.subject, queued.body) == ("Hi Ada", "Hello Ada, a note for Acme.")
    assert queued.hold_reason == ""

    harness.dispatcher().run_until_empty()
    [sent] = harness.sent
    assert (sent.subject, sent.body_text) == ("Hi Ada", "Hello Ada, a note for Acme.")


def test_a_message_held_for_want_of_an_address_goes_to_the_address_added(harness) -> None:
    lead_id, message_id = _held(harness, first_name="Bo")
    assert "no email" in harness.app.messages.get(message_id).hold_reason
    harness.app.leads.update(lead_id, {"email": "bo@example.org"})
    assert harness.app.compose.queue([message_id]) == 1
    assert harness.app.messages.get(message_id).to_address == "bo@example.org"


def test_one_refusal_queues_none_of_the_batch(harness) -> None:
    ready_lead, ready = _held(harness, email="cy@example.org")
    _, still_held = _held(harness, email="di@example.org")
    harness.app.leads.update(ready_lead, {"first_name": "Cy"})
    with pytest.raises(ValidationError, match=f"message: {still_held} .*still held"):
        harness.app.compose.queue([ready, still_held])
    assert harness.app.messages.get(ready).state == "held"


def test_do_not_contact_is_respected_when_queueing(harness) -> None:
    lead_id, message_id = _held(harness, email="ed@example.org")
    harness.app.leads.update(lead_id, {"first_name": "Ed"})
    harness.app.suppression.add("ed@example.org", "unsubscribe")
    with pytest.raises(ValidationError, match="do-not-contact"):
        harness.app.compose.queue([message_id])
    assert harness.app.messages.get(message_id).state == "held"


def test_cli_queues_a_fixed_message(harness, capsys) -> None:
    lead_id, message_id = _held(harness, email="fay@example.org")
    harness.app.leads.update(lead_id, {"first_name": "Fay"})
    url = harness.app.store.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "outbox", "queue", str(message_id)]) == 0
    assert "queued 1" in capsys.readouterr().out
    assert harness.app.messages.get(message_id).body.startswith("Hello Fay")

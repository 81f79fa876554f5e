"""The composer with a WhatsApp content template: the preview shows the Content SID and the
variables rendered for the lead, and Send now sends the template to the loopback Twilio server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from leaddesk.ui.composer.view import ComposerView
from tests.fakes.twilio_server import FakeTwilioServer
from tests.fakes.twilio_spec import SPEC_MISSING_REASON, spec_available
from tests.support.memory_keyring import MemoryKeyring, installed

SID = "HX" + "5e" * 16


@pytest.fixture
def twilio() -> Iterator[FakeTwilioServer]:
    with FakeTwilioServer() as server:
        yield server


@pytest.fixture
def view(open_composer, sending_app, twilio) -> Iterator[ComposerView]:
    with installed(MemoryKeyring()):
        sending_app.integrations.add(
            "twilio",
            "whatsapp",
            {
                "account_sid": twilio.account_sid,
                "whatsapp_from": "+14155550123",
                "base_url": twilio.base_url,
                "timeout": 20,
            },
            {"auth_token": twilio.auth_token},
        )
        sending_app.templates.create(
            {
                "channel": "whatsapp",
                "name": "Trial follow-up",
                "body": "Hi {{ first_name }}, thanks for trying us at {{ company }}. "
                "Shall we book a call this week?",
                "content_sid": SID,
                "content_variables": {
                    "1": "{{ first_name }}",
                    "2": "{{ company }}",
                    "3": "{{ last_name }}",
                },
            }
        )
        yield open_composer(sending_app, workers=1)


def test_preview_shows_the_content_template_and_send_uses_it(
    qtbot, view, sending_app, twilio
) -> None:
    lead = sending_app.leads.create(
        {"first_name": "Ann", "last_name": "Example", "company": "Acme", "phone": "+14155550101"}
    )
    view.set_channel("whatsapp")
    assert view.form.template.currentText() == "Trial follow-up"
    view.set_lead(lead)
    qtbot.waitUntil(lambda: view.last_preview is not None and view.last_preview.rendered)

    result = view.last_preview
    assert result.content_sid == SID
    assert result.variables == (("1", "Ann"), ("2", "Acme"), ("3", "Example"))
    assert view.form.content.isVisible()
    shown = view.form.content.text()
    assert SID in shown and "{{1}}" in shown and "Example" in shown
    assert view.form.body.isReadOnly()  # the approved text lives at WhatsApp
    assert not view.form.save_button.isEnabled()
    assert "Send now" in view.form.save_hint.text()
    qtbot.waitUntil(view.form.send_button.isEnabled)
    view.grab().save("/tmp/wa.png")

    with qtbot.waitSignal(view.sending.runner.finished, timeout=30_000) as done:
        view.form.send_button.click()
    assert done.args[0].sent == 1
    [request] = [r for r in twilio.requests if r.method == "POST"]
    assert request.problems == []
    assert request.param("ContentSid") == SID
    assert json.loads(request.param("ContentVariables") or "") == {
        "1": "Ann",
        "2": "Acme",
        "3": "Example",
    }

    view.form.template.setCurrentIndex(0)  # a blank message is free-form and editable again
    assert not view.form.body.isReadOnly() and not view.form.content.isVisible()


pytestmark = pytest.mark.skipif(not spec_available(), reason=SPEC_MISSING_REASON)

"""Compliance in the window: the composer's preview shows the footer the email carries (the
sender's postal address and the unsubscribe line), warns when the address is missing, and the
outbox runner (the GUI's sending loop) reads "STOP" texts before it sends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete

from leaddesk.services import settings
from leaddesk.services.messaging.compliance import NO_POSTAL_ADDRESS
from leaddesk.store.models import AppSetting, BusinessProfile
from leaddesk.ui.composer.outbox_panel import OutboxRunner
from tests.fakes.twilio_inbox import FakeTwilioInbox
from tests.fakes.twilio_spec import SPEC_MISSING_REASON, spec_available
from tests.support.memory_keyring import MemoryKeyring, installed


def _lead(app):
    return next(r for r in app.leads.page(limit=50).rows if r.email and r.first_name)


def test_the_preview_shows_the_footer_that_goes_out(qtbot, open_composer, sending_app,
                                                    smtp) -> None:
    settings.put(sending_app.store, settings.SENDER_POSTAL_ADDRESS, "1 Example Road\nExampletown")
    view = open_composer(sending_app)
    lead = _lead(sending_app)
    view.set_channel("email")
    view.set_lead(lead)
    view.form.subject.setText("Hello")
    view.form.body.setPlainText("Hi {{ first_name }}")
    shown = view.render_preview()
    footer = ('\n\n-- \n1 Example Road\nExampletown\n'
              'To unsubscribe, reply "unsubscribe" or write to rep@example.com.\n')
    assert shown.footer == footer
    assert view.form.preview_body.toPlainText() == f"Hi {lead.first_name}" + footer
    assert NO_POSTAL_ADDRESS not in view.form.issues.text()

    with qtbot.waitSignal(view.sending.runner.finished, timeout=30_000):
        view.form.send_button.click()
    text = smtp.messages[0].message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text == f"Hi {lead.first_name}" + footer


def test_without_a_postal_address_the_preview_warns_and_the_send_is_held(
        qtbot, open_composer, sending_app, smtp) -> None:
    with sending_app.store.write() as session:
        session.execute(delete(BusinessProfile))
        session.execute(delete(AppSetting).where(AppSetting.key == settings.SENDER_POSTAL_ADDRESS))
    view = open_composer(sending_app)
    view.set_channel("email")
    view.set_lead(_lead(sending_app))
    view.form.subject.setText("Hello")
    view.form.body.setPlainText("Hi {{ first_name }}")
    view.render_preview()
    assert NO_POSTAL_ADDRESS in view.form.issues.text()
    assert view.form.issues.isVisible()
    view.sending.send(None)
    qtbot.waitUntil(lambda: view.sending.last_result is not None)
    assert (view.sending.last_result.queued, view.sending.last_result.held) == (0, 1)
    held = [m for m in sending_app.messages.recent() if m.state == "held"]
    assert held and held[0].hold_reason == NO_POSTAL_ADDRESS


@pytest.fixture
def twilio() -> Iterator[FakeTwilioInbox]:
    if not spec_available():
        pytest.skip(SPEC_MISSING_REASON)
    with FakeTwilioInbox() as server:
        yield server


def test_the_sending_loop_reads_stop_texts_first(qtbot, sending_app, twilio) -> None:
    with installed(MemoryKeyring()):
        sending_app.integrations.add(
            "twilio", "texts", {"account_sid": twilio.account_sid, "from_number": "+14155550123",
                                "base_url": twilio.base_url, "timeout": 2},
            {"auth_token": twilio.auth_token})
        twilio.inbound("+14155550142", "+14155550123", "STOP")
        runner = OutboxRunner.for_services(sending_app)
        with qtbot.waitSignal(runner.finished, timeout=30_000):
            runner.start()
    assert sending_app.suppression.is_suppressed("+14155550142")
    assert [r.query["To"] for r in twilio.requests] == [["+14155550123"],
                                                        ["whatsapp:+14155550123"]]

"""Inbound "STOP" texts read from the fake Twilio server (every request checked against
Twilio's OpenAPI definition) put the number on the do-not-contact list: through the
dispatcher (the GUI's sending loop) and ``leaddesk outbox poll``."""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Iterator

import pytest
from sending_kit import make_leads

from leaddesk.channels.twilio import TwilioClient
from leaddesk.channels.twilio_inbound import inbound_texts
from leaddesk.cli import main
from leaddesk.services.messaging.integrations import twilio_settings
from tests.fakes.twilio_inbox import FakeTwilioInbox
from tests.fakes.twilio_spec import SPEC_MISSING_REASON, spec_available

pytestmark = pytest.mark.skipif(not spec_available(), reason=SPEC_MISSING_REASON)

OURS, WHATSAPP = "+14155550123", "+14155550999"
PHONES = [f"+1415555010{i}" for i in range(5)]


@pytest.fixture
def twilio() -> Iterator[FakeTwilioInbox]:
    with FakeTwilioInbox() as server:
        yield server


@pytest.fixture
def texting(funded, twilio, keyring_backend):
    funded.integrations.add(
        "twilio", "texts",
        {"account_sid": twilio.account_sid, "from_number": OURS, "whatsapp_from": WHATSAPP,
         "base_url": twilio.base_url, "timeout": 2},
        {"auth_token": twilio.auth_token})
    leads = [make_leads(funded, 1, phone=p, email=f"p{i}@example.org")[0]
             for i, p in enumerate(PHONES)]
    return funded, leads


def test_stop_texts_suppress_the_number(texting, twilio, dispatcher_for):
    app, leads = texting
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=90)
    twilio.inbound(PHONES[0], OURS, "STOP")
    twilio.inbound("whatsapp:" + PHONES[1], "whatsapp:" + WHATSAPP, "Arrêt")
    twilio.inbound(PHONES[2], OURS, "Stop calling me at work, text instead")
    twilio.inbound(PHONES[3], "+14155550777", "STOP")  # to someone else's number
    twilio.inbound(PHONES[4], OURS, "STOP", sent=old)  # before the first poll's window
    twilio.inbound("+447911123456", OURS, "unsubscribe")  # not a lead: still listed

    reports = dispatcher_for().poll_opt_outs()

    report = reports["texts"]
    assert (report.fetched, report.stops, report.added, report.more) == (4, 3, 3, False)
    assert [r.operation for r in twilio.requests] == ["ListMessage", "ListMessage"]
    assert all(not r.problems for r in twilio.requests)
    status = {i: app.leads.get(lead).status for i, lead in enumerate(leads)}
    assert [status[i] == "unsubscribed" for i in range(5)] == [True, True, False, False, False]
    for number in (PHONES[0], PHONES[1], "+447911123456"):
        assert app.suppression.is_suppressed(number)
    assert not app.suppression.is_suppressed(PHONES[2])
    note = next(s.note for s in app.suppression.list() if s.value == PHONES[1])
    assert note.startswith("ARRET by WhatsApp to texts")

    again = dispatcher_for().poll_opt_outs()["texts"]  # the same day is read again: no harm
    assert (again.stops, again.added) == (3, 0)
    plan = app.compose.plan("sms", leads, body="Hi, reply STOP to opt out")
    assert [p.blocked_reason != "" for p in plan.previews] == [True, True, False, False, False]


def test_paging_follows_next_page_uri(twilio):
    for i in range(5):
        twilio.inbound(PHONES[i], OURS, f"hello {i}")
    settings = twilio_settings({"account_sid": twilio.account_sid, "base_url": twilio.base_url})
    with TwilioClient(settings, twilio.auth_token) as client:
        texts, more = inbound_texts(client, OURS, None, page_size=2)
        assert (len(texts), more) == (5, False)
        assert sorted(t.from_ for t in texts) == PHONES
        first, more = inbound_texts(client, OURS, None, page_size=2, max_pages=1)
        assert (len(first), more) == (2, True)
    assert all(not r.problems for r in twilio.requests)


def test_outbox_poll_on_the_command_line(texting, twilio, monkeypatch, capsys, db_url):
    twilio.inbound(PHONES[0], OURS, "stop")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--db", db_url, "outbox", "poll"]) == 0
    out = capsys.readouterr().out
    assert "texts: 1 texts received, 1 opt-outs (STOP), 1 numbers added to do-not-contact" in out


def test_an_unreachable_provider_is_reported_not_raised(funded, keyring_backend, dispatcher_for):
    funded.integrations.add(
        "twilio", "texts", {"account_sid": "AC" + "0" * 32, "from_number": OURS,
                            "base_url": "http://127.0.0.1:9", "timeout": 0.5},
        {"auth_token": "t"})
    reports = dispatcher_for().poll_opt_outs()
    assert reports["texts"].startswith("error: cannot connect to http://127.0.0.1:9")

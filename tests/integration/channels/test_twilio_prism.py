"""Every request LeadDesk's Twilio channels send (SMS, WhatsApp free-form and template, a call,
status polls), validated by Stoplight Prism against Twilio's published OpenAPI definition
(``../shared/specs/twilio``): ``prism proxy --errors`` stands in front of the loopback fake
Twilio server, so a request that breaks the definition is answered 422 by Prism and never
reaches the server. (Prism does not check Twilio's conditional rules or
phone formats; the fake's own validator and test_twilio_integration cover those.)"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from leaddesk.channels.base import ChannelKind, DeliveryState, OutgoingMessage
from leaddesk.channels.twilio import (
    TwilioClient,
    TwilioSettings,
    TwilioSmsChannel,
    TwilioVoiceChannel,
    TwilioWhatsAppChannel,
)
from tests.fakes.twilio_server import FakeTwilioServer
from tests.fakes.twilio_spec import SPEC_MISSING_REASON, SPEC_PATH, spec_available
from tests.support.prism import SKIP_REASON, PrismProxy, find_prism, prism_proxy

pytestmark = [
    pytest.mark.skipif(not spec_available(), reason=SPEC_MISSING_REASON),
    pytest.mark.skipif(find_prism() is None, reason=SKIP_REASON),
]

LEAD = "+14155550100"
SENDER = "+14155550123"
TEMPLATE = "HX" + "0f" * 16  # a WhatsApp content template


@pytest.fixture
def prism(twilio_server: FakeTwilioServer) -> Iterator[PrismProxy]:
    prism = find_prism()
    assert prism is not None
    with prism_proxy(prism, SPEC_PATH, twilio_server.base_url) as proxy:
        yield proxy


@pytest.fixture
def answers() -> list[httpx.Response]:
    return []


@pytest.fixture
def client(twilio_server: FakeTwilioServer, prism: PrismProxy,
           answers: list[httpx.Response]) -> Iterator[TwilioClient]:
    settings = TwilioSettings(account_sid=twilio_server.account_sid, from_number=SENDER,
                              base_url=prism.base_url, timeout=20, connect_timeout=5)
    with TwilioClient(settings, twilio_server.auth_token) as shared:
        # what Prism answered to each request (the channel itself only returns the outcome)
        shared._http.event_hooks["response"].append(answers.append)
        yield shared


def message(kind: ChannelKind, body: str) -> OutgoingMessage:
    return OutgoingMessage(message_id=f"m-{kind.value}", channel=kind, to=LEAD, from_="",
                           body_text=body)


def test_prism_accepts_every_request_the_twilio_channels_send(
    twilio_server: FakeTwilioServer, prism: PrismProxy, client: TwilioClient,
    answers: list[httpx.Response],
) -> None:
    settings = client.settings
    sms = TwilioSmsChannel(settings, client=client)
    whatsapp = TwilioWhatsAppChannel(settings, client=client)
    voice = TwilioVoiceChannel(settings, client=client)

    sent = sms.send(message(ChannelKind.SMS, "Hi Ann, got a minute? 🙂"))
    chat = whatsapp.send(message(ChannelKind.WHATSAPP, "Hi Ann, a note on WhatsApp"))
    call = voice.send(message(ChannelKind.VOICE, "Hello <Ann> & team"))
    template = whatsapp.send(replace(message(ChannelKind.WHATSAPP, ""), content_sid=TEMPLATE,
                                     content_variables={"1": "Ann", "2": "Tuesday"}))
    assert template.provider_id.startswith("SM")
    assert sent.provider_id.startswith("SM") and chat.provider_id.startswith("SM")
    assert call.provider_id.startswith("CA")
    # the status polls, by the stored SIDs
    assert sms.fetch_status(sent.provider_id) in set(DeliveryState)
    assert voice.fetch_status(call.provider_id) in set(DeliveryState)

    log = prism.log()
    assert len(answers) == 6, log
    for answer in answers:
        where = f"{answer.request.method} {answer.request.url.path}"
        assert answer.status_code in (200, 201), (where, answer.text, log)
        assert "sl-violations" not in answer.headers, (where, answer.headers["sl-violations"])
        assert answer.headers.get("server", "").startswith("FakeTwilio"), where  # forwarded
    assert [r.method for r in twilio_server.requests] == ["POST"] * 4 + ["GET"] * 2
    assert all(r.problems == [] for r in twilio_server.requests)
    assert twilio_server.requests[1].param("To") == f"whatsapp:{LEAD}"
    assert twilio_server.requests[3].param("ContentSid") == TEMPLATE
    assert "✖" not in log and "Violation" not in log, log


def test_prism_rejects_a_malformed_request(
    twilio_server: FakeTwilioServer, prism: PrismProxy
) -> None:
    url = f"{prism.base_url}/2010-04-01/Accounts/{twilio_server.account_sid}/Messages.json"
    auth = (twilio_server.account_sid, twilio_server.auth_token)
    # no To (the one field the schema requires)
    missing = httpx.post(url, data={"From": SENDER, "Body": "Hi"}, auth=auth, timeout=20)
    assert missing.status_code == 422, missing.text
    assert missing.headers["content-type"].startswith("application/problem+json")
    problem = missing.json()
    assert problem["type"].endswith("#UNPROCESSABLE_ENTITY")
    assert any("'To'" in v["message"] for v in problem["validation"]), problem
    # JSON where the API takes a form
    as_json = httpx.post(url, json={"To": LEAD, "From": SENDER, "Body": "Hi"}, auth=auth,
                         timeout=20)
    assert as_json.status_code == 422, as_json.text
    assert "application/x-www-form-urlencoded" in as_json.text
    assert twilio_server.requests == [], "Prism let a malformed request through"

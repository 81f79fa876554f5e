"""The Twilio channels against the fake Twilio server, which validates every request against
Twilio's published OpenAPI definition."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from email.utils import format_datetime

import pytest

from leaddesk.channels.base import (
    AmbiguousSendError,
    ChannelConfigurationError,
    ChannelKind,
    DeliveryState,
    InvalidRecipientError,
    OutgoingMessage,
    PermanentChannelError,
    TemporaryChannelError,
)
from leaddesk.channels.twilio import (
    TwilioClient,
    TwilioSettings,
    TwilioSmsChannel,
    TwilioVoiceChannel,
    TwilioWhatsAppChannel,
)
from tests.fakes.smtp_server import free_port
from tests.fakes.tls import TestCertificates
from tests.fakes.twilio_server import FakeTwilioServer
from tests.fakes.twilio_spec import SPEC_MISSING_REASON, spec_available

pytestmark = pytest.mark.skipif(not spec_available(), reason=SPEC_MISSING_REASON)

LEAD = "+14155550100"
SENDER = "+14155550123"
SERVICE = "MG" + "ab" * 16


def message(
    kind: ChannelKind = ChannelKind.SMS, to: str = LEAD, body: str = "Hi Ann, got a minute?"
):
    return OutgoingMessage(message_id="m-1", channel=kind, to=to, from_="", body_text=body)


@pytest.fixture
def settings(twilio_server: FakeTwilioServer) -> TwilioSettings:
    return TwilioSettings(
        account_sid=twilio_server.account_sid,
        from_number=SENDER,
        base_url=twilio_server.base_url,
        timeout=0.5,
        connect_timeout=0.5,
    )


@pytest.fixture
def client(settings: TwilioSettings, twilio_server: FakeTwilioServer) -> Iterator[TwilioClient]:
    with TwilioClient(settings, twilio_server.auth_token) as shared:
        yield shared


@pytest.fixture
def sms(settings: TwilioSettings, client: TwilioClient) -> TwilioSmsChannel:
    return TwilioSmsChannel(settings, client=client)


def assert_all_valid(server: FakeTwilioServer) -> None:
    assert server.requests, "no request reached the server"
    for request in server.requests:
        assert request.problems == [], (request.method, request.path, request.problems)


def test_sms_is_form_encoded_with_basic_auth(
    twilio_server: FakeTwilioServer, sms: TwilioSmsChannel
):
    result = sms.send(message())

    assert re.fullmatch(r"SM[0-9a-f]{32}", result.provider_id or "")
    assert result.status is DeliveryState.QUEUED
    [request] = twilio_server.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{twilio_server.account_sid}/Messages.json"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["authorization"].startswith("Basic ")
    assert request.form == {"To": [LEAD], "From": [SENDER], "Body": ["Hi Ann, got a minute?"]}
    assert request.status == 201
    assert_all_valid(twilio_server)


def test_status_is_polled_until_delivered(twilio_server: FakeTwilioServer, sms: TwilioSmsChannel):
    sid = sms.send(message()).provider_id
    assert sid is not None
    states = [sms.fetch_status(sid) for _ in range(3)]
    assert states == [DeliveryState.SENT, DeliveryState.DELIVERED, DeliveryState.DELIVERED]
    twilio_server.set_status(sid, "undelivered")
    assert sms.fetch_status(sid) == DeliveryState.FAILED
    assert_all_valid(twilio_server)


def test_messaging_service_instead_of_sender(twilio_server: FakeTwilioServer, settings, client):
    channel = TwilioSmsChannel(replace(settings, messaging_service_sid=SERVICE), client=client)
    result = channel.send(message())
    assert result.raw["status"] == "accepted"
    assert twilio_server.requests[0].form["MessagingServiceSid"] == [SERVICE]
    assert "From" not in twilio_server.requests[0].form
    assert_all_valid(twilio_server)


def test_whatsapp_uses_prefixed_addresses(twilio_server: FakeTwilioServer, settings, client):
    channel = TwilioWhatsAppChannel(
        replace(
            settings, whatsapp_from="+14155550199", status_callback_url="https://cb.example.org/s"
        ),
        "",
        client=client,
    )
    result = channel.send(message(ChannelKind.WHATSAPP, to="+1 415 555 0100"))
    form = twilio_server.requests[0].form
    assert form["To"] == [f"whatsapp:{LEAD}"]
    assert form["From"] == ["whatsapp:+14155550199"]
    assert form["StatusCallback"] == ["https://cb.example.org/s"]
    assert result.raw["to"] == f"whatsapp:{LEAD}"
    assert_all_valid(twilio_server)


TEMPLATE = "HX" + "0f" * 16


def test_whatsapp_template_sends_content_sid_and_variables(
    twilio_server: FakeTwilioServer, settings, client
):
    channel = TwilioWhatsAppChannel(settings, client=client)
    msg = replace(message(ChannelKind.WHATSAPP, body="(template)"), content_sid=TEMPLATE,
                  content_variables={"1": "Ann", "2": "Tuesday 10:00 — café"})
    result = channel.send(msg)
    request = twilio_server.requests[0]
    assert request.param("ContentSid") == TEMPLATE
    assert json.loads(request.param("ContentVariables") or "") == {
        "1": "Ann", "2": "Tuesday 10:00 — café"}
    assert "Body" not in request.form  # the template's text is the message
    assert request.param("To") == f"whatsapp:{LEAD}"
    assert result.provider_id.startswith("SM") and request.status == 201
    # a template without variables: its defaults
    channel.send(replace(msg, content_variables={}))
    assert "ContentVariables" not in twilio_server.requests[1].form
    assert_all_valid(twilio_server)


@pytest.mark.parametrize(("sid", "variables", "code"), [
    ("HX123", {}, "bad_content_sid"),
    ("SM" + "0f" * 16, {}, "bad_content_sid"),
    (TEMPLATE, {"1": "  "}, "bad_content_variables"),
    (TEMPLATE, {"1": "x" * 1601}, "bad_content_variables"),
    (TEMPLATE, {"1": 5}, "bad_content_variables"),
])
def test_a_bad_whatsapp_template_is_refused_before_any_request(
    twilio_server: FakeTwilioServer, settings, client, sid, variables, code
):
    channel = TwilioWhatsAppChannel(settings, client=client)
    msg = replace(message(ChannelKind.WHATSAPP), content_sid=sid, content_variables=variables)
    with pytest.raises(PermanentChannelError) as refused:
        channel.send(msg)
    assert refused.value.code == code
    assert twilio_server.requests == []


def test_voice_call_says_the_message(twilio_server: FakeTwilioServer, settings, client):
    voice = TwilioVoiceChannel(settings, client=client)
    result = voice.send(message(ChannelKind.VOICE, body="Hello <Ann> & team"))
    assert re.fullmatch(r"CA[0-9a-f]{32}", result.provider_id or "")
    request = twilio_server.requests[0]
    assert request.path.endswith("/Calls.json")
    assert request.form["Twiml"] == [
        '<Response><Say language="en-US">Hello &lt;Ann&gt; &amp; team</Say></Response>'
    ]
    states = [voice.fetch_status(result.provider_id or "") for _ in range(3)]
    assert states == [DeliveryState.SENT, DeliveryState.SENT, DeliveryState.DELIVERED]
    assert_all_valid(twilio_server)


def test_voice_call_with_twiml_url(twilio_server: FakeTwilioServer, settings, client):
    voice = TwilioVoiceChannel(
        replace(settings, voice_url="https://twiml.example.org/call"), client=client
    )
    voice.send(message(ChannelKind.VOICE))
    assert twilio_server.requests[0].form["Url"] == ["https://twiml.example.org/call"]
    assert "Twiml" not in twilio_server.requests[0].form
    assert_all_valid(twilio_server)


@pytest.mark.parametrize("retry_after", ["2", "date"])
def test_429_is_temporary_with_retry_after(twilio_server: FakeTwilioServer, sms, retry_after):
    value = retry_after
    if retry_after == "date":
        value = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30), usegmt=True)
    twilio_server.rate_limit_next(value)
    with pytest.raises(TemporaryChannelError, match="429") as limited:
        sms.send(message())
    assert limited.value.retry_after is not None
    if retry_after == "2":
        assert limited.value.retry_after == 2.0
    else:
        assert 25 <= limited.value.retry_after <= 30
    sms.send(message())  # the next one goes through
    assert len(twilio_server.messages) == 1


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_temporary(twilio_server: FakeTwilioServer, sms: TwilioSmsChannel, status):
    twilio_server.fail_next(status)
    with pytest.raises(TemporaryChannelError, match=str(status)):
        sms.send(message())


def test_slow_answer_is_ambiguous_and_the_message_exists(twilio_server: FakeTwilioServer, sms):
    twilio_server.delay_next(0.8)
    with pytest.raises(AmbiguousSendError, match="may have been accepted"):
        sms.send(message())
    deadline = time.monotonic() + 3
    while not twilio_server.messages and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(twilio_server.messages) == 1  # why the dispatcher must not retry blindly


def test_dropped_connection_is_ambiguous(twilio_server: FakeTwilioServer, sms: TwilioSmsChannel):
    twilio_server.drop_next()
    with pytest.raises(AmbiguousSendError):
        sms.send(message())
    assert twilio_server.requests[0].form["Body"] == ["Hi Ann, got a minute?"]


def test_slow_status_fetch_is_only_temporary(twilio_server: FakeTwilioServer, sms):
    sid = sms.send(message()).provider_id or ""
    twilio_server.delay_next(0.8)
    with pytest.raises(TemporaryChannelError):
        sms.fetch_status(sid)
    twilio_server.drop_next()
    with pytest.raises(TemporaryChannelError):
        sms.fetch_status(sid)


def test_connection_refused_is_temporary(settings: TwilioSettings):
    closed = replace(settings, base_url=f"http://127.0.0.1:{free_port()}")
    with TwilioSmsChannel(closed, "token") as channel, pytest.raises(TemporaryChannelError):
        channel.send(message())


def test_bad_credentials_are_a_configuration_error(twilio_server: FakeTwilioServer, settings):
    with (
        TwilioSmsChannel(settings, "not-the-token") as channel,
        pytest.raises(ChannelConfigurationError, match="Authenticate") as denied,
    ):
        channel.test_connection()
    assert denied.value.code == 20003
    assert twilio_server.requests[0].status == 401


def test_test_connection_fetches_the_account(twilio_server: FakeTwilioServer, sms):
    sms.test_connection()
    assert twilio_server.requests[0].operation == "FetchAccount"
    assert twilio_server.messages == {}


def test_provider_refusal_is_permanent_with_twilio_code(twilio_server: FakeTwilioServer, sms):
    twilio_server.block_number(LEAD)
    with pytest.raises(PermanentChannelError, match="unsubscribed recipient") as refused:
        sms.send(message())
    assert refused.value.code == 21610


def test_invalid_number_never_reaches_the_provider(twilio_server: FakeTwilioServer, sms):
    with pytest.raises(InvalidRecipientError, match=r"E\.164"):
        sms.send(message(to="0415 555 0100"))
    assert twilio_server.requests == []


def test_server_rejects_requests_the_spec_forbids(twilio_server: FakeTwilioServer, client):
    with pytest.raises(PermanentChannelError, match="Body / MediaUrl / ContentSid") as missing:
        client.create_message({"To": LEAD, "From": SENDER})
    assert missing.value.code == 21602
    with pytest.raises(PermanentChannelError, match="unknown parameter 'Colour'"):
        client.create_message({"To": LEAD, "From": SENDER, "Body": "x", "Colour": "red"})
    with pytest.raises(PermanentChannelError, match="Url / Twiml / ApplicationSid"):
        client.create_call({"To": LEAD, "From": SENDER})
    assert twilio_server.messages == {}


def test_unknown_sid_is_permanent(sms: TwilioSmsChannel):
    with pytest.raises(PermanentChannelError) as unknown:
        sms.fetch_status("SM" + "0" * 32)
    assert unknown.value.code == 20404


def test_https_with_verified_certificate(certs: TestCertificates):
    with FakeTwilioServer(tls_context=certs.server_context()) as server:
        trusted = TwilioSettings(
            account_sid=server.account_sid,
            from_number=SENDER,
            base_url=server.base_url,
            ssl_context=certs.client_context(),
            timeout=2,
        )
        with TwilioSmsChannel(trusted, server.auth_token) as channel:
            channel.send(message())
        with (
            TwilioSmsChannel(replace(trusted, ssl_context=None), server.auth_token) as channel,
            pytest.raises(ChannelConfigurationError) as failed,
        ):
            channel.send(message())
        assert failed.value.code == "tls"
        assert len(server.messages) == 1

"""Building Twilio requests without a server: numbers, TwiML, form fields, status mapping."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from leaddesk.channels.base import (
    ChannelConfigurationError,
    ChannelKind,
    DeliveryState,
    InvalidRecipientError,
    OutgoingMessage,
    PermanentChannelError,
)
from leaddesk.channels.twilio import (
    CALL_STATES,
    MAX_BODY,
    MESSAGE_STATES,
    TwilioClient,
    TwilioSettings,
    call_params,
    normalize_e164,
    parse_retry_after,
    say_twiml,
    sms_params,
    whatsapp_params,
)
from tests.fakes.twilio_spec import (
    SPEC_MISSING_REASON,
    default_validator,
    load_spec,
    spec_available,
)

ACCOUNT = "AC" + "0123456789abcdef" * 2
SETTINGS = TwilioSettings(account_sid=ACCOUNT, from_number="+14155550123")
MSG = OutgoingMessage(
    message_id="m-1", channel=ChannelKind.SMS, to="+14155550100", from_="", body_text="Hi Ann"
)
needs_spec = pytest.mark.skipif(not spec_available(), reason=SPEC_MISSING_REASON)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+14155550100", "+14155550100"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("whatsapp:+4915112345678", "+4915112345678"),
        (" +49 30 12345678 ", "+493012345678"),
    ],
)
def test_e164_accepted(raw, expected):
    assert normalize_e164(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("04155550100", "must start with \\+"),
        ("+447700900123", "not a valid phone number"),  # possible, but not a real range
        ("+1 call me", "not a valid phone number|cannot be read"),
        ("", "must start with \\+"),
    ],
)
def test_e164_rejected_with_a_clear_reason(raw, reason):
    with pytest.raises(InvalidRecipientError, match=reason):
        normalize_e164(raw)


def test_sms_params():
    assert sms_params(MSG, SETTINGS) == {
        "To": "+14155550100",
        "From": "+14155550123",
        "Body": "Hi Ann",
    }
    service = replace(SETTINGS, messaging_service_sid="MG" + "1" * 32)
    assert sms_params(replace(MSG, status_callback_url="https://cb.example.org/x"), service) == {
        "To": "+14155550100",
        "MessagingServiceSid": "MG" + "1" * 32,
        "Body": "Hi Ann",
        "StatusCallback": "https://cb.example.org/x",
    }


def test_sms_needs_a_sender():
    with pytest.raises(ChannelConfigurationError):
        sms_params(MSG, replace(SETTINGS, from_number=None))
    with pytest.raises(ChannelConfigurationError):
        sms_params(MSG, replace(SETTINGS, messaging_service_sid="MG123"))


def test_body_limits():
    with pytest.raises(PermanentChannelError, match="limit is 1600"):
        sms_params(replace(MSG, body_text="x" * (MAX_BODY + 1)), SETTINGS)
    with pytest.raises(PermanentChannelError, match="empty"):
        sms_params(replace(MSG, body_text="  "), SETTINGS)


def test_whatsapp_params():
    params = whatsapp_params(MSG, replace(SETTINGS, whatsapp_from="+14155550199"))
    assert params["To"] == "whatsapp:+14155550100"
    assert params["From"] == "whatsapp:+14155550199"


def test_call_params_say_the_message_escaped():
    params = call_params(
        replace(MSG, body_text='Hi "Ann" <&>'), replace(SETTINGS, voice="Polly.Joanna")
    )
    assert params["Twiml"] == (
        '<Response><Say language="en-US" voice="Polly.Joanna">'
        'Hi "Ann" &lt;&amp;&gt;</Say></Response>'
    )


def test_call_params_with_url_must_be_https():
    url = replace(SETTINGS, voice_url="https://twiml.example.org/x")
    assert call_params(MSG, url)["Url"] == "https://twiml.example.org/x"
    with pytest.raises(ChannelConfigurationError):
        call_params(MSG, replace(SETTINGS, voice_url="http://twiml.example.org/x"))


def test_twiml_drops_characters_xml_cannot_carry():
    assert say_twiml("a\x00b\x1fc") == '<Response><Say language="en-US">abc</Say></Response>'


@needs_spec
@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: sms_params(MSG, SETTINGS), "Messages.json"),
        (
            lambda: sms_params(MSG, replace(SETTINGS, messaging_service_sid="MG" + "a" * 32)),
            "Messages.json",
        ),
        (lambda: whatsapp_params(MSG, SETTINGS), "Messages.json"),
        (lambda: call_params(MSG, SETTINGS), "Calls.json"),
        (
            lambda: call_params(MSG, replace(SETTINGS, voice_url="https://x.example.org/t")),
            "Calls.json",
        ),
    ],
)
def test_built_requests_are_valid_against_the_spec(build, path):
    form = {k: [v] for k, v in build().items()}
    check = default_validator().validate(
        "POST", f"/2010-04-01/Accounts/{ACCOUNT}/{path}", "application/x-www-form-urlencoded", form
    )
    assert check.problems == []


@needs_spec
def test_every_status_in_the_spec_is_mapped():
    schemas = load_spec()["components"]["schemas"]
    inbound = {"receiving", "received"}
    assert set(schemas["message_enum_status"]["enum"]) - inbound == set(MESSAGE_STATES)
    assert set(schemas["call_enum_status"]["enum"]) == set(CALL_STATES)
    assert MESSAGE_STATES["delivered"] is DeliveryState.DELIVERED
    assert CALL_STATES["no-answer"] is DeliveryState.FAILED


def test_retry_after():
    now = dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("Tue, 01 Jul 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Tue, 01 Jul 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_client_refuses_bad_settings():
    with pytest.raises(ChannelConfigurationError, match="Account SID"):
        TwilioClient(replace(SETTINGS, account_sid="AC123"), "token")
    with pytest.raises(ChannelConfigurationError, match="https"):
        TwilioClient(replace(SETTINGS, base_url="http://api.example.com"), "token")
    with pytest.raises(ChannelConfigurationError, match="token"):
        TwilioClient(SETTINGS, "")


def test_client_rejects_malformed_sids_before_asking():
    with TwilioClient(replace(SETTINGS, base_url="http://127.0.0.1:9"), "token") as client:
        with pytest.raises(PermanentChannelError, match="not a message SID"):
            client.fetch_message("SM123")
        with pytest.raises(PermanentChannelError, match="not a call SID"):
            client.fetch_call("XX" + "0" * 32)

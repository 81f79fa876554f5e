"""The common interface: errors, URL safety, every channel fulfils the protocol."""

from __future__ import annotations

import pytest

from leaddesk.channels.base import (
    AmbiguousSendError,
    Channel,
    ChannelConfigurationError,
    ChannelError,
    InvalidRecipientError,
    PermanentChannelError,
    TemporaryChannelError,
    is_loopback_host,
    require_secure_url,
)
from leaddesk.channels.email_smtp import SmtpEmailChannel, SmtpSecurity, SmtpSettings
from leaddesk.channels.linkedin import LinkedInTaskChannel
from leaddesk.channels.twilio import (
    TwilioSettings,
    TwilioSmsChannel,
    TwilioVoiceChannel,
    TwilioWhatsAppChannel,
)


def test_error_attributes_and_hierarchy():
    assert TemporaryChannelError("busy", retry_after=3.5).retry_after == 3.5
    assert TemporaryChannelError("busy").retry_after is None
    assert PermanentChannelError("no", code=550).code == 550
    assert InvalidRecipientError("bad").code == "invalid_recipient"
    assert issubclass(ChannelConfigurationError, PermanentChannelError)
    for error in (TemporaryChannelError, PermanentChannelError, AmbiguousSendError):
        assert issubclass(error, ChannelError)
    assert not issubclass(AmbiguousSendError, (TemporaryChannelError, PermanentChannelError))


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("10.0.0.1", False),
        ("smtp.example.com", False),
    ],
)
def test_is_loopback_host(host, loopback):
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.example.com", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:1", True),
        ("http://api.example.com", False),
        ("ftp://x.example", False),
    ],
)
def test_require_secure_url(url, ok):
    if ok:
        require_secure_url(url, "the URL")
    else:
        with pytest.raises(ChannelConfigurationError):
            require_secure_url(url, "the URL")


def test_every_channel_implements_the_protocol():
    twilio = TwilioSettings(account_sid="AC" + "0" * 32, from_number="+14155550123")
    smtp = SmtpSettings(
        host="127.0.0.1", port=2525, security=SmtpSecurity.NONE, message_id_domain="example.org"
    )
    channels = [SmtpEmailChannel(smtp), LinkedInTaskChannel()]
    channels += [
        cls(twilio, "token")
        for cls in (TwilioSmsChannel, TwilioWhatsAppChannel, TwilioVoiceChannel)
    ]
    try:
        for channel in channels:
            assert isinstance(channel, Channel), channel
        assert len({channel.kind for channel in channels}) == 5
    finally:
        for channel in channels:
            close = getattr(channel, "close", None)
            if close:
                close()

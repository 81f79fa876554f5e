"""Compliance on the wire, against aiosmtpd on loopback: no SMTP password over a connection
without TLS unless the channel allows it, and the footer and List-Unsubscribe headers in what
the server receives."""

from __future__ import annotations

import pytest

from leaddesk.channels.base import ChannelConfigurationError, ChannelKind, OutgoingMessage
from leaddesk.channels.email_smtp import SmtpEmailChannel, SmtpSecurity, SmtpSettings
from leaddesk.services.errors import ValidationError
from leaddesk.services.messaging.integrations import clean_settings, smtp_settings
from tests.fakes.smtp_server import FakeSmtpServer
from tests.fakes.tls import TestCertificates

USER, PASSWORD = "rep@example.org", "correct horse"
POSTAL = "Example Ltd\n1 Example Road\nExampletown"


def message(**changes: object) -> OutgoingMessage:
    values = dict(message_id="0197c4a1-5f3e-7c1a-9b2d-3e4f5a6b7c8d", channel=ChannelKind.EMAIL,
                  to="ann@example.com", from_=USER, subject="Quick question",
                  body_text="Hi Ann,\nBest, Rep",
                  body_html="<html><body><p>Hi Ann</p></body></html>",
                  unsubscribe_mailto="mailto:unsubscribe@example.org?subject=unsubscribe",
                  sender_postal_address=POSTAL) | changes
    return OutgoingMessage(**values)  # type: ignore[arg-type]


def plain_settings(port: int, **changes: object) -> SmtpSettings:
    values = {"host": "127.0.0.1", "port": str(port), "security": "none", "username": USER,
              "from_address": USER} | changes
    return smtp_settings(clean_settings("email", values), "work mail")


def test_a_login_without_tls_is_refused_naming_the_channel():
    with FakeSmtpServer(users={USER: PASSWORD}) as smtp:
        with (SmtpEmailChannel(plain_settings(smtp.port), PASSWORD) as channel,
              pytest.raises(ChannelConfigurationError) as refused):
            channel.send(message())
        assert smtp.messages == []
    assert refused.value.code == "insecure_login"
    assert str(refused.value).startswith("channel 'work mail': refusing to send the SMTP password")
    assert "allow_plaintext_login=true" in str(refused.value)


def test_the_channel_may_allow_a_plaintext_login():
    allowed = plain_settings(0, allow_plaintext_login="yes")
    assert allowed.allow_plaintext_login is True
    with FakeSmtpServer(users={USER: PASSWORD}) as smtp:
        settings = plain_settings(smtp.port, allow_plaintext_login="true")
        with SmtpEmailChannel(settings, PASSWORD) as channel:
            channel.send(message())
        assert len(smtp.messages) == 1


def test_allow_plaintext_login_must_be_true_or_false():
    assert plain_settings(25).allow_plaintext_login is False
    assert plain_settings(25, allow_plaintext_login="false").allow_plaintext_login is False
    with pytest.raises(ValidationError, match="allow_plaintext_login: 'maybe' is not a boolean"):
        plain_settings(25, allow_plaintext_login="maybe")


def test_a_login_after_starttls_needs_no_permission(certs: TestCertificates):
    with FakeSmtpServer(users={USER: PASSWORD}, tls_context=certs.server_context()) as smtp:
        settings = SmtpSettings(host="localhost", port=smtp.port, message_id_domain="example.org",
                                security=SmtpSecurity.STARTTLS, username=USER, timeout=3,
                                ssl_context=certs.client_context())
        with SmtpEmailChannel(settings, PASSWORD) as channel:
            channel.send(message())
        assert len(smtp.messages) == 1


def test_a_relay_without_login_needs_no_permission():
    with FakeSmtpServer() as smtp:
        with SmtpEmailChannel(plain_settings(smtp.port, username="")) as channel:
            channel.send(message())
        assert len(smtp.messages) == 1


def test_the_received_mail_carries_the_footer_and_unsubscribe_headers():
    with FakeSmtpServer() as smtp:
        with SmtpEmailChannel(plain_settings(smtp.port, username="")) as channel:
            channel.send(message())
            channel.send(message(message_id="second", unsubscribe_url="https://u.example.org/x"))
        first, second = (m.message for m in smtp.messages)
    assert first["List-Unsubscribe"] == "<mailto:unsubscribe@example.org?subject=unsubscribe>"
    assert first["List-Unsubscribe-Post"] is None
    text = first.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.endswith(f"-- \n{POSTAL}\nTo unsubscribe, reply \"unsubscribe\" or write to "
                         "unsubscribe@example.org.\n")
    html_part = first.get_body(("html",)).get_content()
    assert "Example Ltd<br>1 Example Road<br>Exampletown" in html_part
    assert 'href="mailto:unsubscribe@example.org?subject=unsubscribe"' in html_part
    assert second["List-Unsubscribe"] == (
        "<mailto:unsubscribe@example.org?subject=unsubscribe>, <https://u.example.org/x>")
    assert second["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Unsubscribe: https://u.example.org/x" in second.get_body(("plain",)).get_content()

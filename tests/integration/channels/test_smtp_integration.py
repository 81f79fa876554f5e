"""SmtpEmailChannel against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from leaddesk.channels.base import (
    AmbiguousSendError,
    ChannelConfigurationError,
    ChannelKind,
    DeliveryState,
    OutgoingMessage,
    PermanentChannelError,
    TemporaryChannelError,
)
from leaddesk.channels.email_smtp import SmtpEmailChannel, SmtpSecurity, SmtpSettings
from tests.fakes.smtp_server import FakeSmtpServer, free_port
from tests.fakes.tls import TestCertificates

USER, PASSWORD = "rep@example.org", "correct horse"


def message(n: int = 1, to: str = "Ann Example <ann@example.com>") -> OutgoingMessage:
    return OutgoingMessage(
        message_id=f"0197c4a1-0000-7000-8000-{n:012d}",
        channel=ChannelKind.EMAIL,
        to=to,
        from_=USER,
        from_name="Rep Example",
        subject=f"Quick question #{n}",
        body_text="Hi Ann,\n.a line starting with a dot\nBest, Rep",
        body_html="<html><body><p>Hi Ann,</p></body></html>",
        unsubscribe_url="https://t.example.org/u/tok",
        unsubscribe_mailto="unsubscribe@example.org",
        sender_postal_address="Example Ltd\n1 Example Road\nExampletown",
    )


def settings(port: int, **changes: object) -> SmtpSettings:
    base = SmtpSettings(
        host="127.0.0.1",
        port=port,
        security=SmtpSecurity.NONE,
        username=USER,
        message_id_domain="mail.example.org",
        timeout=2.0,
        allow_plaintext_login=True,  # the test server has no TLS here (see the TLS tests)
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[FakeSmtpServer]:
    with FakeSmtpServer(users={USER: PASSWORD}) as smtp:
        yield smtp


@pytest.fixture
def channel(server: FakeSmtpServer) -> Iterator[SmtpEmailChannel]:
    with SmtpEmailChannel(settings(server.port), PASSWORD) as ch:
        yield ch


def test_sends_mime_with_compliance_headers(server: FakeSmtpServer, channel: SmtpEmailChannel):
    result = channel.send(message())

    assert result.status is DeliveryState.SENT
    assert result.provider_id == "<0197c4a1-0000-7000-8000-000000000001@mail.example.org>"
    [mail] = server.messages
    assert mail.mail_from == USER
    assert mail.rcpt_tos == ("ann@example.com",)
    assert mail.login == USER
    assert mail.data.isascii()
    got = mail.message
    assert got["Message-ID"] == result.provider_id
    unsubscribe = str(got["List-Unsubscribe"]).strip()  # folded onto its own line: legal
    assert unsubscribe == "<mailto:unsubscribe@example.org>, <https://t.example.org/u/tok>"
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got["Date"] is not None
    assert got.get_content_type() == "multipart/alternative"
    text = got.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = got.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert ".a line starting with a dot" in text  # dot-stuffing undone by the server
    assert "Example Ltd\n1 Example Road" in text
    assert "Example Ltd<br>1 Example Road" in html
    assert html.index("leaddesk-footer") < html.index("</body>")


def test_reuses_one_connection_up_to_the_limit(server: FakeSmtpServer):
    with SmtpEmailChannel(settings(server.port, max_messages_per_connection=2), PASSWORD) as ch:
        for n in range(5):
            ch.send(message(n))
    peers = [m.peer for m in server.messages]
    assert len(peers) == 5
    assert peers[0] == peers[1] != peers[2] == peers[3] != peers[4]


def test_idle_connection_is_replaced(server: FakeSmtpServer):
    with SmtpEmailChannel(settings(server.port, idle_timeout=0.0), PASSWORD) as ch:
        ch.send(message(1))
        time.sleep(0.01)
        ch.send(message(2))
    assert server.messages[0].peer != server.messages[1].peer


def test_reconnects_when_server_closed_the_idle_connection():
    with FakeSmtpServer(users={USER: PASSWORD}, idle_timeout=0.2) as smtp:
        with SmtpEmailChannel(settings(smtp.port), PASSWORD) as ch:
            ch.send(message(1))
            time.sleep(0.5)  # the server says 421 and hangs up meanwhile
            ch.send(message(2))
        assert len(smtp.messages) == 2
        assert smtp.messages[0].peer != smtp.messages[1].peer


def test_recipient_refused_permanently_keeps_the_connection(
    server: FakeSmtpServer, channel: SmtpEmailChannel
):
    server.reject("gone@example.com", "550 5.1.1 <gone@example.com>: Recipient address rejected")
    with pytest.raises(PermanentChannelError) as refused:
        channel.send(message(1, to="gone@example.com"))
    assert refused.value.code == 550
    assert "Recipient address rejected" in str(refused.value)
    channel.send(message(2))
    channel.send(message(3))
    assert [m.rcpt_tos for m in server.messages] == [("ann@example.com",)] * 2
    assert server.messages[0].peer == server.messages[1].peer


@pytest.mark.parametrize(
    ("reply", "stage"),
    [("451 4.7.1 Greylisted, try again later", "rcpt"), ("452 4.2.2 Mailbox full", "data")],
)
def test_4xx_is_temporary(server: FakeSmtpServer, channel: SmtpEmailChannel, reply, stage):
    server.reject("busy@example.com", reply, stage=stage)
    with pytest.raises(TemporaryChannelError, match=reply[:3]):
        channel.send(message(1, to="busy@example.com"))
    channel.send(message(2))
    assert len(server.messages) == 1


def test_5xx_after_data_is_permanent(server: FakeSmtpServer, channel: SmtpEmailChannel):
    server.reject("spam@example.com", "554 5.7.1 Message rejected as spam", stage="data")
    with pytest.raises(PermanentChannelError, match="rejected as spam") as refused:
        channel.send(message(1, to="spam@example.com"))
    assert refused.value.code == 554


def test_421_closes_and_the_next_send_reconnects(server: FakeSmtpServer, channel: SmtpEmailChannel):
    server.reject("shutdown@example.com", "421 4.3.2 Service shutting down")
    with pytest.raises(TemporaryChannelError, match="421"):
        channel.send(message(1, to="shutdown@example.com"))
    channel.send(message(2))
    assert len(server.messages) == 1


def test_disconnect_after_data_is_ambiguous(server: FakeSmtpServer, channel: SmtpEmailChannel):
    server.drop_after_data("ann@example.com")
    with pytest.raises(AmbiguousSendError):
        channel.send(message(1))
    assert len(server.messages) == 1  # the server did take it: a blind retry would duplicate
    server.clear_failures()
    channel.send(message(2))
    assert len(server.messages) == 2


def test_no_answer_after_data_is_ambiguous(server: FakeSmtpServer):
    server.delay_data("ann@example.com", 1.0)
    with (
        SmtpEmailChannel(settings(server.port, timeout=0.3), PASSWORD) as ch,
        pytest.raises(AmbiguousSendError, match="after the message was sent"),
    ):
        ch.send(message())


def test_connection_refused_is_temporary():
    with (
        SmtpEmailChannel(settings(free_port()), PASSWORD) as ch,
        pytest.raises(TemporaryChannelError, match="cannot connect"),
    ):
        ch.send(message())


def test_wrong_password_is_a_configuration_error(server: FakeSmtpServer):
    with (
        SmtpEmailChannel(settings(server.port), "wrong") as ch,
        pytest.raises(ChannelConfigurationError, match="535"),
    ):
        ch.test_connection()
    assert server.messages == []


def test_missing_login_is_a_configuration_error(server: FakeSmtpServer):
    with (
        SmtpEmailChannel(settings(server.port, username=None)) as ch,
        pytest.raises(ChannelConfigurationError, match="530"),
    ):
        ch.send(message())


def test_test_connection_sends_nothing(server: FakeSmtpServer, channel: SmtpEmailChannel):
    channel.test_connection()
    assert server.messages == []


def test_starttls_verifies_the_certificate(certs: TestCertificates):
    with FakeSmtpServer(users={USER: PASSWORD}, tls_context=certs.server_context()) as smtp:
        trusted = settings(
            smtp.port,
            host="localhost",
            security=SmtpSecurity.STARTTLS,
            ssl_context=certs.client_context(),
        )
        with SmtpEmailChannel(trusted, PASSWORD) as ch:
            ch.send(message())
        assert len(smtp.messages) == 1
        untrusted = settings(smtp.port, host="localhost", security=SmtpSecurity.STARTTLS)
        with (
            SmtpEmailChannel(untrusted, PASSWORD) as ch,
            pytest.raises(ChannelConfigurationError, match="TLS") as failed,
        ):
            ch.send(message())
        assert failed.value.code == "tls"
        assert len(smtp.messages) == 1


def test_starttls_is_never_skipped(server: FakeSmtpServer):
    insisting = settings(server.port, security=SmtpSecurity.STARTTLS)
    with (
        SmtpEmailChannel(insisting, PASSWORD) as ch,
        pytest.raises(ChannelConfigurationError, match="STARTTLS"),
    ):
        ch.send(message())
    assert server.messages == []


def test_implicit_tls(certs: TestCertificates):
    with FakeSmtpServer(ssl_context=certs.server_context()) as smtp:
        ssl_settings = settings(
            smtp.port,
            security=SmtpSecurity.SSL,
            username=None,
            ssl_context=certs.client_context(),
        )
        with SmtpEmailChannel(ssl_settings) as ch:
            ch.send(message())
        assert len(smtp.messages) == 1


def test_plain_smtp_only_on_loopback():
    with pytest.raises(ChannelConfigurationError, match="only for a server on this machine"):
        SmtpEmailChannel(settings(25, host="smtp.example.com"), PASSWORD)

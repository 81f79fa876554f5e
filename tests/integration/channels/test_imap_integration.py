"""ImapInbox against a real IMAP server on loopback (pymap's in-memory backend)."""

from __future__ import annotations

import datetime as dt
import imaplib
from collections.abc import Iterator
from dataclasses import replace

import pytest

from leaddesk.channels.base import ChannelConfigurationError, TemporaryChannelError
from leaddesk.channels.imap_inbox import (
    AutoReply,
    Bounce,
    ImapInbox,
    ImapSecurity,
    ImapSettings,
    Reply,
    SyncState,
    normalize_message_id,
)

pytest.importorskip("pymap", reason="the fake IMAP server needs pymap (pip install pymap)")

from tests.fakes.imap_server import FakeImapServer
from tests.fakes.smtp_server import free_port
from tests.fakes.tls import TestCertificates

USER, PASSWORD = "rep@example.org", "imap secret"
SENT = {
    normalize_message_id(f"<0197c4a1-{part}-7c1a-9b2d-3e4f5a6b7c8d@mail.example.org>")
    for part in ("5f3e", "aaaa", "bbbb", "cccc", "dddd", "eeee")
}
EXPECTED = {
    "exchange_ooo": AutoReply,
    "exim_delayed_dsn": Bounce,
    "gmail_vacation": AutoReply,
    "human_reply": Reply,
    "postfix_dsn": Bounce,
    "qmail_bounce": Bounce,
}
UNRELATED = b"From: news@example.net\r\nTo: rep@example.org\r\nSubject: Weekly digest\r\n\r\nhi\r\n"


@pytest.fixture
def server() -> Iterator[FakeImapServer]:
    with FakeImapServer(users={USER: PASSWORD}) as imap:
        yield imap


def plain_settings(port: int) -> ImapSettings:
    return ImapSettings(
        host="127.0.0.1", port=port, username=USER, security=ImapSecurity.NONE, timeout=3
    )


@pytest.mark.parametrize("security", list(ImapSecurity))
def test_fetches_and_classifies_new_mail(
    security: ImapSecurity, certs: TestCertificates, sample_messages: dict[str, bytes]
):
    tls = None if security is ImapSecurity.NONE else certs.server_context()
    with FakeImapServer(
        users={USER: PASSWORD}, tls=tls, implicit_tls=security is ImapSecurity.SSL
    ) as imap:
        for raw in sample_messages.values():
            imap.append(USER, raw)
        imap.append(USER, UNRELATED)
        settings = ImapSettings(
            host="localhost",
            port=imap.port,
            username=USER,
            security=security,
            timeout=3,
            ssl_context=certs.client_context(),
        )
        result = ImapInbox(settings, PASSWORD).fetch_new(None, SENT)

    kinds = [type(item.classification) for item in result.items]
    assert kinds == [*(EXPECTED[name] for name in sample_messages), type(None)]
    assert result.state.last_uid == max(item.uid for item in result.items)
    assert not result.more
    bounce = result.items[list(sample_messages).index("postfix_dsn")].classification
    assert isinstance(bounce, Bounce)
    assert bounce.recipient == "nobody.here@example.com"
    assert bounce.permanent


def test_incremental_sync_by_uid(server: FakeImapServer, sample_messages: dict[str, bytes]):
    inbox = ImapInbox(plain_settings(server.port), PASSWORD)
    raws = list(sample_messages.values())
    for raw in raws[:4]:
        server.append(USER, raw)

    first = inbox.fetch_new(None, SENT, limit=3)
    assert len(first.items) == 3 and first.more
    second = inbox.fetch_new(first.state, SENT, limit=3)
    assert len(second.items) == 1 and not second.more
    empty = inbox.fetch_new(second.state, SENT)
    assert empty.items == [] and empty.state == second.state  # "N:*" quirk handled

    server.append(USER, raws[4])
    third = inbox.fetch_new(empty.state, SENT)
    assert [item.uid for item in third.items] == [second.state.last_uid + 1]


def test_new_uidvalidity_starts_over(server: FakeImapServer, sample_messages: dict[str, bytes]):
    inbox = ImapInbox(plain_settings(server.port), PASSWORD)
    server.append(USER, sample_messages["human_reply"])
    before = inbox.fetch_new(None, SENT)
    server.recreate_mailbox(USER)
    server.append(USER, sample_messages["postfix_dsn"])
    after = inbox.fetch_new(before.state, SENT)
    assert after.state.uidvalidity != before.state.uidvalidity
    assert [type(item.classification) for item in after.items] == [Bounce]


def test_first_sync_can_start_at_a_date(server: FakeImapServer, sample_messages: dict[str, bytes]):
    now = dt.datetime.now(dt.UTC)
    server.append(USER, sample_messages["human_reply"], when=now - dt.timedelta(days=40))
    server.append(USER, sample_messages["postfix_dsn"], when=now)
    inbox = ImapInbox(plain_settings(server.port), PASSWORD)
    result = inbox.fetch_new(None, SENT, since=(now - dt.timedelta(days=7)).date())
    assert [type(item.classification) for item in result.items] == [Bounce]
    assert result.state.last_uid == result.items[0].uid


def test_reading_does_not_mark_mail_seen(server: FakeImapServer, sample_messages):
    server.append(USER, sample_messages["human_reply"])
    ImapInbox(plain_settings(server.port), PASSWORD).fetch_new(None, SENT)
    conn = imaplib.IMAP4("127.0.0.1", server.port, timeout=3)
    try:
        conn.login(USER, PASSWORD)
        conn.select("INBOX", readonly=True)
        _, data = conn.fetch("1", "(FLAGS)")
    finally:
        conn.logout()
    assert b"\\Seen" not in data[0]


def test_stale_state_from_an_older_sync_is_harmless(server: FakeImapServer, sample_messages):
    server.append(USER, sample_messages["human_reply"])
    inbox = ImapInbox(plain_settings(server.port), PASSWORD)
    state = inbox.fetch_new(None, SENT).state
    ahead = SyncState(state.uidvalidity, state.last_uid + 50)
    assert inbox.fetch_new(ahead, SENT).items == []


def test_wrong_password_is_a_configuration_error(server: FakeImapServer):
    with pytest.raises(ChannelConfigurationError, match="AUTHENTICATIONFAILED") as failed:
        ImapInbox(plain_settings(server.port), "wrong").test_connection()
    assert failed.value.code == "auth"


def test_connection_refused_is_temporary():
    with pytest.raises(TemporaryChannelError, match="cannot connect"):
        ImapInbox(plain_settings(free_port()), PASSWORD).test_connection()


def test_starttls_is_never_skipped(server: FakeImapServer):
    insisting = replace(plain_settings(server.port), security=ImapSecurity.STARTTLS)
    with pytest.raises(ChannelConfigurationError, match="STARTTLS"):
        ImapInbox(insisting, PASSWORD).test_connection()


def test_untrusted_certificate_is_refused(certs: TestCertificates):
    with FakeImapServer(
        users={USER: PASSWORD}, tls=certs.server_context(), implicit_tls=True
    ) as imap:
        settings = ImapSettings(host="localhost", port=imap.port, username=USER, timeout=3)
        with pytest.raises(ChannelConfigurationError) as failed:
            ImapInbox(settings, PASSWORD).test_connection()
    assert failed.value.code == "tls"


def test_missing_mailbox_is_a_configuration_error(server: FakeImapServer):
    settings = replace(plain_settings(server.port), mailbox="Bounces")
    with pytest.raises(ChannelConfigurationError, match="Bounces"):
        ImapInbox(settings, PASSWORD).test_connection()


def test_plain_imap_only_on_loopback():
    remote = replace(plain_settings(143), host="imap.example.com")
    with pytest.raises(ChannelConfigurationError, match="only for a server on this machine"):
        ImapInbox(remote, PASSWORD)

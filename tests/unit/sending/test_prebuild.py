"""Emails built on a spawned process: the same bytes as built on the thread, or nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

from leaddesk.channels.base import ChannelKind, InvalidRecipientError, OutgoingMessage
from leaddesk.channels.email_mime import wire_email
from leaddesk.sending.prebuild import EmailPrebuilder

DOMAIN = "mail.example.com"


def _message(to: str = "ada@example.org") -> OutgoingMessage:
    return OutgoingMessage(message_id=str(uuid.uuid4()), channel=ChannelKind.EMAIL, to=to,
                           from_="rep@example.com", from_name="Rita Rep", subject="Hello Ada",
                           body_text="Hi Ada,\n\nA note.", unsubscribe_mailto="rep@example.com",
                           sender_postal_address="1 Example Street")


def _without_date(data: bytes) -> bytes:
    return re.sub(rb"^Date: .*\r\n", b"", data, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def prebuilder() -> Iterator[EmailPrebuilder]:
    pool = EmailPrebuilder(1)
    assert pool.wait_ready(120), "the build process starts"
    yield pool
    pool.close()


def test_the_process_builds_what_the_thread_would(prebuilder: EmailPrebuilder) -> None:
    msg = _message()
    key = uuid.uuid4()
    prebuilder.submit(key, msg, DOMAIN)
    built = prebuilder.take(key)
    local = wire_email(msg, DOMAIN)
    assert built is not None
    assert (built.sender, built.recipient, built.message_id) == (
        "rep@example.com", "ada@example.org", local.message_id)
    assert _without_date(built.data) == _without_date(local.data)
    assert prebuilder.take(key) is None, "taken once"


def test_what_cannot_be_built_is_left_to_the_thread(prebuilder: EmailPrebuilder) -> None:
    msg = _message(to="not an address")
    key = uuid.uuid4()
    prebuilder.submit(key, msg, DOMAIN)
    assert prebuilder.take(key) is None
    with pytest.raises(InvalidRecipientError, match="not an address"):
        wire_email(msg, DOMAIN)  # the thread builds it and reports its own error


def test_discarded_and_unknown_keys_give_nothing(prebuilder: EmailPrebuilder) -> None:
    key = uuid.uuid4()
    prebuilder.submit(key, _message(), DOMAIN)
    prebuilder.discard([key])
    assert prebuilder.take(key) is None
    assert prebuilder.take(uuid.uuid4()) is None


def test_before_the_process_has_started_nothing_is_submitted() -> None:
    pool = EmailPrebuilder(1)
    try:
        key = uuid.uuid4()
        if not pool.ready:  # (it cannot be ready this fast, but do not rely on it)
            pool.submit(key, _message(), DOMAIN)
            assert pool.take(key) is None
    finally:
        pool.close()

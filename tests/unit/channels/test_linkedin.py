"""LinkedIn as a manual task channel."""

from __future__ import annotations

import pytest

from leaddesk.channels.base import (
    Channel,
    ChannelKind,
    DeliveryState,
    InvalidRecipientError,
    OutgoingMessage,
    PermanentChannelError,
)
from leaddesk.channels.linkedin import LinkedInTaskChannel, normalize_profile_url


def message(to: str = "https://www.linkedin.com/in/ann-example-123/", body: str = "Hi Ann!"):
    return OutgoingMessage(
        message_id="m-1", channel=ChannelKind.LINKEDIN, to=to, from_="", body_text=body
    )


def test_send_makes_a_task_and_contacts_nobody():
    channel = LinkedInTaskChannel()
    result = channel.send(message())
    assert result.status is DeliveryState.TASK
    assert result.provider_id is None
    assert result.raw["profile_url"] == "https://www.linkedin.com/in/ann-example-123"
    assert result.raw["text"] == "Hi Ann!"
    assert result.raw["fits_connection_note"] is True
    assert channel.fetch_status("anything") is None
    channel.test_connection()
    assert isinstance(channel, Channel)


@pytest.mark.parametrize(
    "url",
    [
        "linkedin.com/in/ann-example-123",
        "http://de.linkedin.com/in/ann-example-123/",
        "https://www.linkedin.com/in/ann-example-123?trk=public_profile",
    ],
)
def test_profile_urls_are_normalized(url):
    assert normalize_profile_url(url) == "https://www.linkedin.com/in/ann-example-123"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/company/example-gmbh",
        "https://linkedin.com.example.net/in/ann",
        "https://www.example.com/in/ann",
        "ann@example.com",
    ],
)
def test_non_profile_urls_are_refused(url):
    with pytest.raises(InvalidRecipientError):
        LinkedInTaskChannel().send(message(to=url))


def test_empty_text_is_refused():
    with pytest.raises(PermanentChannelError):
        LinkedInTaskChannel().send(message(body=" "))


def test_long_text_is_flagged_for_connection_notes():
    assert LinkedInTaskChannel().send(message(body="x" * 301)).raw["fits_connection_note"] is False

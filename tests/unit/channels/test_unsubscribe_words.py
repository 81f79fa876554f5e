"""Unsubscribe requests that are not threaded as replies: fresh mails saying "unsubscribe",
"remove me" or "stop", and mail to a dedicated List-Unsubscribe address."""

from __future__ import annotations

from email import message_from_string

import pytest

from leaddesk.channels.inbox_classify import (
    AutoReply,
    Reply,
    Unsubscribe,
    asks_to_unsubscribe,
    classify_message,
)

OURS = "<0197c4a1-aaaa-7c1a-9b2d-3e4f5a6b7c8d@mail.example.org>"


def mail(subject: str, body: str, *, to: str = "rep@example.com", extra: str = ""):
    return message_from_string(
        f"From: Lee Example <lee@example.org>\nTo: {to}\nSubject: {subject}\n"
        f"Date: Tue, 25 Nov 2026 09:00:00 +0000\n{extra}\n{body}\n")


@pytest.mark.parametrize(("subject", "body"), [
    ("unsubscribe", ""),
    ("UNSUBSCRIBE ME", "please"),
    ("Re: Remove me from your list", "thanks"),
    ("(no subject)", "Remove me, thanks.\n\nLee"),
    ("hello", "STOP"),
    ("quick one", "  please unsubscribe me!\n-- \nsent from my phone"),
    ("Abmelden", ""),
])
def test_a_fresh_opt_out_mail_is_an_unsubscribe(subject: str, body: str) -> None:
    found = classify_message(mail(subject, body), set())
    assert found == Unsubscribe(from_addr="lee@example.org", to_unsubscribe_address=False)


@pytest.mark.parametrize(("subject", "body"), [
    ("Stop by our booth", "We are at stand 4."),
    ("Question", "Could you stop calling before 9am and email instead?"),
    ("hello", "I want to unsubscribe my colleague, not me: can we talk?"),
])
def test_ordinary_mail_is_not_an_unsubscribe(subject: str, body: str) -> None:
    assert classify_message(mail(subject, body), set()) is None


def test_anything_sent_to_the_unsubscribe_address_counts() -> None:
    msg = mail("hi", "see below", to="Lists <unsubscribe@example.com>")
    found = classify_message(msg, set(), unsubscribe_addresses={"unsubscribe@example.com"})
    assert found == Unsubscribe(from_addr="lee@example.org", to_unsubscribe_address=True)


def test_a_threaded_reply_saying_stop_is_a_reply_that_unsubscribes() -> None:
    msg = mail("Re: Hello", "Stop.\n\n> Hello Lee", extra=f"In-Reply-To: {OURS}\n")
    assert classify_message(msg, {OURS}) == Reply(OURS, "lee@example.org", unsubscribe=True)
    plain = mail("Re: Hello", "Sounds good, call me.", extra=f"In-Reply-To: {OURS}\n")
    assert classify_message(plain, {OURS}) == Reply(OURS, "lee@example.org", unsubscribe=False)


def test_an_out_of_office_answer_is_never_an_unsubscribe() -> None:
    msg = mail("Automatic reply: unsubscribe", "I am away", extra="Auto-Submitted: auto-replied\n")
    assert isinstance(classify_message(msg, set()), AutoReply)


def test_the_first_line_of_an_html_only_mail_counts() -> None:
    msg = message_from_string(
        "From: lee@example.org\nSubject: x\nContent-Type: text/html\n\n"
        "<p>Unsubscribe</p><p>Lee</p>\n")
    assert asks_to_unsubscribe(msg)

"""Classifying incoming mail: replies, DSN bounces, out-of-office, on real-looking messages."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, message_from_string, policy
from pathlib import Path

import pytest

from leaddesk.channels.inbox_classify import (
    AutoReply,
    Bounce,
    Reply,
    classify_message,
    normalize_message_id,
    referenced_ids,
)

DATA = Path(__file__).parent / "data"


def our_id(part: str) -> str:
    return f"<0197c4a1-{part}-7c1a-9b2d-3e4f5a6b7c8d@mail.example.org>"


SENT = {our_id(p) for p in ("5f3e", "aaaa", "bbbb", "cccc", "dddd", "eeee")}


def load(name: str, pol=policy.compat32):
    return message_from_bytes((DATA / f"{name}.eml").read_bytes(), policy=pol)


@pytest.fixture(params=[policy.compat32, policy.default], ids=["compat32", "default"])
def pol(request):
    return request.param


def test_human_reply(pol):
    assert classify_message(load("human_reply", pol), SENT) == Reply(
        in_reply_to_message_id=our_id("eeee"), from_addr="ann.example@example.com"
    )


def test_postfix_bounce(pol):
    assert classify_message(load("postfix_dsn", pol), SENT) == Bounce(
        original_message_id=our_id("5f3e"),
        recipient="nobody.here@example.com",
        status="5.1.1",
        diagnostic="550 5.1.1 <nobody.here@example.com>: Recipient address rejected: "
        "User unknown in virtual mailbox table",
        action="failed",
        envelope_id="0197c4a1-5f3e-7c1a-9b2d-3e4f5a6b7c8d",
    )


def test_delayed_dsn_is_not_permanent(pol):
    bounce = classify_message(load("exim_delayed_dsn", pol), SENT)
    assert isinstance(bounce, Bounce)
    assert (bounce.action, bounce.status, bounce.permanent) == ("delayed", "4.7.1", False)
    assert bounce.original_message_id == our_id("aaaa")  # from the attached message/rfc822


def test_plain_text_qmail_bounce(pol):
    bounce = classify_message(load("qmail_bounce", pol), SENT)
    assert isinstance(bounce, Bounce)
    assert bounce.original_message_id == our_id("bbbb")
    assert bounce.recipient == "gone.away@example.net"
    assert bounce.status == "5.1.1" and bounce.permanent


def test_exchange_out_of_office_in_german(pol):
    assert classify_message(load("exchange_ooo", pol), SENT) == AutoReply(
        original_message_id=our_id("cccc"),
        from_addr="jana.beispiel@example.com",
        return_date=dt.date(2025, 7, 19),  # "bis einschließlich 18.07.2025"
    )


def test_gmail_vacation_responder(pol):
    assert classify_message(load("gmail_vacation", pol), SENT) == AutoReply(
        original_message_id=our_id("dddd"),
        from_addr="sam.sample@example.com",
        return_date=dt.date(2025, 7, 14),
    )


def test_mail_about_messages_we_did_not_send_is_ignored():
    for name in ("human_reply", "postfix_dsn", "exchange_ooo"):
        assert classify_message(load(name), set()) is None, name


MINIMAL = """\
From: {sender}
To: rep@example.org
Subject: {subject}
Date: Wed, 02 Jul 2025 10:00:00 +0000
{extra}
{body}
"""


def make(sender="lead@example.com", subject="Re: hello", extra="", body="Thanks!"):
    return message_from_string(
        MINIMAL.format(sender=sender, subject=subject, extra=extra, body=body)
    )


def test_reply_matched_through_references_only():
    msg = make(extra=f"References: <other@example.com> {our_id('eeee')} <newer@example.com>")
    assert classify_message(msg, SENT) == Reply(our_id("eeee"), "lead@example.com")


def test_out_of_office_by_subject_without_references():
    msg = make(subject="Out of Office: hello", body="I am back on 2025-07-10.")
    assert classify_message(msg, SENT) == AutoReply(None, "lead@example.com", dt.date(2025, 7, 10))


@pytest.mark.parametrize(
    "header",
    [
        "X-Autoreply: yes",
        "X-Autorespond: on",
        "Precedence: auto_reply",
        "Auto-Submitted: auto-replied (vacation)",
    ],
)
def test_auto_reply_headers(header):
    msg = make(extra=f"{header}\nIn-Reply-To: {our_id('eeee')}")
    assert isinstance(classify_message(msg, SENT), AutoReply)


def test_ticket_acknowledgement_is_an_auto_reply_not_a_reply():
    msg = make(
        subject="[Ticket #4711] We received your request",
        extra=f"Auto-Submitted: auto-generated\nIn-Reply-To: {our_id('eeee')}",
    )
    assert classify_message(msg, SENT) == AutoReply(our_id("eeee"), "lead@example.com", None)


def test_newsletters_and_notifications_are_ignored():
    assert classify_message(make(subject="Weekly digest", extra="Precedence: bulk"), SENT) is None
    assert classify_message(make(extra="Auto-Submitted: auto-generated"), SENT) is None


def test_auto_reply_to_someone_elses_mail_is_ignored():
    msg = make(subject="Automatic reply: lunch", extra="In-Reply-To: <private@example.com>")
    assert classify_message(msg, SENT) is None


DSN_WITHOUT_ORIGINAL = """\
From: MAILER-DAEMON@mx.example.net
To: rep@example.org
Subject: Delivery Status Notification (Failure)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

Delivery failed.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
--b--
"""


def test_bounce_without_attached_headers_is_kept_for_matching_by_recipient():
    msg = message_from_string(
        DSN_WITHOUT_ORIGINAL.format(recipient="x@example.com", action="failed", status="5.2.2")
    )
    assert classify_message(msg, SENT) == Bounce(None, "x@example.com", "5.2.2", None, "failed")


def test_successful_delivery_notice_is_not_a_bounce():
    msg = message_from_string(
        DSN_WITHOUT_ORIGINAL.format(recipient="x@example.com", action="delivered", status="2.0.0")
    )
    assert classify_message(msg, SENT) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<A@Mail.Example.ORG>", "<A@mail.example.org>"),
        ("  <a@b.example>  (comment)", "<a@b.example>"),
        ("a@b.example", "<a@b.example>"),
        ("", None),
        (None, None),
        ("not an id with spaces", None),
    ],
)
def test_normalize_message_id(raw, expected):
    assert normalize_message_id(raw) == expected


def test_referenced_ids_newest_first():
    msg = make(
        extra="In-Reply-To: <c@x.example>\nReferences: <a@x.example> <b@x.example> <c@x.example>"
    )
    assert referenced_ids(msg) == ["<c@x.example>", "<b@x.example>", "<a@x.example>"]

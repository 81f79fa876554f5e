"""Replies, a DSN bounce, an out-of-office answer and an unsubscribe arriving over IMAP (pymap on
127.0.0.1) to mail the dispatcher sent through aiosmtpd."""

from __future__ import annotations

import datetime as dt

import pytest
from sending_kit import add_email_channel, email_template, make_leads

from leaddesk.sending.inbox import poll_inbox
from leaddesk.store.models import Campaign, Message

pytest.importorskip("pymap", reason="the fake IMAP server needs pymap (pip install pymap)")

from tests.fakes.imap_server import FakeImapServer

USER, PASSWORD = "rep@example.com", "imap secret"


def reply(original: str, sender: str, subject: str = "Re: Hello", body: str = "Sure, call me.",
          extra: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: {USER}\r\nSubject: {subject}\r\n"
            f"Message-ID: <r-{abs(hash(sender + subject))}@example.org>\r\n"
            f"In-Reply-To: {original}\r\nReferences: {original}\r\n{extra}"
            f"Date: Tue, 25 Nov 2026 09:00:00 +0000\r\n\r\n{body}\r\n").encode()


def dsn(original: str, recipient: str) -> bytes:
    boundary = "b-dsn-1"
    return (
        f"From: MAILER-DAEMON@mx.example.org\r\nTo: {USER}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\n"
        "Date: Tue, 25 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"'
        f"\r\n\r\n--{boundary}\r\nContent-Type: text/plain\r\n\r\nUser unknown.\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: User unknown\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original}\r\nTo: {recipient}\r\nSubject: Hello\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def test_reply_bounce_out_of_office_and_unsubscribe(funded, smtp, dispatcher_for,
                                                    keyring_backend):
    with FakeImapServer(users={USER: PASSWORD}) as imap:
        add_email_channel(funded, smtp.port, {"imap_password": PASSWORD}, imap_host="127.0.0.1",
                          imap_port=imap.port, imap_security="none", imap_username=USER)
        leads = make_leads(funded, 4)
        funded.compose.send("email", leads, template_id=email_template(funded))
        dispatcher_for().run_until_empty()
        sent = {m.to_address: m for m in funded.messages.recent()}
        ids = [sent[f"lead{i}@example.org"].provider_id for i in range(4)]
        # lead0 also has a follow-up of a campaign waiting: a reply must stop it.
        with funded.store.write() as session:
            campaign = Campaign(name="Autumn", owner_id=funded.ctx.actor.id)
            session.add(campaign)
            session.flush()
            campaign_id = campaign.id
        follow_up = funded.compose.plan("email", [leads[0]], template_id=email_template(funded))
        later = funded.compose.commit(follow_up, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
        with funded.store.write() as session:
            session.get(Message, later.message_ids[0]).campaign_id = campaign_id

        imap.append(USER, reply(ids[0], "lead0@example.org"))
        imap.append(USER, dsn(ids[1], "lead1@example.org"))
        imap.append(USER, reply(ids[2], "lead2@example.org", "Automatic reply: Hello",
                                "I am out of the office until December 1.",
                                "Auto-Submitted: auto-replied\r\n"))
        imap.append(USER, reply(ids[3], "lead3@example.org", "unsubscribe", "no thanks"))

        report = poll_inbox(funded.ctx, funded.integrations, "work mail")
        again = poll_inbox(funded.ctx, funded.integrations, "work mail")

    assert (report.replies, report.bounces, report.auto_replies, report.unsubscribes) == \
        (1, 1, 1, 1)
    assert again.fetched == 0  # the sync position was kept
    states = {m.to_address: m.state for m in funded.messages.recent()
              if m.id != later.message_ids[0]}
    assert states == {"lead0@example.org": "replied", "lead1@example.org": "bounced",
                      "lead2@example.org": "sent", "lead3@example.org": "replied"}
    assert funded.messages.get(later.message_ids[0]).state == "cancelled"
    status = {i: funded.leads.get(lead).status for i, lead in enumerate(leads)}
    assert status == {0: "replied", 1: "bounced", 2: "contacted", 3: "unsubscribed"}
    assert funded.suppression.is_suppressed("lead1@example.org")
    assert funded.suppression.is_suppressed("lead3@example.org")
    assert not funded.suppression.is_suppressed("lead0@example.org")
    ooo = [a for a in funded.activity.for_lead(leads[2]) if a.action == "auto_reply"]
    assert ooo and "out of office, back 2026-12-02" in ooo[0].summary  # "until" the 1st

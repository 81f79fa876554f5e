"""Unsubscribe mails that are not threaded as replies, read over IMAP (pymap on 127.0.0.1): a
fresh "remove me" from a lead's address, mail to the dedicated List-Unsubscribe address, and a
stranger's "stop" that matches no lead."""

from __future__ import annotations

import pytest
from sending_kit import add_email_channel, email_template, make_leads

from leaddesk.sending.inbox import poll_inbox

pytest.importorskip("pymap", reason="the fake IMAP server needs pymap (pip install pymap)")

from tests.fakes.imap_server import FakeImapServer

USER, PASSWORD = "rep@example.com", "imap secret"
LIST_ADDRESS = "unsubscribe@example.com"


def fresh(sender: str, subject: str, body: str, to: str = USER) -> bytes:
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <f-{abs(hash(sender + subject + to))}@example.org>\r\n"
            f"Date: Tue, 25 Nov 2026 09:00:00 +0000\r\n\r\n{body}\r\n").encode()


def test_fresh_unsubscribe_mails_suppress_the_sender(funded, smtp, dispatcher_for,
                                                     keyring_backend):
    with FakeImapServer(users={USER: PASSWORD}) as imap:
        add_email_channel(funded, smtp.port, {"imap_password": PASSWORD}, imap_host="127.0.0.1",
                          imap_port=imap.port, imap_security="none", imap_username=USER,
                          unsubscribe_mailto=f"mailto:{LIST_ADDRESS}?subject=unsubscribe")
        leads = make_leads(funded, 4)
        funded.compose.send("email", leads, template_id=email_template(funded))
        dispatcher_for().run_until_empty()
        mail = smtp.messages[0].message
        assert f"<mailto:{LIST_ADDRESS}?subject=unsubscribe>" in mail["List-Unsubscribe"]

        imap.append(USER, fresh("Lee Zero <LEAD0@example.org>", "a question", "Remove me, thanks."))
        imap.append(USER, fresh("lead1@example.org", "hi", "Anything", to=LIST_ADDRESS))
        imap.append(USER, fresh("stranger@example.net", "stop", "stop"))
        imap.append(USER, fresh("lead2@example.org", "Question", "When can we talk?"))
        report = poll_inbox(funded.ctx, funded.integrations, "work mail")
        imap.append(USER, fresh("lead0@example.org", "unsubscribe", ""))  # again: no harm
        again = poll_inbox(funded.ctx, funded.integrations, "work mail")

    assert (report.fetched, report.unsubscribes, report.unmatched) == (4, 2, 2)
    assert (again.fetched, again.unsubscribes) == (1, 1)
    status = {i: funded.leads.get(lead).status for i, lead in enumerate(leads)}
    assert status == {0: "unsubscribed", 1: "unsubscribed", 2: "contacted", 3: "contacted"}
    assert funded.suppression.is_suppressed("lead0@example.org")
    assert funded.suppression.is_suppressed("lead1@example.org")
    assert not funded.suppression.is_suppressed("lead2@example.org")
    assert not funded.suppression.is_suppressed("stranger@example.net")
    entries = [s for s in funded.suppression.list() if s.value == "lead0@example.org"]
    assert len(entries) == 1 and entries[0].reason == "unsubscribe"
    # A later send to an unsubscribed lead is blocked, not queued.
    later = funded.compose.send("email", leads[:2], template_id=email_template(funded))
    assert (later.queued, later.blocked) == (0, 2)


def test_the_sending_loop_reads_unsubscribes_before_it_sends(funded, smtp, dispatcher_for,
                                                             keyring_backend):
    """The dispatcher's ``poll_opt_outs`` (run by the GUI's outbox runner and ``leaddesk send``
    before sending) reads the inbox: a lead who wrote "unsubscribe" is not mailed again."""
    with FakeImapServer(users={USER: PASSWORD}) as imap:
        add_email_channel(funded, smtp.port, {"imap_password": PASSWORD}, imap_host="127.0.0.1",
                          imap_port=imap.port, imap_security="none", imap_username=USER)
        leads = make_leads(funded, 2)
        funded.compose.send("email", leads, template_id=email_template(funded))
        imap.append(USER, fresh("lead1@example.org", "unsubscribe", ""))
        dispatcher = dispatcher_for()
        reports = dispatcher.poll_opt_outs()
        progress = dispatcher.run_until_empty()
    assert reports["work mail"].unsubscribes == 1
    assert progress.sent == 1 and progress.cancelled == 1  # do-not-contact, checked at claim
    assert [m.rcpt_tos for m in smtp.messages] == [("lead0@example.org",)]

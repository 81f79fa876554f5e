"""Compose -> outbox -> dispatcher -> a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from collections import Counter

from sending_kit import POSTAL, add_email_channel, email_template, make_leads

from leaddesk.sending.recovery import resolve_unknown
from leaddesk.store.enums import LeadStatus
from leaddesk.store.models import Integration
from tests.fakes.smtp_server import FakeSmtpServer, free_port
from tests.fakes.tls import make_certificates


def test_every_queued_email_arrives_once_with_headers_footer_and_charge(
    funded, smtp, email_channel, dispatcher_for
):
    leads = make_leads(funded, 25)
    plan = funded.compose.plan("email", leads, template_id=email_template(funded))
    assert plan.sendable == 25 and plan.total_cost == 25 * plan.price_each
    funded.compose.commit(plan)
    before = funded.credits.balance().available

    progress = dispatcher_for(workers=3).run_until_empty()

    assert progress.sent == 25 and progress.failed == 0
    assert len(smtp.messages) == 25
    ids = Counter(m.message["Message-ID"] for m in smtp.messages)
    assert max(ids.values()) == 1
    mail = next(m.message for m in smtp.messages if m.rcpt_tos == ("lead3@example.org",))
    assert mail["Subject"] == "Hello Lee3"
    assert mail["From"] == "Rita Rep <rep@example.com>"
    assert "mailto:rep@example.com?subject=unsubscribe" in mail["List-Unsubscribe"]
    text = mail.get_content()
    assert "Company 3 could use Example Ltd." in text and POSTAL in text
    assert funded.messages.counts_by_state() == {"sent": 25}
    sent = funded.messages.recent(limit=100)
    assert {m.provider_id for m in sent} == set(ids)
    assert funded.credits.balance().available == before - 25 * plan.price_each
    assert funded.leads.get(leads[0]).status == LeadStatus.CONTACTED.value


def test_rejections_fail_with_the_servers_words_and_cost_nothing(
    funded, smtp, email_channel, dispatcher_for
):
    leads = make_leads(funded, 3)
    smtp.reject("lead0@example.org", "550 5.1.1 <lead0@example.org>: User unknown")
    smtp.reject("lead1@example.org", "451 4.7.1 Try again later")
    funded.compose.send("email", leads, template_id=email_template(funded))
    before = funded.credits.balance().available

    progress = dispatcher_for(max_attempts=3).run_until_empty()

    assert (progress.sent, progress.failed, progress.retried) == (1, 2, 2)
    by_to = {m.to_address: m for m in funded.messages.recent()}
    assert "User unknown" in by_to["lead0@example.org"].error
    assert by_to["lead0@example.org"].attempts == 1
    assert "gave up after 3 attempts" in by_to["lead1@example.org"].error
    assert "Try again later" in by_to["lead1@example.org"].error
    assert funded.credits.balance().available == before - 1


def test_server_down_retries_then_fails_without_charge(funded, dispatcher_for):
    add_email_channel(funded, free_port(), timeout=2.0)
    funded.compose.send("email", make_leads(funded, 2), template_id=email_template(funded))
    before = funded.credits.balance().available

    progress = dispatcher_for(max_attempts=2).run_until_empty()

    assert progress.failed == 2 and progress.sent == 0
    assert all("cannot connect" in m.error for m in funded.messages.recent())
    assert funded.credits.balance().available == before


def test_a_dropped_answer_is_unknown_and_never_resent(funded, smtp, email_channel,
                                                      dispatcher_for):
    leads = make_leads(funded, 2)
    smtp.drop_after_data("lead0@example.org")
    funded.compose.send("email", leads, template_id=email_template(funded))
    before = funded.credits.balance()

    progress = dispatcher_for().run_until_empty()
    again = dispatcher_for().run_until_empty()

    assert progress.unknown == 1 and progress.sent == 1 and again.done == 0
    unknown = next(m for m in funded.messages.recent() if m.state == "unknown")
    assert unknown.provider_id.startswith(f"<{unknown.id}@")  # replies still match it
    assert funded.credits.balance().reserved == before.reserved + 1  # held, not charged
    # A person checks: the server did take it (it hung up before answering), so it arrived.
    assert sum(m.rcpt_tos == ("lead0@example.org",) for m in smtp.messages) == 1
    assert resolve_unknown(funded.ctx, funded.credits, unknown.id, arrived=True) == "sent"
    assert len(smtp.messages) == 2
    assert funded.credits.balance().available == before.available - 2
    assert funded.credits.balance().reserved == before.reserved


def test_do_not_contact_stops_queued_messages(funded, smtp, email_channel, dispatcher_for):
    leads = make_leads(funded, 3)
    funded.suppression.add("LEAD2@example.org", "manual")
    plan = funded.compose.plan("email", leads, template_id=email_template(funded))
    assert [p.to_address for p in plan.blocked] == ["lead2@example.org"]
    assert plan.total_cost == 2 * plan.price_each
    funded.compose.commit(plan)
    funded.suppression.add("lead1@example.org", "unsubscribe")  # while it waits in the queue

    progress = dispatcher_for().run_until_empty()

    assert progress.sent == 1 and progress.cancelled == 1
    assert [m.rcpt_tos for m in smtp.messages] == [("lead0@example.org",)]
    assert funded.messages.counts_by_state() == {"sent": 1, "cancelled": 1}


def test_starttls_with_login_from_the_keyring(funded, dispatcher_for, keyring_backend,
                                               tmp_path):
    certs = make_certificates(tmp_path / "tls")
    users = {"rep@example.com": "s3cret password"}
    with FakeSmtpServer(users=users, tls_context=certs.server_context()) as server:
        add_email_channel(funded, server.port, {"smtp_password": "s3cret password"},
                          host="localhost", security="starttls", username="rep@example.com",
                          ca_file=str(certs.ca_file))
        assert funded.integrations.test("work mail") == "ok"
        funded.compose.send("email", make_leads(funded, 2), template_id=email_template(funded))
        progress = dispatcher_for().run_until_empty()
        assert progress.sent == 2
        assert {m.login for m in server.messages} == {"rep@example.com"}
    # in the keyring, and nowhere in the database
    assert list(keyring_backend.secrets.values()) == ["s3cret password"]
    with funded.store.read() as session:
        assert "s3cret" not in str(session.query(Integration.settings).all())


def test_a_server_that_never_answers_the_data_is_unknown(funded, smtp, dispatcher_for):
    add_email_channel(funded, smtp.port, timeout=0.3)
    smtp.delay_data("lead0@example.org", 1.0)
    funded.compose.send("email", make_leads(funded, 1), template_id=email_template(funded))
    progress = dispatcher_for().run_until_empty()
    assert progress.unknown == 1 and progress.sent == 0
    assert "no answer" in funded.messages.failures()[0].error

"""A big outbox: emails built on a build process, sent by the dispatcher's threads to a real
SMTP server, each once, as they would be built on the threads."""

from __future__ import annotations

import multiprocessing
from collections import Counter

from sending_kit import POSTAL, email_template, make_leads

from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
from leaddesk.sending.prebuild import EmailPrebuilder


def test_emails_built_on_the_build_process_arrive_once_and_whole(funded, smtp, email_channel):
    funded.compose.send("email", make_leads(funded, 40), template_id=email_template(funded))
    before = funded.credits.balance().available
    prebuilder = EmailPrebuilder(1)
    try:
        assert prebuilder.wait_ready(120)
        dispatcher = Dispatcher(funded.ctx, funded.credits, funded.integrations,
                                DispatcherConfig(workers=2), prebuilder=prebuilder)
        progress = dispatcher.run_until_empty()
    finally:
        prebuilder.close()

    assert progress.sent == 40 and prebuilder.built == 40
    assert max(Counter(m.message["Message-ID"] for m in smtp.messages).values()) == 1
    assert len(smtp.messages) == 40
    mail = next(m.message for m in smtp.messages if m.rcpt_tos == ("lead7@example.org",))
    assert mail["Subject"] == "Hello Lee7" and mail["From"] == "Rita Rep <rep@example.com>"
    assert "Company 7 could use Example Ltd." in mail.get_content()
    assert POSTAL in mail.get_content()
    sent = {m.provider_id for m in funded.messages.recent(limit=100)}
    assert sent == {m.message["Message-ID"] for m in smtp.messages}
    assert funded.credits.balance().available == before - 40


def test_the_dispatcher_starts_a_build_process_for_a_big_outbox_and_stops_it(
    funded, smtp, email_channel, dispatcher_for
):
    funded.compose.send("email", make_leads(funded, 12), template_id=email_template(funded))
    dispatcher = dispatcher_for(build_pool_min=10)
    assert dispatcher.outbox.due_count(channel="email") == 12  # what the threshold counts
    assert dispatcher.outbox.due_count(channel="sms") == 0
    progress = dispatcher.run_until_empty()
    assert progress.sent == 12 and len(smtp.messages) == 12
    assert dispatcher._prebuilder is None, "closed with the run"
    assert not [p for p in multiprocessing.active_children() if p.is_alive()]


def test_a_small_outbox_starts_no_process(funded, smtp, email_channel, dispatcher_for):
    funded.compose.send("email", make_leads(funded, 3), template_id=email_template(funded))
    dispatcher = dispatcher_for(build_pool_min=10)
    dispatcher._prepare()
    assert dispatcher._prebuilder is None
    assert dispatcher.run_until_empty().sent == 3

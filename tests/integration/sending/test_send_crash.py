"""``leaddesk send`` killed with SIGKILL mid-batch, then restarted: every message arrives at
most once; only the messages in a provider's hands at the kill (one per worker at most) wait as
"unknown" (never re-sent blindly), those the server had taken are marked sent and charged, and
the rest of the claimed batches, never handed over, are queued again; after the unknowns are
settled the credits charged are exactly the messages sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sending_kit import POSTAL, add_email_channel, email_template, make_leads

from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
from leaddesk.sending.recovery import resolve_unknown
from leaddesk.services.app_services import AppServices
from leaddesk.store.models import BusinessProfile
from tests.fakes.smtp_server import FakeSmtpServer

COUNT = 30
WORKERS = 3


def expected_message_id(message_id: object) -> str:
    return f"<{message_id}@mail.example.com>"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_mid_batch_then_restarted_sends_each_once_and_charges_exactly(
    db_url: str, tmp_path, smtp: FakeSmtpServer
) -> None:
    app = AppServices.open(db_url, backup_dir=tmp_path / "b")
    try:
        app.credits.purchase("starter")
        with app.store.write() as session:
            session.add(BusinessProfile(user_id=app.ctx.actor.id, company="Example Ltd",
                                        postal_address=POSTAL))
        add_email_channel(app, smtp.port)
        leads = make_leads(app, COUNT)
        app.compose.send("email", leads, template_id=email_template(app))
        start = app.credits.balance()
    finally:
        app.close()
    for i in range(COUNT):  # slow answers, so the kill lands while mail is in flight
        smtp.delay_data(f"lead{i}@example.org", 0.05)

    proc = subprocess.Popen([sys.executable, "-m", "leaddesk", "--db", db_url, "send",
                             "--workers", str(WORKERS), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=os.environ.copy())
    try:
        deadline = time.monotonic() + 60
        while len(smtp.messages) < 8 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.2)  # a DATA the server was still answering is logged by now
    before_restart = len(smtp.messages)
    assert before_restart < COUNT
    got_before = {str(m.message["Message-ID"]) for m in smtp.messages}

    app = AppServices.open(db_url, backup_dir=tmp_path / "b")
    try:
        before = {m.id: m.state for m in app.messages.recent(limit=100)}
        claimed = [i for i, state in before.items() if state == "sending"]
        restart = Dispatcher(app.ctx, app.credits, app.integrations,
                             DispatcherConfig(workers=WORKERS))
        recovered = restart.recover()
        after = {m.id: m.state for m in app.messages.recent(limit=100)}
        # Narrow: at most the one message each worker had in the provider's hands is in doubt;
        # whatever the server had taken is known sent, the rest of the batches queued again.
        assert recovered.unknown <= WORKERS
        assert recovered.requeued + recovered.sent + recovered.unknown == len(claimed)
        for i in claimed:
            taken = expected_message_id(i) in got_before
            assert after[i] in (("sent", "unknown") if taken else ("queued", "unknown"))
        assert recovered.requeued > 0, "the kill should leave claimed messages not handed over"
        progress = restart.run_until_empty()
        received = Counter(m.message["Message-ID"] for m in smtp.messages)
        assert max(received.values()) == 1, "a message was sent twice"
        # Settle the unknowns the way a person would: look in the server's log.
        unknown = [m for m in app.messages.recent(limit=100) if m.state == "unknown"]
        assert len(unknown) == recovered.unknown
        for m in unknown:
            resolve_unknown(app.ctx, app.credits, m.id, arrived=m.provider_id in received,
                            requeue=True)
        Dispatcher(app.ctx, app.credits, app.integrations, DispatcherConfig()).run_until_empty()

        received = Counter(m.message["Message-ID"] for m in smtp.messages)
        assert len(received) == COUNT and max(received.values()) == 1
        assert app.messages.counts_by_state() == {"sent": COUNT}
        end = app.credits.balance()
        assert end.reserved == start.reserved
        assert start.available - end.available == COUNT * app.credits.prices.cost("email")
        assert app.credits.ledger_sum() == end.available
        assert progress.sent + before_restart <= COUNT
    finally:
        app.close()

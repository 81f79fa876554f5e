"""``leaddesk send`` killed with SIGKILL mid-batch, then restarted: every message arrives at
most once, what may have gone out waits as "unknown" (never re-sent blindly), and after the
unknowns are settled the credits charged are exactly the messages sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sending_kit import add_email_channel, email_template, make_leads

from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
from leaddesk.sending.recovery import resolve_unknown
from leaddesk.services.app_services import AppServices
from leaddesk.store.models import BusinessProfile
from tests.fakes.smtp_server import FakeSmtpServer

COUNT = 30


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_mid_batch_then_restarted_sends_each_once_and_charges_exactly(
    db_url: str, tmp_path, smtp: FakeSmtpServer
) -> None:
    app = AppServices.open(db_url, backup_dir=tmp_path / "b")
    try:
        app.credits.purchase("starter")
        with app.store.write() as session:
            session.add(BusinessProfile(user_id=app.ctx.actor.id, company="Example Ltd"))
        add_email_channel(app, smtp.port)
        leads = make_leads(app, COUNT)
        app.compose.send("email", leads, template_id=email_template(app))
        start = app.credits.balance()
    finally:
        app.close()
    for i in range(COUNT):  # slow answers, so the kill lands while mail is in flight
        smtp.delay_data(f"lead{i}@example.org", 0.05)

    proc = subprocess.Popen([sys.executable, "-m", "leaddesk", "--db", db_url, "send",
                             "--workers", "3", "--quiet"],
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
    before_restart = len(smtp.messages)
    assert before_restart < COUNT

    app = AppServices.open(db_url, backup_dir=tmp_path / "b")
    try:
        restart = Dispatcher(app.ctx, app.credits, app.integrations, DispatcherConfig(workers=3))
        recovered = restart.recover()
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

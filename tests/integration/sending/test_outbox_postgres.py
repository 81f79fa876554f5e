"""Two "desktops" drain one team outbox on PostgreSQL at the same time (claims with
``FOR UPDATE SKIP LOCKED``): every message goes out once and is charged once."""

from __future__ import annotations

import threading
from collections import Counter

from sending_kit import POSTAL, add_email_channel, email_template, make_leads

from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
from leaddesk.services.app_services import AppServices
from leaddesk.store.models import BusinessProfile
from tests.fakes.smtp_server import FakeSmtpServer

COUNT = 60


def test_two_dispatchers_share_one_outbox(pg_database: str, tmp_path, smtp: FakeSmtpServer):
    first = AppServices.open(pg_database, backup_dir=tmp_path / "b")
    second = AppServices.open(pg_database, backup_dir=tmp_path / "b")
    try:
        first.credits.purchase("starter")
        with first.store.write() as session:
            session.add(BusinessProfile(user_id=first.ctx.actor.id, company="Example Ltd",
                                        postal_address=POSTAL))
        add_email_channel(first, smtp.port)
        first.compose.send("email", make_leads(first, COUNT), template_id=email_template(first))
        before = first.credits.balance()
        results = {}

        def run(name: str, app: AppServices) -> None:
            dispatcher = Dispatcher(app.ctx, app.credits, app.integrations,
                                    DispatcherConfig(workers=3, batch_size=4))
            results[name] = dispatcher.run_until_empty()

        threads = [threading.Thread(target=run, args=(n, a))
                   for n, a in (("first", first), ("second", second))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)

        assert results["first"].sent + results["second"].sent == COUNT
        received = Counter(m.message["Message-ID"] for m in smtp.messages)
        assert len(received) == COUNT and max(received.values()) == 1
        assert first.messages.counts_by_state() == {"sent": COUNT}
        after = first.credits.balance()
        assert before.available - after.available == COUNT * first.credits.prices.cost("email")
        assert after.reserved == before.reserved
    finally:
        second.close()
        first.close()

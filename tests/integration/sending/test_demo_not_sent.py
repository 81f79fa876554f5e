"""The demo's "queued" messages stay in the outbox and the ledger gains no reservation or
release line for them; a real lead's message waits (held) while demo data is here, and goes out
to a real SMTP server once the demo data is removed."""

from __future__ import annotations

from sending_kit import email_template, make_leads
from sqlalchemy import func, select

from leaddesk.services import demo, demo_rows
from leaddesk.services.messaging.compliance import DEMO_CREDITS_ONLY
from leaddesk.store.enums import MessageState
from leaddesk.store.models import CreditTransaction, Message


def _lines(app) -> int:
    with app.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(CreditTransaction)) or 0)


def test_demo_messages_are_never_handed_to_a_channel(funded, smtp, email_channel,
                                                     dispatcher_for):
    demo.populate(funded, 120)
    queued = funded.messages.counts_by_state().get(MessageState.QUEUED.value, 0)
    assert queued > 0  # the demo shows queued messages in the outbox
    lines = _lines(funded)

    progress = dispatcher_for().run_until_empty()

    assert progress.sent == 0 and smtp.messages == []
    assert _lines(funded) == lines  # no reservation, release or consumption
    assert funded.messages.counts_by_state()[MessageState.QUEUED.value] == queued

    real = make_leads(funded, 1)
    waiting = funded.compose.send("email", real, template_id=email_template(funded))
    assert (waiting.queued, waiting.held) == (0, 1)
    assert funded.messages.get(waiting.message_ids[0]).hold_reason == DEMO_CREDITS_ONLY
    assert dispatcher_for().run_until_empty().sent == 0 and smtp.messages == []

    demo_rows.remove(funded.ctx)
    funded.compose.send("email", real, template_id=email_template(funded))
    assert dispatcher_for().run_until_empty().sent == 1
    assert [m.rcpt_tos for m in smtp.messages] == [("lead0@example.org",)]
    with funded.store.read() as session:
        states = set(session.scalars(select(Message.state).where(Message.lead_id == real[0])))
    assert MessageState.SENT in states

"""The demo's "queued" messages stay in the outbox: a real SMTP server receives only the real
message, and the ledger gains no reservation or release line for demo messages."""

from __future__ import annotations

from sending_kit import email_template, make_leads
from sqlalchemy import func, select

from leaddesk.services import demo
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
    funded.compose.send("email", real, template_id=email_template(funded))
    assert dispatcher_for().run_until_empty().sent == 1
    assert [m.rcpt_tos for m in smtp.messages] == [("lead0@example.org",)]
    with funded.store.read() as session:
        real_state = session.scalar(select(Message.state).where(Message.lead_id == real[0]))
    assert real_state == MessageState.SENT

"""Dispatcher rules on a real database: caps, schedules, credits, pause/resume/cancel, config
errors, LinkedIn tasks and recovery of what a crashed sender left behind."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pytest
from sqlalchemy import update

from leaddesk.channels.base import (
    AmbiguousSendError,
    ChannelConfigurationError,
    PermanentChannelError,
)
from leaddesk.sending.dispatcher import Dispatcher
from leaddesk.sending.outbox import Outbox
from leaddesk.sending.recovery import resolve_unknown
from leaddesk.services.errors import ValidationError
from leaddesk.store.enums import Handoff, MessageState
from leaddesk.store.models import CreditAccount, Message, SendCounter, Task
from leaddesk.store.models.credit import CreditHold


def test_daily_cap_of_the_mailbox_holds_the_rest_for_tomorrow(harness, states):
    app = harness.app
    app.integrations.remove("mail")
    harness.channel = app.integrations.add("email", "capped", {
        "host": "127.0.0.1", "port": 2525, "security": "none",
        "from_address": "rep@example.com", "daily_cap": 3})
    harness.queue(5)
    progress = harness.dispatcher().run_until_empty()
    assert progress.sent == 3 and len(harness.sent) == 3
    assert states() == {"sent": 3, "queued": 2}
    with app.store.read() as session:
        counter = session.query(SendCounter).one()
    assert counter.scope == f"integration:{harness.channel.id}" and counter.count == 3
    # Another process (a second dispatcher) shares the count: nothing more today.
    assert harness.dispatcher().run_until_empty().sent == 0


def test_scheduled_messages_wait_and_retries_are_waited_for(harness, states):
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    harness.queue(1, at=later)
    harness.queue(1)
    harness.script[:] = [PermanentChannelError("550 no such user"), None]
    harness.queue(1)
    progress = harness.dispatcher(workers=1).run_until_empty()
    assert (progress.sent, progress.failed) == (1, 1)
    assert states() == {"queued": 1, "sent": 1, "failed": 1}
    failed = next(m for m in harness.app.messages.failures() if m.state == "failed")
    assert failed.error == "550 no such user" and failed.attempts == 1


def test_without_credits_messages_are_held_not_sent(harness, states):
    harness.queue(2)
    with harness.app.store.write() as session:  # an empty account
        session.execute(update(CreditAccount).values(balance=0))
    progress = harness.dispatcher().run_until_empty()
    assert progress.held == 2 and harness.sent == []
    reasons = {m.hold_reason for m in harness.app.messages.failures()}
    assert len(reasons) == 1 and "insufficient credits" in reasons.pop()


def test_a_bad_account_stops_the_channel_and_keeps_its_messages(harness, states):
    harness.queue(3)
    harness.script[:] = [ChannelConfigurationError("535 authentication failed", code=535)]
    progress = harness.dispatcher(workers=1, batch_size=1).run_until_empty()
    assert progress.sent == 0 and "mail" in progress.blocked
    assert states() == {"queued": 3}
    assert {m.attempts for m in harness.app.messages.recent()} == {0}
    assert harness.app.integrations.get("mail").status == "error"


def test_pause_resume_and_cancel(harness, states):
    harness.queue(6)
    harness.gate = threading.Event()
    seen = []
    dispatcher = harness.dispatcher(workers=1, batch_size=2, poll_seconds=0.01)
    dispatcher.on_progress = seen.append
    dispatcher.start()
    assert harness.entered.wait(10)  # the worker is sending its first message, at the gate
    deadline = time.monotonic() + 10
    dispatcher.pause()
    harness.gate.set()  # the first message in hand completes; the rest of its batch goes back
    while dispatcher.progress.in_flight and time.monotonic() < deadline:
        time.sleep(0.005)
    assert dispatcher.progress.paused and dispatcher.progress.sent == 1
    assert states() == {"sent": 1, "queued": 5}
    dispatcher.resume()
    while dispatcher.progress.sent < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    dispatcher.cancel()
    dispatcher.join(10)
    assert not dispatcher.progress.in_flight
    sent = dispatcher.progress.sent
    assert 3 <= sent <= 6 and states().get("sent") == sent and len(harness.sent) == sent
    assert harness.app.messages.cancel() == 6 - sent  # what is left can be cancelled
    assert any(p.paused for p in seen) and seen[-1].sent == sent


def test_linkedin_is_a_task_charged_when_marked_sent(harness, states):
    app = harness.app
    app.integrations.add("linkedin", "li", {})
    lead = app.leads.create({"first_name": "Lin", "linkedin_url": "linkedin.com/in/lin-example"})
    app.compose.send("linkedin", [lead.id], body="Hi {{ first_name }}")
    before = app.credits.balance().available
    dispatcher = Dispatcher(app.ctx, app.credits, app.integrations)
    assert dispatcher.run_until_empty().tasks == 1
    message = app.messages.recent()[0]
    assert message.state == "held" and message.hold_reason.startswith("manual")
    assert app.credits.balance().available == before  # nothing charged yet
    with app.store.read() as session:
        task = session.query(Task).one()
    assert "https://www.linkedin.com/in/lin-example" in task.notes and "Hi Lin" in task.notes
    done = app.messages.mark_manual_sent(message.id, app.credits)
    assert done.state == "sent"
    assert app.credits.balance().available == before - app.credits.prices.cost("linkedin")


def test_manual_send_respects_do_not_contact(harness):
    app = harness.app
    app.integrations.add("linkedin", "li", {})
    lead = app.leads.create({"first_name": "Lin", "linkedin_url": "linkedin.com/in/lin-x"})
    app.compose.send("linkedin", [lead.id], body="Hi")
    Dispatcher(app.ctx, app.credits, app.integrations).run_until_empty()
    app.suppression.add("https://www.linkedin.com/in/lin-x", "manual")
    message = app.messages.recent()[0]
    with pytest.raises(ValidationError, match="do-not-contact"):
        app.messages.mark_manual_sent(message.id, app.credits)


def _crash(app, message_ids, worker="elsewhere:1:dead", handoff=Handoff.NOT_HANDED,
           provider_id=""):
    """Make messages look like a dispatcher on another machine died sending them long ago
    (``handoff``: how far each got with its provider)."""
    with app.store.write() as session:
        session.execute(update(Message).where(Message.id.in_(message_ids)).values(
            state=MessageState.SENDING, attempts=Message.attempts + 1, claimed_by=worker,
            claimed_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2), handoff=handoff.value,
            provider_id=provider_id))


def _reserve_for(app, message_id):
    """The claim's reservation of the message's current attempt, named on its row."""
    with app.store.read() as session:
        attempts = session.get(Message, message_id).attempts
    res = app.credits.reserve(1, "email", "message", str(message_id),
                              f"send:{message_id}:{attempts}")
    with app.store.write() as session:
        session.get(Message, message_id).reservation_id = res.id
    return res.id


def test_recovery_uses_the_ledger_and_never_resends_blindly(harness, states):
    app = harness.app
    never, sent, open_ = harness.queue(3)
    _crash(app, [never, sent])
    _crash(app, [open_], handoff=Handoff.HANDING)
    key = {m: f"send:{m}:1" for m in (sent, open_)}
    res_sent = app.credits.reserve(1, "email", "message", str(sent), key[sent])
    app.credits.consume(res_sent.id)
    res_open = app.credits.reserve(1, "email", "message", str(open_), key[open_])
    outbox = Outbox(app.ctx)
    for message_id, rid in ((sent, res_sent.id), (open_, res_open.id)):
        with app.store.write() as session:
            session.get(Message, message_id).reservation_id = rid
    dispatcher = harness.dispatcher()
    report = dispatcher.recover()
    assert (report.requeued, report.sent, report.unknown) == (1, 1, 1)
    assert states() == {"queued": 1, "sent": 1, "unknown": 1}
    unknown = app.messages.get(open_)
    assert "check" in unknown.error
    assert unknown.provider_id == f"<{open_}@example.com>"  # derived from the from domain
    assert dispatcher.run_until_empty().sent == 1  # only the one that never went out
    assert outbox.worker != "elsewhere:1:dead"


def test_recovery_requeues_what_was_never_handed_over_and_charges_what_was(harness, states):
    """A crash mid-batch: reservations still held for all of it, but the handoff markers tell
    the message in flight from those never handed over or already taken by the provider."""
    app = harness.app
    start = app.credits.balance()
    accepted, refused, handing, waiting = harness.queue(4)
    _crash(app, [accepted], handoff=Handoff.ACCEPTED, provider_id="<taken@example.com>")
    _crash(app, [refused], handoff=Handoff.REFUSED)
    _crash(app, [handing], handoff=Handoff.HANDING)
    _crash(app, [waiting])
    held = {m: _reserve_for(app, m) for m in (accepted, refused, handing, waiting)}
    report = harness.dispatcher().recover()
    assert (report.requeued, report.sent, report.unknown) == (2, 1, 1)
    assert app.messages.get(accepted).state == "sent"
    assert app.messages.get(accepted).provider_id == "<taken@example.com>"
    assert app.messages.get(handing).state == "unknown"
    assert {app.messages.get(m).state for m in (refused, waiting)} == {"queued"}
    # Only the one in doubt keeps its credits held; the accepted one is charged.
    assert app.credits.held() == [held[handing]]
    kinds = {t.reservation_id: t.kind for t in app.credits.history() if t.reservation_id}
    assert kinds == {held[accepted]: "consumption", held[refused]: "release",
                     held[waiting]: "release"}
    assert harness.dispatcher().run_until_empty().sent == 2  # the two that never went out
    assert {uuid.UUID(m.message_id) for m in harness.sent} == {refused, waiting}
    end = app.credits.balance()
    # 1 each for the accepted one (charged) and the one in doubt (held), then the two sends
    assert start.available - end.available == 2 + 2 * app.credits.prices.cost("email")
    assert end.reserved - start.reserved == 1


def test_a_free_message_caught_mid_handoff_is_not_requeued_blindly(harness, states):
    app = harness.app
    (message,) = harness.queue(1)
    _crash(app, [message], handoff=Handoff.HANDING)  # no reservation: a free message
    assert harness.dispatcher().recover().unknown == 1
    assert states() == {"unknown": 1}


def test_each_send_is_marked_handed_over_before_the_provider_sees_it(harness):
    app = harness.app
    ids = harness.queue(3)
    seen = []

    def check(message_id):
        with app.store.read() as session:
            row = session.get(Message, message_id)
            seen.append((row.state, row.handoff, row.handed_at is not None))
            others = [session.get(Message, m) for m in ids if m != message_id]
            # the earlier ones of the batch: their handoff's end is recorded already
            seen.extend(("other", o.handoff, o.state) for o in others)

    harness.on_send = lambda msg: check(uuid.UUID(msg.message_id))
    harness.script[:] = [None, PermanentChannelError("550 no such user"), None]
    assert harness.dispatcher(workers=1).run_until_empty().sent == 2
    marks = [s for s in seen if s[0] != "other"]
    assert marks == [(MessageState.SENDING, "handing", True)] * 3
    others = [s[1] for s in seen if s[0] == "other"]
    assert others.count("accepted") >= 1 and others.count("refused") >= 1


def test_a_claim_reserves_its_batch_and_a_requeue_gives_the_credits_back(harness, states):
    app = harness.app
    harness.queue(3)
    start = app.credits.balance()
    outbox = Outbox(app.ctx)
    batch = outbox.claim(dt.datetime.now(dt.UTC), 3, reserve=app.credits.batch_reserver())
    assert len(batch.messages) == 3 and all(m.reservation_id for m in batch.messages)
    assert app.credits.balance().reserved == start.reserved + sum(m.cost for m in batch.messages)
    outbox.finish([Outbox.requeue(m) for m in batch.messages], app.credits.batch_settler())
    assert app.credits.balance() == start and states() == {"queued": 3}
    # The same attempt numbers again: the released keys are not reused, nothing is lost.
    assert harness.dispatcher().run_until_empty().sent == 3
    end = app.credits.balance()
    assert end.reserved == start.reserved and app.credits.audit().ok
    assert start.available - end.available == 3 * app.credits.prices.cost("email")
    assert {m.attempts for m in app.messages.recent()} == {1}


def test_an_unknown_send_keeps_its_reservation_through_a_restart_and_is_charged_once(
        harness, states):
    app = harness.app
    harness.queue(1)
    start = app.credits.balance()
    harness.script = [AmbiguousSendError("no answer after the message was sent")]
    assert harness.dispatcher(workers=1).run_until_empty().unknown == 1
    held = app.credits.held()
    assert len(held) == 1
    # The holding process "died" long ago: the credits' start-up recovery still leaves it.
    with app.store.write() as session:
        session.execute(update(CreditHold).values(
            holder="gone|boot|1", created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)))
    assert app.credits.release_stale_reservations(dt.timedelta(hours=1)) == []
    assert app.credits.held() == held
    unknown = app.messages.recent()[0]
    assert resolve_unknown(app.ctx, app.credits, unknown.id, arrived=True) == "sent"
    end = app.credits.balance()
    assert states() == {"sent": 1} and end.reserved == start.reserved
    assert start.available - end.available == app.credits.prices.cost("email")
    lines = app.credits.history()
    assert [t.kind for t in lines if t.reservation_id == held[0]] == ["consumption"]
    assert not [t for t in lines if (t.idempotency_key or "").endswith(":confirmed")]
    assert app.credits.audit().ok


def test_a_worker_claims_a_fair_share_of_what_is_due(harness, states):
    harness.queue(8)
    dispatcher = harness.dispatcher(workers=4, batch_size=64)
    dispatcher.recover()
    assert len(dispatcher._claim()) == 2  # 8 due over 4 workers, not all 8 for one
    assert states() == {"sending": 2, "queued": 6}
    single = harness.dispatcher(workers=1, batch_size=64)
    assert len(single._claim()) == 6

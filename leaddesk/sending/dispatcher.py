"""The dispatcher: worker threads that drain the outbox through the channels.

Each worker loops: claim a batch of due messages (:class:`~leaddesk.sending.outbox.Outbox`),
checking the do-not-contact list again and reserving the credits of the whole batch in the same
transaction (idempotency key ``send:<message id>:<attempt>``); then, for each message, wait for
the rate limits, commit the handoff marker (:meth:`Outbox.hand_over`, which also records how the
previous handoff ended) and send. After a crash, then, only the message in the provider's hands
is in doubt; the rest of the batch is known sent or known not sent (``recovery``).
The batch's outcomes are written in one transaction with their charges:
sent consumes the reservation; a retry (temporary error, with backoff and jitter), a failure
(permanent error, with the provider's message) or a requeue releases it; ``unknown`` (the
provider may have it: never re-sent blindly) keeps it held.

For a big outbox the emails of a batch are built ahead on a spawned process
(``sending.prebuild``), so that the threads' GIL is left to the network and the database.

Sending one message is ``sending.message_sender``; the integrations and the channel objects the
threads use are ``sending.integration_channels``.

No Qt here: progress goes to plain callables, called from worker threads; the GUI wraps them.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from leaddesk.sending.claims import Cap, Claimed, HandoffNote
from leaddesk.sending.inbox import InboxReport, poll_mailboxes
from leaddesk.sending.integration_channels import ChannelFactory, IntegrationChannels
from leaddesk.sending.limits import Backoff
from leaddesk.sending.message_sender import Attempt, MessageSender
from leaddesk.sending.outbox import Outbox
from leaddesk.sending.outgoing import expected_provider_id
from leaddesk.sending.prebuild import EmailPrebuilder
from leaddesk.sending.recovery import RecoveryReport, is_stale, recover_message
from leaddesk.sending.status import PollReport, poll_statuses
from leaddesk.sending.text_inbox import TextInboxReport, poll_all_texts
from leaddesk.services.context import ServiceContext
from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.messaging.integrations import IntegrationRecord, IntegrationService
from leaddesk.store.enums import MessageState
from leaddesk.store.models import Message
from leaddesk.store.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MessageEvent:
    """What just happened to one message."""

    message_id: uuid.UUID
    lead_id: uuid.UUID
    channel: str
    state: str  # sent, delivered, failed, retry, unknown, held, cancelled, task, requeued
    error: str = ""


@dataclass(frozen=True, slots=True)
class Progress:
    """Counts since the dispatcher started (a snapshot; safe to hand to another thread)."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    unknown: int = 0
    held: int = 0
    cancelled: int = 0
    tasks: int = 0
    in_flight: int = 0
    paused: bool = False
    blocked: Mapping[str, str] = field(default_factory=dict)  # integration name -> why
    last: MessageEvent | None = None

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.unknown + self.held + self.cancelled + self.tasks


@dataclass(frozen=True)
class DispatcherConfig:
    #: Sending threads. With the build process, benchmarks/send.py (5,000 emails to a loopback
    #: server, share of a bare smtplib loop) measured 2 threads at 1.10-1.22, 4 at 0.99-1.06, 6
    #: at 1.10: alike within the spread. A real server answers in tens of milliseconds, not
    #: tenths, and then more threads keep more messages in flight: 4.
    workers: int = 4
    max_attempts: int = 5
    backoff: Backoff = field(default_factory=Backoff)
    #: Messages per minute per channel kind ("sms": 60), on top of each integration's own.
    channel_rates: Mapping[str, float] = field(default_factory=dict)
    #: Sends per UTC day per channel kind, across integrations (and processes).
    channel_daily_caps: Mapping[str, int] = field(default_factory=dict)
    #: A claim older than this from a worker we cannot see is taken as crashed.
    lease: dt.timedelta = dt.timedelta(minutes=15)
    #: How often an idle dispatcher started with :meth:`Dispatcher.start` looks again.
    poll_seconds: float = 5.0
    #: At most this many messages a worker claims (and records the outcomes of) in one
    #: transaction; fewer when few are due, so that every worker gets a share. (A crash
    #: mid-batch leaves only the message in flight in doubt, whatever the size: the handoff
    #: marker; a bigger batch spreads the claim's and the outcomes' commits over more sends.)
    batch_size: int = 64
    #: Processes that build emails ahead of the sending threads (``sending.prebuild``), for
    #: an outbox with at least ``build_pool_min`` emails due (starting one costs ~0.5 s);
    #: 0: the threads build.
    build_processes: int = 1
    build_pool_min: int = 500


_COUNTER = {"sent": "sent", "delivered": "sent", "failed": "failed", "retry": "retried",
            "unknown": "unknown", "held": "held", "cancelled": "cancelled", "task": "tasks",
            "requeued": None}


def _event(attempt: Attempt) -> MessageEvent:
    msg = attempt.outcome.msg
    return MessageEvent(msg.id, msg.lead_id, msg.channel, attempt.state, attempt.error)


class Dispatcher:
    def __init__(
        self,
        ctx: ServiceContext,
        credits: CreditService,
        integrations: IntegrationService,
        config: DispatcherConfig | None = None,
        *,
        channel_factory: ChannelFactory | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_message: Callable[[MessageEvent], None] | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        prebuilder: EmailPrebuilder | None = None,
    ) -> None:
        """``prebuilder``: build emails on this pool (its owner closes it), instead of one the
        dispatcher starts and closes itself for a big outbox."""
        self._ctx = ctx
        self._credits = credits
        self._integrations = integrations
        self.config = config or DispatcherConfig()
        self.on_progress = on_progress
        self.on_message = on_message
        self._clock = clock
        self.outbox = Outbox(ctx)
        self._lock = threading.Lock()
        self._progress = Progress()
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._threads: list[threading.Thread] = []
        self._channels = IntegrationChannels(ctx, integrations,
                                             channel_factory or integrations.build)
        self._blocked: dict[uuid.UUID, str] = {}
        self._capped: dict[uuid.UUID | None, dt.datetime] = {}
        self._prebuilder = prebuilder
        self._own_prebuilder = False
        self._prebuilder_lock = threading.Lock()
        self._sender = MessageSender(ctx, self.outbox, self._channels, self.config,
                                     stop=self._stop, clock=clock,
                                     prebuilder=lambda: self._prebuilder,
                                     on_unusable=self._unusable)

    # -- control ---------------------------------------------------------------------------
    def pause(self) -> None:
        """Workers finish the message in hand, then wait."""
        self._running.clear()
        self._update(paused=True)

    def resume(self) -> None:
        self._running.set()
        self._update(paused=False)

    def cancel(self) -> None:
        """Stop after the messages in hand; queued messages stay queued for next time."""
        self._stop.set()
        self._running.set()

    @property
    def progress(self) -> Progress:
        with self._lock:
            return self._progress

    def run_until_empty(self, *, wait_for_retries: bool = True) -> Progress:
        """Send everything due now (and, by default, its retries) on the worker pool, then
        return. Scheduled messages not yet due, and integrations over a cap, are left queued."""
        self._prepare()
        try:
            self._spawn(forever=False, wait_for_retries=wait_for_retries)
            for thread in self._threads:
                thread.join()
        finally:
            self._channels.close()
            self._close_prebuilder()
        return self.progress

    def start(self) -> None:
        """Run in the background until :meth:`cancel` (the GUI's outbox)."""
        self._prepare()
        self._spawn(forever=True, wait_for_retries=True)

    def join(self, timeout: float | None = None) -> None:
        for thread in self._threads:
            thread.join(timeout)
        if not any(t.is_alive() for t in self._threads):
            self._channels.close()
            self._close_prebuilder()

    # -- set-up ----------------------------------------------------------------------------
    def _prepare(self) -> None:
        self._stop.clear()
        self.recover()
        self._start_prebuilder()

    def _start_prebuilder(self) -> None:
        """A build process for a big outbox of emails (see ``sending.prebuild``)."""
        config = self.config
        if self._prebuilder is not None or config.build_processes < 1:
            return
        with self._prebuilder_lock:
            if self._prebuilder is None and \
                    self.outbox.due_count(self._clock(), "email") >= max(1, config.build_pool_min):
                self._prebuilder = EmailPrebuilder(config.build_processes)
                self._own_prebuilder = True

    def _close_prebuilder(self) -> None:
        with self._prebuilder_lock:
            prebuilder, own = self._prebuilder, self._own_prebuilder
            if own:
                self._prebuilder, self._own_prebuilder = None, False
        if own and prebuilder is not None:
            prebuilder.close()

    def _spawn(self, *, forever: bool, wait_for_retries: bool) -> None:
        self._threads = [
            threading.Thread(target=self._worker, args=(forever, wait_for_retries),
                             name=f"leaddesk-send-{i}", daemon=True)
            for i in range(max(1, self.config.workers))
        ]
        for thread in self._threads:
            thread.start()

    def recover(self) -> RecoveryReport:
        """Resolve messages a crashed dispatcher left in ``sending`` (see ``recovery``)."""
        self._channels.load()
        now = self._clock()
        with self._ctx.store.read() as session:
            stale = [m for m in session.scalars(
                select(Message).where(Message.state == MessageState.SENDING))
                if is_stale(m.claimed_by, m.claimed_at, now, self.config.lease,
                            self.outbox.worker)]
        counts = {"queued": 0, "sent": 0, "failed": 0, "unknown": 0}
        for msg in stale:
            record = self._channels.record(msg.integration_id)
            fetch = None
            if msg.provider_id and record is not None:
                fetch = self._channels.channel(record, msg.channel.value).fetch_status
            new = recover_message(self._ctx, self._credits, msg, fetch,
                                  expected_provider_id(msg.channel.value, record, str(msg.id)))
            counts[new] = counts.get(new, 0) + 1
        return RecoveryReport(counts["queued"], counts["sent"], counts["failed"],
                              counts["unknown"])

    def poll_opt_outs(self, *, mail: bool = True) -> dict[str, InboxReport | TextInboxReport | str]:
        """What arrived on the channels, per channel: the inboxes (replies, bounces, unsubscribe
        mails; ``mail``) and "STOP" texts; run before sending so whoever just opted out is
        spared (see ``inbox`` and ``text_inbox``)."""
        self._channels.load()
        records = list(self._channels.records.values())
        try:
            reports = poll_mailboxes(self._ctx, self._integrations, records) if mail else {}
            return reports | poll_all_texts(self._ctx, records,
                                            lambda record: self._channels.channel(record, "sms"))
        finally:
            self._channels.close()

    def poll_statuses(self, limit: int = 500) -> PollReport:
        """Delivery status from providers that can say (Twilio), by the stored SID."""
        self._channels.load()

        def fetch(msg: Message) -> str | None:
            record = self._channels.record(msg.integration_id)
            if record is None:
                return None
            return self._channels.channel(record, msg.channel.value).fetch_status(msg.provider_id)

        try:
            return poll_statuses(self._ctx, self._credits, fetch, limit)
        finally:
            self._channels.close()

    # -- the worker loop -------------------------------------------------------------------
    def _worker(self, forever: bool, wait_for_retries: bool) -> None:
        try:
            while not self._stop.is_set():
                self._running.wait()
                if self._stop.is_set():
                    break
                batch = self._claim()
                if batch:
                    self._run_batch(batch)
                elif not self._idle(forever, wait_for_retries):
                    break
        except Exception:  # a bug, or the database went away: stop this worker, say why
            log.exception("send worker stopped")
            self._update(blocked={**self.progress.blocked, "dispatcher": "a worker crashed"})

    def _claim(self) -> list[Claimed]:
        now = self._clock()
        self._capped = {k: v for k, v in self._capped.items() if v > now}
        exclude = set(self._blocked) | {k for k in self._capped if k is not None}
        batch = self.outbox.claim(now, max(1, self.config.batch_size),
                                  share=max(1, self.config.workers),  # so no worker idles
                                  exclude_integrations=exclude,
                                  caps_for=self._caps, reserve=self._credits.batch_reserver())
        self._capped.update(batch.capped)
        if batch.messages:
            with self._lock:
                self._progress = replace(
                    self._progress, in_flight=self._progress.in_flight + len(batch.messages))
        return batch.messages

    def _run_batch(self, batch: list[Claimed]) -> None:
        """Send a claimed batch one by one; write the outcomes and settle their credits together
        at the end (a crash before that is settled by the ledger, see ``recovery``)."""
        done: list[Attempt] = []
        notes: list[HandoffNote] = []  # how handoffs ended, written with the next marker
        if len(batch) >= self.config.batch_size and any(m.channel == "email" for m in batch):
            self._start_prebuilder()  # much is due: the GUI's outbox runs on
        self._sender.prebuild(batch)
        try:
            for msg in batch:
                if self._stop.is_set() or not self._running.is_set() \
                        or msg.integration_id in self._blocked:
                    done.append(Attempt(Outbox.requeue(msg), "requeued"))
                elif msg.blocked:
                    reason = msg.blocked
                    done.append(Attempt(Outbox.cancelled(msg, reason), "cancelled", reason))
                else:
                    done.append(self._sender.send(msg, notes))
        finally:
            if self._prebuilder is not None:
                self._prebuilder.discard([m.id for m in batch])
            self.outbox.finish([attempt.outcome for attempt in done],
                               self._credits.batch_settler())
            for attempt in done:
                self._emit(_event(attempt))

    def _idle(self, forever: bool, wait_for_retries: bool) -> bool:
        """Nothing claimable now: wait for the next due message; ``False`` means stop."""
        now = self._clock()
        exclude = set(self._blocked) | {k for k in self._capped if k is not None}
        next_due = self.outbox.next_due(exclude)
        if not forever:
            if self.progress.in_flight > 0:
                # a message in hand may come back as a retry: look again shortly
                return not self._stop.wait(0.01)
            if next_due is not None and next_due <= now:
                return True  # due but taken by another worker meanwhile: look again
            if not wait_for_retries:
                return False
            retry_at = self.outbox.queued_retries_due_before(now + dt.timedelta(days=1), exclude)
            if retry_at is None:
                return False
            next_due = retry_at
        wait = self.config.poll_seconds
        if next_due is not None:
            wait = min(wait, max(0.0, (next_due - now).total_seconds()))
        return not self._stop.wait(max(wait, 0.001))

    def _caps(self, integration_id: uuid.UUID | None, channel: str) -> list[Cap]:
        return self._channels.caps(integration_id, channel, self.config.channel_daily_caps)

    def _unusable(self, record: IntegrationRecord, error: str) -> None:
        """The account, not the message, is at fault: stop using it, keep its messages queued."""
        self._blocked[record.id] = error
        self._integrations.set_status(record.id, "error")
        self._update(blocked={**self.progress.blocked, record.name: error})

    # -- progress --------------------------------------------------------------------------
    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._progress = replace(self._progress, **changes)
            snapshot = self._progress
        if self.on_progress is not None:
            self.on_progress(snapshot)

    def _emit(self, event: MessageEvent) -> None:
        with self._lock:
            counter = _COUNTER[event.state]
            counts = {counter: getattr(self._progress, counter) + 1} if counter else {}
            self._progress = replace(
                self._progress, last=event, in_flight=self._progress.in_flight - 1, **counts)
            snapshot = self._progress
        if self.on_message is not None:
            self.on_message(event)
        if self.on_progress is not None:
            self.on_progress(snapshot)

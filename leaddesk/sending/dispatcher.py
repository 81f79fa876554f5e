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

from leaddesk.channels.base import (
    AmbiguousSendError,
    Channel,
    ChannelConfigurationError,
    ChannelError,
    DeliveryState,
    PermanentChannelError,
    TemporaryChannelError,
)
from leaddesk.channels.email_smtp import SmtpEmailChannel
from leaddesk.sending.claims import Cap, Claimed, HandoffNote, Outcome
from leaddesk.sending.limits import Backoff, RateLimits
from leaddesk.sending.outbox import Outbox
from leaddesk.sending.outgoing import expected_provider_id, outgoing
from leaddesk.sending.prebuild import EmailPrebuilder
from leaddesk.sending.recovery import RecoveryReport, is_stale, recover_message
from leaddesk.sending.status import PollReport, poll_statuses
from leaddesk.services.context import ServiceContext
from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.messaging.integrations import (
    DEFAULT_DAILY_CAP,
    IntegrationRecord,
    IntegrationService,
)
from leaddesk.services.messaging.messages import create_linkedin_task
from leaddesk.store.enums import Handoff, MessageState
from leaddesk.store.models import BusinessProfile, Message
from leaddesk.store.types import utcnow

log = logging.getLogger(__name__)

ChannelFactory = Callable[[IntegrationRecord, str], Channel]


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


def _event(msg: Claimed, state: str, error: str = "") -> MessageEvent:
    return MessageEvent(msg.id, msg.lead_id, msg.channel, state, error)


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
        self._factory = channel_factory or integrations.build
        self.on_progress = on_progress
        self.on_message = on_message
        self._clock = clock
        self.outbox = Outbox(ctx)
        self._rates = RateLimits()
        self._lock = threading.Lock()
        self._progress = Progress()
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._threads: list[threading.Thread] = []
        self._open_channels: dict[tuple[int, uuid.UUID, str], Channel] = {}
        self._records: dict[uuid.UUID, IntegrationRecord] = {}
        self._blocked: dict[uuid.UUID, str] = {}
        self._capped: dict[uuid.UUID | None, dt.datetime] = {}
        self._postal_address = ""
        self._prebuilder = prebuilder
        self._own_prebuilder = False
        self._prebuilder_lock = threading.Lock()

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
            self._close_channels()
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
            self._close_channels()
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

    def _load(self) -> None:
        """The channels and the sender's postal address, as of now."""
        self._records = {r.id: r for r in self._integrations.list()}
        with self._ctx.store.read() as session:
            profile = session.scalar(select(BusinessProfile).where(
                BusinessProfile.user_id == self._ctx.actor.id).limit(1))
            self._postal_address = profile.postal_address if profile else ""

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
        self._load()
        now = self._clock()
        with self._ctx.store.read() as session:
            stale = [m for m in session.scalars(
                select(Message).where(Message.state == MessageState.SENDING))
                if is_stale(m.claimed_by, m.claimed_at, now, self.config.lease,
                            self.outbox.worker)]
        counts = {"queued": 0, "sent": 0, "failed": 0, "unknown": 0}
        for msg in stale:
            record = self._records.get(msg.integration_id) if msg.integration_id else None
            fetch = None
            if msg.provider_id and record is not None:
                fetch = self._channel(record, msg.channel.value).fetch_status
            new = recover_message(self._ctx, self._credits, msg, fetch,
                                  expected_provider_id(msg.channel.value, record, str(msg.id)))
            counts[new] = counts.get(new, 0) + 1
        return RecoveryReport(counts["queued"], counts["sent"], counts["failed"],
                              counts["unknown"])

    def poll_statuses(self, limit: int = 500) -> PollReport:
        """Delivery status from providers that can say (Twilio), by the stored SID."""
        self._load()

        def fetch(msg: Message) -> str | None:
            record = self._records.get(msg.integration_id) if msg.integration_id else None
            if record is None:
                return None
            return self._channel(record, msg.channel.value).fetch_status(msg.provider_id)

        try:
            return poll_statuses(self._ctx, self._credits, fetch, limit)
        finally:
            self._close_channels()

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
        done: list[tuple[Outcome, MessageEvent]] = []
        notes: list[HandoffNote] = []  # how handoffs ended, written with the next marker
        if len(batch) >= self.config.batch_size and any(m.channel == "email" for m in batch):
            self._start_prebuilder()  # much is due: the GUI's outbox runs on
        self._prebuild(batch)
        try:
            for msg in batch:
                if self._stop.is_set() or not self._running.is_set() \
                        or msg.integration_id in self._blocked:
                    done.append((Outbox.requeue(msg), _event(msg, "requeued")))
                elif msg.blocked:
                    reason = msg.blocked
                    done.append((Outbox.cancelled(msg, reason), _event(msg, "cancelled", reason)))
                else:
                    done.append(self._handle(msg, notes))
        finally:
            if self._prebuilder is not None:
                self._prebuilder.discard([m.id for m in batch])
            self.outbox.finish([outcome for outcome, _ in done], self._credits.batch_settler())
            for _, event in done:
                self._emit(event)

    def _prebuild(self, batch: list[Claimed]) -> None:
        """Have the build process build the batch's emails while this thread sends."""
        prebuilder = self._prebuilder
        if prebuilder is None or not prebuilder.ready:
            return
        for msg in batch:
            if msg.channel != "email" or msg.blocked or msg.refused:
                continue
            record = self._record_for(msg)
            if record is None:
                continue
            try:
                channel = self._channel(record, msg.channel)
                if isinstance(channel, SmtpEmailChannel):
                    prebuilder.submit(msg.id, outgoing(msg, record, self._postal_address),
                                      channel.settings.message_id_domain)
            except ChannelError:  # reported when the message's turn comes
                continue

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
        caps = []
        record = self._records.get(integration_id) if integration_id else None
        if record is not None:
            daily = record.settings.get("daily_cap", DEFAULT_DAILY_CAP.get(record.kind))
            if daily:
                caps.append(Cap(f"integration:{record.id}", "day", int(daily)))
            if record.settings.get("hourly_cap"):
                caps.append(Cap(f"integration:{record.id}", "hour",
                                int(record.settings["hourly_cap"])))
        if self.config.channel_daily_caps.get(channel):
            caps.append(Cap(f"channel:{channel}", "day", self.config.channel_daily_caps[channel]))
        return caps

    # -- one message -----------------------------------------------------------------------
    def _handle(self, msg: Claimed, notes: list[HandoffNote]) -> tuple[Outcome, MessageEvent]:
        try:
            return self._send(msg, notes)
        except Exception as exc:  # keep the worker alive; the message waits for a person
            log.exception("unexpected error sending %s", msg.id)
            error = f"unexpected error: {exc!r}"
            return Outbox.unknown(msg, error, None), _event(msg, "unknown", error)

    def _send(self, msg: Claimed, notes: list[HandoffNote]) -> tuple[Outcome, MessageEvent]:
        record = self._record_for(msg)
        if record is None:
            reason = f"no {msg.channel} channel is configured"
            return Outbox.held(msg, reason), _event(msg, "held", reason)
        wait = self._rates.wait_for({
            f"channel:{msg.channel}": self.config.channel_rates.get(msg.channel),
            f"integration:{record.id}": record.limit("rate_per_minute"),
        })
        if wait > 0 and self._stop.wait(wait):
            return Outbox.requeue(msg), _event(msg, "requeued")
        if msg.channel == "linkedin":
            return self._manual_task(msg, record)
        if msg.refused:  # the claim could not reserve its credits
            return Outbox.held(msg, msg.refused), _event(msg, "held", msg.refused)
        reservation_id = msg.reservation_id  # settled with the outcome, by ``Outbox.finish``
        try:
            channel = self._channel(record, msg.channel)
            message = outgoing(msg, record, self._postal_address)
        except ChannelError as exc:  # e.g. a missing password: nothing was handed over
            return self._failed_attempt(msg, record, exc)
        built = self._prebuilder.take(msg.id) if self._prebuilder is not None else None
        # Durable before the provider sees it: a crash from here on leaves only this in doubt.
        handed = self.outbox.hand_over(msg, notes)
        notes.clear()
        if not handed:
            return Outbox.lost(msg), _event(msg, "requeued", "taken over by another dispatcher")
        try:
            if built is not None and isinstance(channel, SmtpEmailChannel):
                result = channel.send_wire(built, message.message_id)
            else:
                result = channel.send(message)
        except AmbiguousSendError as exc:  # stays "handing": in doubt
            provider_id = expected_provider_id(msg.channel, record, str(msg.id))
            return (Outbox.unknown(msg, str(exc), reservation_id, provider_id),
                    _event(msg, "unknown", str(exc)))
        except ChannelError as exc:
            notes.append(HandoffNote(msg.id, Handoff.REFUSED))
            return self._failed_attempt(msg, record, exc)
        notes.append(HandoffNote(msg.id, Handoff.ACCEPTED, result.provider_id or ""))
        state = MessageState.DELIVERED if result.status is DeliveryState.DELIVERED \
            else MessageState.SENT
        return (Outbox.sent(msg, result.provider_id or "", reservation_id, state, self._clock()),
                _event(msg, state.value))

    def _failed_attempt(self, msg: Claimed, record: IntegrationRecord,
                        exc: ChannelError) -> tuple[Outcome, MessageEvent]:
        if isinstance(exc, ChannelConfigurationError):
            # The account, not the message: stop using it, keep its messages queued.
            self._blocked[record.id] = str(exc)
            self._integrations.set_status(record.id, "error")
            self._update(blocked={**self.progress.blocked, record.name: str(exc)})
            return Outbox.requeue(msg, str(exc)), _event(msg, "requeued", str(exc))
        if isinstance(exc, TemporaryChannelError) and msg.attempts < self.config.max_attempts:
            delay = self.config.backoff.delay(msg.attempts, exc.retry_after)
            at = self._clock() + dt.timedelta(seconds=delay)
            return Outbox.retry(msg, str(exc), at), _event(msg, "retry", str(exc))
        if isinstance(exc, TemporaryChannelError):
            error = f"gave up after {msg.attempts} attempts: {exc}"
        elif isinstance(exc, PermanentChannelError):
            error = str(exc)
        else:
            error = f"{type(exc).__name__}: {exc}"
        return Outbox.failed(msg, error), _event(msg, "failed", error)

    def _manual_task(self, msg: Claimed,
                     record: IntegrationRecord) -> tuple[Outcome, MessageEvent]:
        """LinkedIn: a person sends it; credits are charged when the task is marked sent."""
        try:
            result = self._channel(record, msg.channel).send(outgoing(msg, record, None))
        except ChannelError as exc:
            return Outbox.failed(msg, str(exc)), _event(msg, "failed", str(exc))
        create_linkedin_task(self._ctx, msg.id, msg.lead_id, dict(result.raw))
        reason = "manual: open the LinkedIn task, send it, then mark it sent"
        return Outbox.held(msg, reason), _event(msg, "task")

    def _record_for(self, msg: Claimed) -> IntegrationRecord | None:
        if msg.integration_id is not None:
            record = self._records.get(msg.integration_id)
            if record is not None:
                return record
        try:
            return self._integrations.for_channel(msg.channel)
        except (ValidationError, NotFoundError):
            return None

    def _channel(self, record: IntegrationRecord, channel: str) -> Channel:
        """One channel object per worker thread and integration (SMTP connections are kept)."""
        key = (threading.get_ident(), record.id, channel)
        with self._lock:
            found = self._open_channels.get(key)
        if found is None:
            found = self._factory(record, channel)
            with self._lock:
                self._open_channels[key] = found
        return found

    def _close_channels(self) -> None:
        with self._lock:
            channels, self._open_channels = list(self._open_channels.values()), {}
        for channel in channels:
            close = getattr(channel, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # closing is best effort
                    log.debug("closing a channel failed", exc_info=True)

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

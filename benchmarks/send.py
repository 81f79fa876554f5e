"""Sending throughput: the dispatcher against a bare smtplib loop, same server, same connections.

Both send N emails to a local aiosmtpd server (its own process, so it does not compete for this
process's GIL), reconnecting every M messages, so both use the same number of connections. The
dispatcher (W worker threads) does everything a real send does: claiming rows, the do-not-contact
check, reserving and consuming credits (ledger rows), the handoff marker committed before each
message goes out, recording each result and its audit entry; and, for an outbox this big, it
builds the emails ahead on a spawned process, as ``leaddesk send`` and the window do
(``sending.prebuild``).
The baseline is a bare loop doing only what any sender must: build each email with the same MIME
builder (``build_email``) and hand it to ``smtplib.sendmail`` — so the ratio is the cost of the
outbox's bookkeeping (claims, ledger writes, state changes, audit) on top of sending. Both run
with the objects made at start frozen out of the garbage collector's sight, as ``leaddesk send``
and the window run (``leaddesk.heap``).

Figures: ``send_rate`` (dispatcher), ``send_rate_baseline`` (the bare loop) and
``send_rate_ratio`` (target >= 0.8); for reference also ``send_rate_threads_baseline``: the bare
loop split over W threads (the dispatcher's parallelism without any of its bookkeeping). Then
``send_gui_worst_stall``: the longest gap between ticks of a 10 ms QTimer on the GUI thread of an
offscreen window while the composer's outbox runner sends ``GUI_COUNT`` more emails (with the
app's garbage collector on the GUI thread, ``ui.gc_guard``). Last,
``send_load_average``: the machine's 1-minute load average over the run (the two rates are
measured one after the other, so other work on a shared machine moves the ratio).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import smtplib
import socket
import sys
import tempfile
import threading
import time
import uuid
from email import policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, parser

from leaddesk.channels.base import ChannelKind, OutgoingMessage
from leaddesk.channels.email_mime import build_email
from leaddesk.heap import frozen_startup_objects
from leaddesk.sending.dispatcher import DispatcherConfig

WORKERS = DispatcherConfig().workers
GUI_COUNT = 200
PER_CONNECTION = 50
FROM = "rep@example.com"
POSTAL = "1 Example Street, Springfield"


def _serve(port_out: mp.Queue, count: mp.Value, stop: mp.Event) -> None:  # type: ignore[type-arg]
    """A counting SMTP sink (runs in a child process)."""
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            with count.get_lock():
                count.value += 1
            return "250 OK"

    with socket.socket() as probe:  # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    port_out.put(controller.port)
    stop.wait()
    controller.stop()


class SmtpSink:
    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self._ports: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
        self.count = ctx.Value("i", 0)
        self._stop = ctx.Event()
        self._proc = ctx.Process(target=_serve, args=(self._ports, self.count, self._stop))

    def __enter__(self) -> SmtpSink:
        self._proc.start()
        self.port = int(self._ports.get(timeout=30))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._proc.join(10)


def setup(root: Path, count: int, port: int):
    from leaddesk.services.app_services import AppServices
    from leaddesk.store.models import BusinessProfile, Lead

    app = AppServices.open(f"sqlite:///{root / 'bench.db'}", backup_dir=root / "backups")
    for _ in range(count // 2000 + 1):
        app.credits.purchase("professional")
    with app.store.write() as session:
        session.add(BusinessProfile(user_id=app.ctx.actor.id, company="Example Ltd",
                                    postal_address=POSTAL))
        session.add_all(Lead(first_name=f"Lee{i}", last_name="Example",
                             email=f"lead{i}@example.org", company=f"Company {i}",
                             owner_id=app.ctx.actor.id) for i in range(count))
    app.integrations.add("email", "bench", {
        "host": "127.0.0.1", "port": port, "security": "none", "from_address": FROM,
        "message_id_domain": "mail.example.com", "daily_cap": count * 2,
        "max_messages_per_connection": PER_CONNECTION,
    })
    template = app.templates.create({"channel": "email", "name": "Bench",
                                     "subject": "Hello {{ first_name }}",
                                     "body": "Hi {{ first_name }},\n\nA note for {{ company }}."})
    return app, template.id


def run_dispatcher(app, template_id: uuid.UUID, count: int) -> float:
    from sqlalchemy import select

    from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
    from leaddesk.store.models import Lead

    with app.store.read() as session:
        leads = list(session.scalars(select(Lead.id)))
    app.compose.commit(app.compose.plan("email", leads, template_id=template_id))
    dispatcher = Dispatcher(app.ctx, app.credits, app.integrations,
                            DispatcherConfig(workers=WORKERS))
    with frozen_startup_objects():  # as ``leaddesk send`` runs it
        start = time.perf_counter()
        progress = dispatcher.run_until_empty()
        seconds = time.perf_counter() - start
    if progress.sent != count:
        raise SystemExit(f"dispatcher sent {progress.sent} of {count}: {progress}")
    return seconds


def outgoing_messages(app) -> list[OutgoingMessage]:
    """The same messages the dispatcher sent (rendered subject and body, fresh ids)."""
    return [OutgoingMessage(message_id=str(uuid.uuid4()), channel=ChannelKind.EMAIL,
                            to=m.to_address, from_=FROM, subject=m.subject, body_text=m.body,
                            unsubscribe_mailto=f"{FROM}?subject=unsubscribe",
                            sender_postal_address=POSTAL)
            for m in app.messages.recent(limit=10**9)]


def run_baseline(port: int, messages: list[OutgoingMessage], threads: int = 1) -> float:
    shares = [messages[i::threads] for i in range(threads)]

    def worker(share: list[OutgoingMessage]) -> None:
        for start in range(0, len(share), PER_CONNECTION):
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as conn:
                for msg in share[start : start + PER_CONNECTION]:
                    email = build_email(msg, message_id_domain="mail.example.com")
                    conn.sendmail(FROM, [msg.to], email.as_bytes(policy=policy.SMTP))

    workers = [threading.Thread(target=worker, args=(s,)) for s in shares]
    start = time.perf_counter()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return time.perf_counter() - start


def gui_worst_stall(app, template_id: uuid.UUID, count: int) -> float:
    """Milliseconds of the longest event-loop stall while the GUI's outbox runner sends."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from leaddesk.sending.dispatcher import DispatcherConfig
    from leaddesk.store.models import Lead
    from leaddesk.ui import operations
    from leaddesk.ui.composer.outbox_panel import OutboxRunner
    from leaddesk.ui.gc_guard import GuiGarbageCollector

    qt = QApplication.instance() or QApplication([])
    with app.store.read() as session:
        leads = list(session.scalars(select(Lead.id).limit(count)))
    app.compose.commit(app.compose.plan("email", leads, template_id=template_id))
    runner = OutboxRunner.for_services(app, DispatcherConfig(workers=WORKERS))
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    loop = QEventLoop()
    runner.finished.connect(lambda _p: loop.quit())
    probe = QTimer()
    probe.setInterval(10)
    probe.timeout.connect(tick)
    collector = GuiGarbageCollector().start()  # the app's collector, on the GUI thread
    with frozen_startup_objects():  # as the app's window runs
        probe.start()
        runner.start()
        loop.exec()
        probe.stop()
    collector.stop()
    operations.shutdown(5_000)
    qt.processEvents()
    if runner.last is None or runner.last.sent != count:
        raise SystemExit(f"the GUI run sent {runner.last}")
    return max(gaps) * 1000


def main() -> None:
    global WORKERS
    cli = parser(__doc__.splitlines()[0])
    cli.add_argument("--workers", type=int, default=WORKERS, help="dispatcher worker threads")
    args = cli.parse_args()
    WORKERS = args.workers
    count = 300 if args.quick else 5000
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    with tempfile.TemporaryDirectory() as tmp, SmtpSink() as sink:
        app, template_id = setup(Path(tmp), count, sink.port)
        try:
            dispatched = run_dispatcher(app, template_id, count)
            messages = outgoing_messages(app)
            received = sink.count.value
            with frozen_startup_objects():  # the same heap as the dispatcher's run
                bare = run_baseline(sink.port, messages)
                threaded = run_baseline(sink.port, messages, WORKERS)
            stall = gui_worst_stall(app, template_id, GUI_COUNT)
        finally:
            app.close()
        expected = 3 * count + GUI_COUNT
        if received != count or sink.count.value != expected:
            raise SystemExit(f"the server counted {sink.count.value}, expected {expected}")
    emit("send_messages", count, "emails")
    emit("send_rate", count / dispatched, "emails/s")
    emit("send_rate_baseline", count / bare, "emails/s")
    emit("send_rate_ratio", bare / dispatched, "x")
    emit("send_rate_threads_baseline", count / threaded, "emails/s")
    emit("send_gui_worst_stall", stall, "ms")
    if hasattr(os, "getloadavg"):  # not on Windows
        load = (load_before + os.getloadavg()[0]) / 2
        emit("send_load_average", load, f"(1 min, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()

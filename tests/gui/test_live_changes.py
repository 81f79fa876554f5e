"""Nothing stale: the change hub brings every commit (this process's, on any thread, and
another process's) to the window once, coalesced, on the GUI thread."""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Any

from PySide6.QtCore import QThread

from leaddesk.services.app_services import AppServices
from leaddesk.services.leads.query import LeadQuery
from leaddesk.store.change_feed import Change
from leaddesk.ui.change_hub import ChangeHub
from leaddesk.ui.main_window import MainWindow


def _cli(app: AppServices, *args: str) -> str:
    """Run the ``leaddesk`` command in a process of its own against ``app``'s database."""
    url = app.ctx.store.engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-m", "leaddesk", "--db", url, *args],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_commits_on_worker_threads_arrive_once_on_the_gui_thread(qtbot: Any, demo_app) -> None:
    hub = ChangeHub(demo_app.ctx.store, watch=False)
    seen: list[tuple[Change, bool]] = []
    hub.changed.connect(lambda change: seen.append(
        (change, QThread.currentThread() is hub.thread())))
    names = [f"Worker {n}" for n in range(5)]
    threads = [threading.Thread(target=demo_app.campaigns.create, args=({"name": name},))
               for name in names]
    with qtbot.waitSignal(hub.changed, timeout=5_000):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    qtbot.wait(400)  # a burst is one emission, not five
    hub.stop()
    assert len(seen) == 1
    change, on_gui_thread = seen[0]
    assert on_gui_thread and change.touches("campaigns") and not change.external


def test_a_stopped_hub_hears_nothing(qtbot: Any, demo_app) -> None:
    hub = ChangeHub(demo_app.ctx.store, watch=False)
    hub.stop()
    demo_app.campaigns.create({"name": "After the stop"})
    qtbot.wait(300)
    assert hub.flush() is None


def test_another_process_moves_the_status_bar_and_credits_view(
    qtbot: Any, window: MainWindow
) -> None:
    credits_view = window.show_view("credits")
    qtbot.waitUntil(lambda: credits_view.balance is not None, timeout=10_000)
    before = window.balance.available
    shown_before = window.balance_label.text()

    _cli(window._services, "credits", "adjust", "250", "--reason", "correction from the CLI")

    qtbot.waitUntil(lambda: window.balance.available == before + 250, timeout=10_000)
    assert window.balance_label.text() != shown_before
    qtbot.waitUntil(lambda: credits_view.balance.available == before + 250, timeout=10_000)


def test_another_process_importing_moves_the_lead_count(
    qtbot: Any, window: MainWindow, tmp_path
) -> None:
    before = window.lead_count
    csv = tmp_path / "more.csv"
    csv.write_text("email,first_name\nnew.one@example.com,New\nnew.two@example.com,Two\n")
    _cli(window._services, "import", str(csv))
    qtbot.waitUntil(lambda: window.lead_count == before + 2, timeout=10_000)
    qtbot.waitUntil(lambda: window.leads_view.model.total == before + 2, timeout=10_000)


def test_the_window_forwards_changes_to_the_open_board_and_duplicates_dialog(
    qtbot: Any, window: MainWindow, demo_app
) -> None:
    board = window.file_actions.open_pipeline()
    qtbot.waitUntil(board.is_loaded, timeout=20_000)
    dialog = window.file_actions.open_duplicates()
    dialog.scan()
    qtbot.waitUntil(lambda: dialog.result is not None and dialog.scan_button.isEnabled(),
                    timeout=20_000)
    scanned = dialog.result
    lost = board.models["lost"].total
    lead = demo_app.leads.page(LeadQuery(statuses=("new",)), limit=1).rows[0]
    worker = threading.Thread(target=demo_app.leads.update, args=(lead.id, {"status": "lost"}))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: board.models["lost"].total == lost + 1 and board.is_loaded(),
                    timeout=10_000)
    qtbot.waitUntil(lambda: dialog.result is not scanned and dialog.scan_button.isEnabled(),
                    timeout=20_000)
    board.close()
    dialog.close()


def test_credits_spent_on_a_sender_thread_move_the_status_bar(
    qtbot: Any, window: MainWindow, demo_app
) -> None:
    before = window.balance.available

    def send() -> None:  # what the outbox's senders do: reserve, then settle
        for _ in range(3):
            demo_app.credits.consume(demo_app.credits.reserve(2, "sms").id)

    worker = threading.Thread(target=send)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: window.balance.available == before - 6, timeout=10_000)
    assert window.balance_label.text().startswith(f"Credits: {before - 6:,}")

"""Select All over a filter, then a bulk status change and its undo, in the real lead view
(offscreen), on 200,000 demo leads (--quick: 20,000); the filter matches about half.

Figures: seconds from the action to the confirmation question (the selection resolved and the
preview counted), to the change done, and from Undo to the leads restored.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, parser, run_command
from PySide6.QtWidgets import QApplication

from leaddesk.services.app_services import AppServices
from leaddesk.services.leads.query import LeadQuery, LeadSort
from leaddesk.ui import operations
from leaddesk.ui.leads.view import LeadsView

FILTER = LeadQuery(statuses=("new", "replied"))


def until(app: QApplication, done: Callable[[], object], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        app.processEvents()
        time.sleep(0.002)
        if time.monotonic() > deadline:
            raise SystemExit("timed out")


def measure(qt: QApplication, services: AppServices) -> None:
    view = LeadsView(
        services.leads,
        services.messages,
        services.activity,
        bulk=services.bulk_edit,
        lead_changes=services.lead_changes,
    )
    view.resize(1200, 700)
    view.show()
    until(qt, view.is_loaded)
    view.apply(FILTER, LeadSort())
    until(qt, lambda: view.is_loaded() and view.model.query == FILTER)
    emit("bulk_select_all_rows", view.model.total, "rows")
    view.table.selectAll()
    asked: list[float] = []
    done: list[float] = []
    view.bulk_actions.confirm = lambda _q: asked.append(time.monotonic()) or True
    view.bulk_actions.changed.connect(lambda: done.append(time.monotonic()))
    start = time.monotonic()
    view.bulk_actions.set_status("qualified")
    until(qt, lambda: done)
    emit("bulk_select_all_to_confirm", asked[0] - start, "s")
    emit("bulk_select_all_done", done[0] - start, "s")
    until(qt, view.is_loaded)
    done.clear()
    start = time.monotonic()
    view.undo_stack.undo()
    until(qt, lambda: done)
    emit("bulk_select_all_undo", done[0] - start, "s")
    until(qt, view.is_loaded)
    view.close()


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    leads = 20_000 if args.quick else 200_000
    qt = QApplication([])
    with tempfile.TemporaryDirectory(prefix="leaddesk-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        env = {**os.environ, "LEADDESK_DATA_DIR": str(Path(tmp) / "data")}
        run_command(
            [sys.executable, "-m", "leaddesk", "--db", url, "demo", "--leads", str(leads)], env=env
        )
        services = AppServices.open(url)
        try:
            measure(qt, services)
        finally:
            operations.shutdown()
            services.close()


if __name__ == "__main__":
    main()

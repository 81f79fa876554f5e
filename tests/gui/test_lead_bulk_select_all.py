"""Select All over a filter reaches bulk edit as the filter (no id read), changes exactly the
matching leads; its undo and redo run with the progress strip (no Cancel) and restore them."""

from __future__ import annotations

import threading
import time

import pytest

from leaddesk.services.leads import snapshot_restore
from leaddesk.services.leads.changes import ChangeSetService
from leaddesk.services.leads.query import LeadQuery, LeadSort
from leaddesk.ui.leads.view import LeadsView

FILTER = LeadQuery(statuses=("new",))


class GatedChanges(ChangeSetService):
    """Holds an undo half-way through its leads until the test lets it go on."""

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.gate = threading.Event()
        self.reports: list[tuple[int, int]] = []
        self.held = False

    def undo(self, change_set_id, progress=None):
        def hook(done: int, total: int) -> None:
            self.reports.append((done, total))
            # The first report from half-way on (an undo reports a key range at a time).
            halfway = total // 2 <= done < total and not self.held
            self.held = self.held or halfway
            if halfway:
                time.sleep(0.06)  # past the 50 ms between reports that reach the GUI
            if progress is not None:
                progress(done, total)
            if halfway:
                assert self.gate.wait(10), "the test never let the undo go on"

        return super().undo(change_set_id, progress=hook)


@pytest.fixture
def changes(demo_app) -> GatedChanges:
    return GatedChanges(demo_app.ctx)


@pytest.fixture
def view(qtbot, demo_app, changes) -> LeadsView:
    widget = LeadsView(
        demo_app.leads,
        demo_app.messages,
        demo_app.activity,
        bulk=demo_app.bulk_edit,
        lead_changes=changes,
    )
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(widget.is_loaded)
    widget.apply(FILTER, LeadSort())
    qtbot.waitUntil(lambda: widget.is_loaded() and widget.model.query == FILTER)
    return widget


def _statuses(demo_app) -> dict:
    rows = demo_app.leads.page(LeadQuery(), LeadSort(), limit=10_000).rows
    return {r.id: r.status for r in rows}


def test_select_all_over_a_filter_changes_exactly_its_leads_and_undo_redo_show_progress(
    qtbot, view, demo_app, changes, monkeypatch
) -> None:
    monkeypatch.setattr(snapshot_restore, "RANGE_SIZE", 50)  # several key ranges to undo
    before = _statuses(demo_app)
    matching = {i for i, status in before.items() if status == "new"}
    assert view.model.total == len(matching) > view.model.page_size  # rows never fetched
    reads: list[int] = []
    view.selection.reading.connect(reads.append)
    view.table.selectAll()
    assert view.selection.selects_all()
    questions: list[str] = []
    view.bulk_actions.confirm = lambda q: questions.append(q) or True
    with qtbot.waitSignal(view.bulk_actions.changed, timeout=20_000):
        view.bulk_actions.set_status("lost")
    count = f"{len(matching):,}"
    assert questions == [
        f"Set status to Lost — this changes {count} of the {count} selected leads. Continue?"
    ]
    assert reads == [], "Select All is handed on as the filter: no id is read"
    after = _statuses(demo_app)
    assert {i for i, status in after.items() if status != before[i]} == matching
    assert {after[i] for i in matching} == {"lost"}
    qtbot.waitUntil(view.is_loaded)

    progress: list[tuple[int, int]] = []
    view.bulk_actions.progressed.connect(lambda done, total: progress.append((done, total)))
    view.undo_stack.undo()  # runs off the GUI thread: the strip says what runs
    qtbot.waitUntil(lambda: bool(progress) and 0 < progress[-1][0] < len(matching))
    assert view.progress.isVisible()
    assert view.progress.text.text() == f"Undoing Set status to Lost ({count} leads)…"
    assert not view.progress.cancel_button.isVisible()
    assert view.progress.bar.maximum() == len(matching)
    assert view.progress.count.text() == f"{progress[-1][0]:,} of {count}"
    view.grab().save("/tmp/undo.png")
    with qtbot.waitSignal(view.bulk_actions.changed, timeout=20_000):
        changes.gate.set()
    assert progress[-1] == (len(matching), len(matching))
    assert not view.progress.isVisible() and not view.bulk_actions.running
    assert _statuses(demo_app) == before
    qtbot.waitUntil(view.is_loaded)

    progress.clear()
    with qtbot.waitSignal(view.bulk_actions.changed, timeout=20_000):
        view.undo_stack.redo()
    assert progress[-1] == (len(matching), len(matching))
    assert _statuses(demo_app) == after
    qtbot.waitUntil(view.is_loaded)


def test_a_selection_short_of_all_rows_goes_by_ids(qtbot, view, demo_app) -> None:
    view.table.selectAll()
    view.table.selectionModel().select(
        view.model.index(0, 0),
        view.table.selectionModel().SelectionFlag.Deselect
        | view.table.selectionModel().SelectionFlag.Rows,
    )
    assert not view.selection.selects_all()
    skipped = view.model.record(0).id
    view.bulk_actions.confirm = lambda _q: True
    with qtbot.waitSignal(view.bulk_actions.changed, timeout=20_000):
        view.bulk_actions.add_tag("all-but-one")
    tagged = demo_app.leads.count(LeadQuery(tags=("all-but-one",)))
    assert tagged == demo_app.leads.count(FILTER) - 1
    assert "all-but-one" not in demo_app.leads.get(skipped).tags
    qtbot.waitUntil(view.is_loaded)

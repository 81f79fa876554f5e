"""The import dialog: preview, mapping, dry run with rejected rows, import, undo, cancel."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from leaddesk.services.app_services import AppServices
from leaddesk.services.importing.errors import ImportFormatError
from leaddesk.services.importing.importer import LeadImporter
from leaddesk.services.importing.source_row import SourceRow
from leaddesk.ui.leads.import_wizard import SAMPLE_CHARS, ImportDialog, sample_values

CSV = (
    "First Name;Last Name;E-mail Address;Company\n"
    "Ada;Example;ada@example.org;Acme\n"
    "Bob;Sample;not-an-email;Acme\n"
    "Cy;Test;cy@example.org;Initech\n"
)


def _dialog(qtbot, services: AppServices) -> ImportDialog:
    dialog = ImportDialog(services.lead_import, services.lead_changes)
    qtbot.addWidget(dialog)
    return dialog


def _open(qtbot, dialog: ImportDialog, path: Path) -> None:
    dialog.open_file(path)
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.import_button.isEnabled())


def test_dry_run_import_and_undo(qtbot, demo_app: AppServices, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(CSV, encoding="utf-8")
    before = demo_app.leads.count()
    dialog = _dialog(qtbot, demo_app)
    _open(qtbot, dialog, path)
    assert "semicolon" in dialog.format_label.text()
    assert dialog.mapping()["E-mail Address"] == "email"
    email_row = dialog.preview.headers.index("E-mail Address")
    examples = dialog.mapping_table.item(email_row, dialog.COL_SAMPLE).text()
    assert examples == "ada@example.org · not-an-email · cy@example.org"
    dialog.set_target("Company", None)

    dialog.start(dry_run=True)
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.import_button.isEnabled())
    assert dialog.report.dry_run and dialog.report.created == 2
    assert dialog.rejected_table.rowCount() == 1
    assert dialog.rejected_table.item(0, 0).text() == "3"
    assert dialog.rejected_table.item(0, 1).text() == "email"
    assert demo_app.leads.count() == before

    with qtbot.waitSignal(dialog.imported):
        dialog.start(dry_run=False)
    qtbot.waitUntil(lambda: dialog.undo_button.isEnabled())
    assert demo_app.leads.count() == before + 2
    assert not dialog.import_button.isEnabled()  # no accidental second import
    with qtbot.waitSignal(dialog.imported):
        dialog.undo_import()
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled())
    assert demo_app.leads.count() == before


def test_cancel_writes_nothing(qtbot, demo_app: AppServices, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rows = "".join(f"P{i};Q{i};p{i}@example.org;Co\n" for i in range(60_000))
    path.write_text(CSV.splitlines()[0] + "\n" + rows, encoding="utf-8")
    before = demo_app.leads.count()
    dialog = _dialog(qtbot, demo_app)
    _open(qtbot, dialog, path)
    operation = dialog.start(dry_run=False)
    assert dialog.cancel_button.isVisibleTo(dialog)
    dialog.cancel()
    qtbot.waitUntil(lambda: operation.is_done)
    assert "Cancelled" in dialog.summary_label.text()
    assert demo_app.leads.count() == before


def test_bad_file_shows_message(qtbot, demo_app: AppServices, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    dialog = _dialog(qtbot, demo_app)
    dialog.open_file(path)
    qtbot.waitUntil(lambda: dialog.summary_label.text() != "")
    assert dialog.preview is None and not dialog.import_button.isEnabled()


def test_file_menu_import_drop_and_export(qtbot, demo_app: AppServices, settings, tmp_path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    from leaddesk.ui.main_window import MainWindow

    window = MainWindow(demo_app, settings)
    qtbot.addWidget(window)
    actions = window.file_actions
    assert actions.import_action.shortcut().toString() == "Ctrl+I"

    path = tmp_path / "dropped.csv"
    path.write_text(CSV, encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    assert actions.eventFilter(window, drop)
    dialog = actions.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.import_button.isEnabled())
    assert dialog.path == path
    dialog.close()

    out = tmp_path / "out.csv"
    results = []
    operation = actions.export(out, done=results.append)
    qtbot.waitUntil(lambda: operation.is_done, timeout=20_000)
    assert results and results[0].rows == demo_app.leads.count()
    assert out.read_text(encoding="utf-8").count("\n") >= results[0].rows

    from leaddesk.services.leads.query import LeadQuery

    window.leads_view.model.set_query(LeadQuery(statuses=("won",)))
    results.clear()
    operation = actions.export(tmp_path / "won.csv", done=results.append)
    qtbot.waitUntil(lambda: operation.is_done, timeout=20_000)
    assert results[0].rows == demo_app.leads.count(LeadQuery(statuses=("won",)))


def test_sample_values_are_distinct_short_and_from_readable_rows() -> None:
    long = "word " * 30
    rows = [
        SourceRow(2, {"Name": "Ada", "Notes": ""}),
        SourceRow(3, {"Name": "Ada", "Notes": "two\nlines"}),
        SourceRow(4, {"Name": "Bad"}, (ImportFormatError(None, 4, "Name", "broken"),)),
        SourceRow(5, {"Name": "Bob", "Notes": long}),
        SourceRow(6, {"Name": "Cy", "Notes": "x"}),
        SourceRow(7, {"Name": "Dee", "Notes": "y"}),
    ]
    samples = sample_values(rows, ["Name", "Notes", "Empty"])
    assert samples["Name"] == ["Ada", "Bob", "Cy"]  # distinct, capped, the bad row left out
    assert samples["Notes"][0] == "two lines"
    assert len(samples["Notes"][1]) == SAMPLE_CHARS and samples["Notes"][1].endswith("…")
    assert samples["Empty"] == []


class _GatedImporter(LeadImporter):
    """Stops at a gate while the indexes are built (``at="indexing"``) or right after the last
    cancel check, when the commit follows (``at="commit"``), until the test opens it."""

    def __init__(self, ctx: Any, at: str) -> None:
        super().__init__(ctx)
        self.at, self.reached, self.release = at, threading.Event(), threading.Event()

    def _stop(self) -> None:
        self.reached.set()
        assert self.release.wait(10)

    def import_file(self, *args: Any, indexing: Any = None, cancel: Any = None, **kw: Any):
        told: list[int] = []

        def gated_indexing(rows: int) -> None:
            indexing(rows)
            told.append(rows)
            if self.at == "indexing":
                self._stop()

        def gated_cancel() -> bool:
            answer = cancel()
            if told and self.at == "commit":
                self._stop()
            return answer

        return super().import_file(*args, indexing=gated_indexing, cancel=gated_cancel, **kw)


def _gated_import(qtbot, app: AppServices, tmp_path: Path, at: str):
    path = tmp_path / "leads.csv"
    path.write_text(CSV, encoding="utf-8")
    importer = _GatedImporter(app.ctx, at)
    dialog = ImportDialog(importer, app.lead_changes)
    qtbot.addWidget(dialog)
    _open(qtbot, dialog, path)
    operation = dialog.start(dry_run=False)
    qtbot.waitUntil(importer.reached.is_set)
    dialog.cancel()
    importer.release.set()
    qtbot.waitUntil(lambda: operation.is_done)
    return dialog


def test_cancel_while_indexing_imports_nothing(qtbot, demo_app: AppServices, tmp_path) -> None:
    before = demo_app.leads.count()
    dialog = _gated_import(qtbot, demo_app, tmp_path, "indexing")
    assert "Cancelled: nothing was imported" in dialog.summary_label.text()
    assert demo_app.leads.count() == before


def test_cancel_while_committing_is_too_late(qtbot, demo_app: AppServices, tmp_path) -> None:
    """The import commits: the dialog says so (not "nothing was imported") and offers undo."""
    before = demo_app.leads.count()
    dialog = _gated_import(qtbot, demo_app, tmp_path, "commit")
    assert "Imported." in dialog.summary_label.text()
    assert demo_app.leads.count() == before + 2
    assert dialog.undo_button.isVisibleTo(dialog)

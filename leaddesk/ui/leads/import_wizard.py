"""The import dialog: a file, its column mapping, a duplicate policy and a region; a dry run that
shows what would happen (with the rejected rows), the import with progress and a real Cancel,
and "Undo this import" afterwards.

All reading and writing is done by ``LeadImporter`` and ``ChangeSetService`` off the GUI thread.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.importing import CsvSource, detect_format, guess_mapping, open_source
from leaddesk.services.importing.importer import ImportReport, LeadImporter
from leaddesk.services.importing.source_row import SourceRow
from leaddesk.services.leads.changes import ChangeSetService
from leaddesk.services.leads.fields import CANONICAL_FIELDS, EXTRA_MAPPING_TARGETS
from leaddesk.ui import file_dialogs, formatting, widgets
from leaddesk.ui.operations import OpContext, Operation, Progress, op

POLICIES = ("skip", "update", "create")
TARGETS = ("full_name", *CANONICAL_FIELDS, "id")
assert set(TARGETS) == set(CANONICAL_FIELDS) | set(EXTRA_MAPPING_TARGETS)
#: The rows read for example values, and how many values a column shows.
SAMPLE_ROWS = 50
SAMPLES_PER_COLUMN = 3
SAMPLE_CHARS = 40
#: The progress text of the import's last stage (every row written, the indexes being built).
INDEXING = "indexing"


@dataclass(frozen=True, slots=True)
class FilePreview:
    """What the wizard shows about a file before importing it."""

    format: str
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: dict[str, str | None]
    remembered: bool
    #: a few distinct values of each column from the file's first rows, to map by
    samples: dict[str, list[str]] = field(default_factory=dict)


def sample_values(rows: Iterable[SourceRow], headers: list[str]) -> dict[str, list[str]]:
    """Up to ``SAMPLES_PER_COLUMN`` distinct non-blank values per header from the first
    ``SAMPLE_ROWS`` readable rows, each on one line and shortened to ``SAMPLE_CHARS``."""
    samples: dict[str, list[str]] = {h: [] for h in headers}
    for row in itertools.islice(rows, SAMPLE_ROWS):
        if row.issues:
            continue
        for header, value in row.values.items():
            shown = " ".join(value.split())
            if len(shown) > SAMPLE_CHARS:
                shown = shown[: SAMPLE_CHARS - 1] + "…"
            column = samples.get(header)
            if column is None or not shown or shown in column:
                continue
            if len(column) < SAMPLES_PER_COLUMN:
                column.append(shown)
    return samples


def preview_file(importer: LeadImporter, path: Path) -> FilePreview:
    """Headers, example values, detected format and the mapping to start from (remembered,
    else guessed)."""
    kind = detect_format(path)
    with open_source(path) as source:
        headers = list(source.headers)
        encoding = delimiter = ""
        if isinstance(source, CsvSource):
            encoding, delimiter = source.stats.encoding, source.stats.delimiter
        samples = sample_values(source, headers)
    if kind == "vcard":
        mapping: dict[str, str | None] = {h: h for h in headers}
        return FilePreview(kind, encoding, delimiter, headers, mapping, False, samples)
    stored = importer.remembered_mapping(headers)
    mapping = dict(stored) if stored else dict(guess_mapping(headers))
    return FilePreview(kind, encoding, delimiter, headers, mapping, stored is not None, samples)


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(delimiter, delimiter)


class ImportDialog(QDialog):
    """File > Import…: pick, map, dry run, import, undo."""

    imported = Signal()  # the leads changed (an import or its undo)

    COL_HEADER, COL_SAMPLE, COL_TARGET = 0, 1, 2
    REJ_LINE, REJ_FIELD, REJ_REASON = 0, 1, 2

    def __init__(
        self,
        importer: LeadImporter,
        changes: ChangeSetService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import leads"))
        self.resize(760, 640)
        self._importer = importer
        self._changes = changes
        self.path: Path | None = None
        self.preview: FilePreview | None = None
        self.report: ImportReport | None = None
        self.operation: Operation[object] | None = None
        self._last_change_set: uuid.UUID | None = None
        self._imported = False  # Import waits for another file (or an undo) after a real import
        # A Cancel pressed while the import commits would be a lie ("nothing was imported"):
        # the worker's last cancel check and a press of Cancel take this lock in turn.
        self._commit_lock = threading.Lock()
        self._indexing = False
        self._committing = False
        self._running_head = ""

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText(self.tr("Choose a CSV, XLSX or vCard file…"))
        self.browse_button = QPushButton(self.tr("&Choose file…"))
        self.browse_button.clicked.connect(self.browse)
        top.addWidget(self.path_edit, 1)
        top.addWidget(self.browse_button)
        layout.addLayout(top)
        self.format_label = widgets.muted()
        layout.addWidget(self.format_label)

        layout.addWidget(widgets.section(self.tr("Columns")))
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels(
            [self.tr("Column in file"), self.tr("Example values"), self.tr("Import as")]
        )
        self.mapping_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.mapping_table.setWordWrap(False)
        self.mapping_table.verticalHeader().hide()
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.mapping_table, 2)

        form = QFormLayout()
        self.policy_combo = QComboBox()
        for policy, label in zip(
            POLICIES,
            (
                self.tr("Skip them"),
                self.tr("Update the existing lead"),
                self.tr("Create a new lead"),
            ),
            strict=True,
        ):
            self.policy_combo.addItem(label, policy)
        self.region_edit = QLineEdit()
        self.region_edit.setMaxLength(2)
        self.region_edit.setPlaceholderText(self.tr("e.g. GB (default: your setting or the OS)"))
        self.policy_combo.setMaximumWidth(320)
        self.region_edit.setMaximumWidth(320)
        form.addRow(self.tr("Duplicates:"), self.policy_combo)
        form.addRow(self.tr("Phone region:"), self.region_edit)
        layout.addLayout(form)

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        self.rejected_table = QTableWidget(0, 3)
        self.rejected_table.setHorizontalHeaderLabels(
            [self.tr("Line"), self.tr("Field"), self.tr("Why rejected")]
        )
        header = self.rejected_table.horizontalHeader()
        header.setSectionResizeMode(self.REJ_REASON, QHeaderView.ResizeMode.Stretch)
        self.rejected_table.verticalHeader().hide()
        self.rejected_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rejected_table.hide()
        layout.addWidget(self.rejected_table, 1)

        self.progress_bar = QProgressBar()
        self.progress_bar.hide()
        layout.addWidget(self.progress_bar)

        buttons = QHBoxLayout()
        self.undo_button = QPushButton(self.tr("&Undo this import"))
        self.undo_button.clicked.connect(self.undo_import)
        self.undo_button.hide()
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        self.dry_run_button = QPushButton(self.tr("&Dry run"))
        self.dry_run_button.clicked.connect(lambda: self.start(dry_run=True))
        self.import_button = QPushButton(self.tr("&Import"))
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(lambda: self.start(dry_run=False))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        for button in (self.dry_run_button, self.import_button, self.cancel_button,
                       self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._set_busy(False)

    # -- the file --------------------------------------------------------------------------------
    def browse(self) -> None:
        path = file_dialogs.open_file(
            self, self.tr("Import leads"),
            self.tr("Lead files (*.csv *.txt *.tsv *.xlsx *.vcf *.vcard);;All files (*)"),
        )
        if path:
            self.open_file(path)

    def open_file(self, path: Path) -> Operation[FilePreview]:
        self.path = path
        self.path_edit.setText(str(path))
        self.preview = None
        self.report = None
        self._imported = False
        self.undo_button.hide()
        self.format_label.setText(self.tr("Reading…"))
        self._clear_results()
        self._set_busy(True)
        importer = self._importer
        operation = (
            op(lambda: preview_file(importer, path), parent=self)
            .success(self._show_preview)
            .failure(self._show_failure)
            .finished(lambda: self._set_busy(False))
        )
        self.operation = operation  # type: ignore[assignment]
        return operation.run()

    def _show_preview(self, preview: FilePreview) -> None:
        self.preview = preview
        parts = [preview.format.upper()]
        if preview.encoding:
            parts.append(preview.encoding)
        if preview.delimiter:
            parts.append(self.tr("%1-separated").replace("%1", _delimiter_name(preview.delimiter)))
        parts.append(formatting.plural(len(preview.headers), "column"))
        if preview.remembered:
            parts.append(self.tr("mapping remembered from last time"))
        self.format_label.setText(" · ".join(parts))
        self.mapping_table.setRowCount(len(preview.headers))
        for row, name in enumerate(preview.headers):
            item = QTableWidgetItem(name)
            self.mapping_table.setItem(row, self.COL_HEADER, item)
            values = preview.samples.get(name, [])
            sample = QTableWidgetItem(" · ".join(values) if values else self.tr("(empty)"))
            sample.setToolTip("\n".join(values))
            if not values:
                sample.setForeground(self.palette().placeholderText())
            self.mapping_table.setItem(row, self.COL_SAMPLE, sample)
            combo = QComboBox()
            combo.addItem(self.tr("(don't import)"), None)
            for target in TARGETS:
                combo.addItem(target.replace("_", " "), target)
            combo.setCurrentIndex(max(0, combo.findData(preview.mapping.get(name))))
            combo.setEnabled(preview.format != "vcard")
            self.mapping_table.setCellWidget(row, self.COL_TARGET, combo)

    def mapping(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for row in range(self.mapping_table.rowCount()):
            combo = self.mapping_table.cellWidget(row, self.COL_TARGET)
            assert isinstance(combo, QComboBox)
            out[self.mapping_table.item(row, self.COL_HEADER).text()] = combo.currentData()
        return out

    def set_target(self, header: str, target: str | None) -> None:
        for row in range(self.mapping_table.rowCount()):
            if self.mapping_table.item(row, self.COL_HEADER).text() == header:
                combo = self.mapping_table.cellWidget(row, self.COL_TARGET)
                assert isinstance(combo, QComboBox)
                combo.setCurrentIndex(combo.findData(target))
                return
        raise KeyError(header)

    # -- dry run and import --------------------------------------------------------------------
    def start(self, dry_run: bool) -> Operation[ImportReport] | None:
        if self.preview is None or self.path is None:
            return None
        path, importer = self.path, self._importer
        mapping = self.mapping() if self.preview.format != "vcard" else None
        policy = self.policy_combo.currentData()
        region = self.region_edit.text().strip().upper() or None

        def work(ctx: OpContext) -> ImportReport:
            def indexing(done: int) -> None:
                self._indexing = True
                ctx.progress(done, done, INDEXING)

            def cancelled() -> bool:  # asked once after indexing: then the commit follows
                with self._commit_lock:
                    if ctx.cancelled:
                        return True
                    self._committing = self._indexing
                    return False

            return importer.import_file(
                path, mapping, dry_run=dry_run, on_duplicate=policy, region=region,
                progress=lambda done: ctx.progress(done, None, ""),
                indexing=indexing,
                cancel=cancelled,
            )

        self._indexing = self._committing = False
        self._clear_results()
        self._running_head = self.tr("Checking the file…") if dry_run else self.tr("Importing…")
        self.summary_label.setText(self._running_head)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self._set_busy(True, cancellable=True)
        operation = (
            op(work, parent=self, context=True)
            .success(self._show_report)
            .failure(self._show_failure)
            .progress(self._show_progress)
            .finished(self._finished)
        )
        self.operation = operation  # type: ignore[assignment]
        return operation.run()

    def _show_progress(self, progress: Progress) -> None:
        """The rows read so far beside the busy bar (a busy bar draws no text)."""
        if progress.text == INDEXING:
            text = self.tr("%1 rows read · building the search index and indexes…")
        else:
            text = self.tr("%1 rows read")
        rows = text.replace("%1", f"{progress.done:,}")
        self.summary_label.setText(f"{self._running_head} {rows}")

    def cancel(self) -> None:
        """Stop the running import (nothing is written), unless it is already committing."""
        with self._commit_lock:
            if self._committing or self.operation is None or self.operation.is_done:
                return
            self.operation.cancel()
        self.summary_label.setText(self.tr("Cancelling…"))

    def _finished(self) -> None:
        operation = self.operation
        self.progress_bar.hide()
        self._set_busy(False)
        if operation is not None and operation.is_cancelled:
            self.summary_label.setText(self.tr("Cancelled: nothing was imported."))

    def _show_report(self, report: ImportReport) -> None:
        self.report = report
        head = self.tr("Dry run — nothing written yet.") if report.dry_run else self.tr(
            "Imported.")
        counts = self.tr(
            "%1 created · %2 updated · %3 skipped · %4 rejected · %5 blank rows"
        )
        for number, value in enumerate(
            (report.created, report.updated, report.skipped, report.rejected_total, report.blank),
            start=1,
        ):
            counts = counts.replace(f"%{number}", f"{value:,}")
        self.summary_label.setText(f"<b>{head}</b> {counts}")
        self.rejected_table.setRowCount(len(report.rejected))
        for row, rejected in enumerate(report.rejected):
            line = QTableWidgetItem()
            line.setData(Qt.ItemDataRole.DisplayRole, rejected.line)
            self.rejected_table.setItem(row, self.REJ_LINE, line)
            self.rejected_table.setItem(row, self.REJ_FIELD, QTableWidgetItem(rejected.field))
            reason = QTableWidgetItem(rejected.reason)
            reason.setToolTip(rejected.reason)
            self.rejected_table.setItem(row, self.REJ_REASON, reason)
        self.rejected_table.setVisible(bool(report.rejected))
        if not report.dry_run:
            self._last_change_set = report.change_set_id
            self._imported = True
            self.undo_button.setVisible(report.change_set_id is not None)
            self.undo_button.setEnabled(True)
            self.imported.emit()

    def _show_failure(self, exc: BaseException) -> None:
        self.format_label.setText(self.format_label.text())
        self.summary_label.setText(f"<span style='color:#b3261e'>{_escape(str(exc))}</span>")

    # -- undo ------------------------------------------------------------------------------------
    def undo_import(self) -> Operation[object] | None:
        change_set = self._last_change_set
        if change_set is None:
            return None
        changes = self._changes
        self._set_busy(True)
        operation = (
            op(lambda: changes.undo(change_set), parent=self)
            .success(self._undone)
            .failure(self._show_failure)
            .finished(lambda: self._set_busy(False))
        )
        self.operation = operation
        return operation.run()

    def _undone(self, _report: object) -> None:
        self._last_change_set = None
        self._imported = False
        self.undo_button.setEnabled(False)
        self.summary_label.setText(self.tr("The import was undone."))
        self.imported.emit()

    # -- state -----------------------------------------------------------------------------------
    def _clear_results(self) -> None:
        self.summary_label.clear()
        self.rejected_table.setRowCount(0)
        self.rejected_table.hide()

    def _set_busy(self, busy: bool, cancellable: bool = False) -> None:
        ready = not busy and self.preview is not None
        self.dry_run_button.setEnabled(ready and not self._imported)
        self.import_button.setEnabled(ready and not self._imported)
        self.undo_button.setEnabled(not busy and self._last_change_set is not None)
        self.browse_button.setEnabled(not busy)
        self.cancel_button.setVisible(busy and cancellable)
        self.close_button.setEnabled(not busy)

    def reject(self) -> None:
        if self.operation is not None and not self.operation.is_done:
            self.cancel()
            return
        super().reject()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

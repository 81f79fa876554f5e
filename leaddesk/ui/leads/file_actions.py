"""File > Import…, File > Export…, Leads > Find duplicates… and View > Pipeline board for the
main window, and dropping a lead file on it.

The window hands this object the services; it owns those actions, opens the import dialog
(also when a file is dropped on the window) and runs exports off the GUI thread with their
progress in the status bar and a Cancel. The dialogs, the board and the exporter are imported
when first used, so the window's menus cost no more than their actions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QPushButton

from leaddesk.ui import file_dialogs
from leaddesk.ui.errors import show_error
from leaddesk.ui.formatting import plural
from leaddesk.ui.operations import OpContext, Operation, op
from leaddesk.ui.widgets import close_on_escape

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.exporting import ExportResult
    from leaddesk.services.leads.query import LeadQuery
    from leaddesk.ui.leads.duplicates_dialog import DuplicatesDialog
    from leaddesk.ui.leads.import_wizard import ImportDialog
    from leaddesk.ui.leads.kanban import KanbanView

IMPORT_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".xlsx", ".vcf", ".vcard"})


def droppable_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
    """The one local lead file a drag carries, if it carries exactly that."""
    mime = event.mimeData()
    if not mime.hasUrls() or len(mime.urls()) != 1:
        return None
    url = mime.urls()[0]
    if not url.isLocalFile():
        return None
    path = Path(url.toLocalFile())
    return path if path.suffix.lower() in IMPORT_SUFFIXES else None


class LeadFileActions(QObject):
    """``leadsChanged`` after an import, a merge or a move on the board; the board reloads on
    it and on ``refresh_pipeline`` (the window calls it when the lead table changed leads)."""

    leadsChanged = Signal()

    def __init__(
        self,
        services: AppServices,
        window: QMainWindow,
        current_query: Callable[[], LeadQuery] | None = None,
    ) -> None:
        """``current_query``: the lead table's filter and search, which an export follows."""
        super().__init__(window)
        self._services = services
        self._current_query = current_query
        self._window = window
        self.dialog: ImportDialog | None = None
        self.export_operation: Operation[ExportResult] | None = None

        self.import_action = QAction(self.tr("&Import…"), window)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(lambda: self.open_import())
        self.export_action = QAction(self.tr("&Export…"), window)
        self.export_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.export_action.triggered.connect(lambda: self.choose_export())
        self.duplicates_action = QAction(self.tr("Find &duplicates…"), window)
        self.duplicates_action.triggered.connect(lambda: self.open_duplicates())
        self.duplicates_dialog: DuplicatesDialog | None = None
        self.pipeline_action = QAction(self.tr("&Pipeline board"), window)
        self.pipeline_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.pipeline_action.triggered.connect(lambda: self.open_pipeline())
        self.pipeline: KanbanView | None = None
        self.leadsChanged.connect(self.refresh_pipeline)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def open_duplicates(self) -> DuplicatesDialog:
        if self.duplicates_dialog is None:
            from leaddesk.ui.leads.duplicates_dialog import DuplicatesDialog

            services = self._services
            self.duplicates_dialog = DuplicatesDialog(
                services.duplicates, services.leads, services.lead_changes, self._window
            )
            self.duplicates_dialog.leadsChanged.connect(self.leadsChanged)
        self.duplicates_dialog.show()
        self.duplicates_dialog.raise_()
        return self.duplicates_dialog

    def open_pipeline(self) -> KanbanView:
        """The pipeline board, in a window of its own beside the lead table."""
        if self.pipeline is None:
            from leaddesk.ui.leads.kanban import KanbanView

            self.pipeline = KanbanView(self._services.leads, parent=self._window,
                                       current_query=self._current_query)
            self.pipeline.setWindowFlag(Qt.WindowType.Window, True)
            close_on_escape(self.pipeline)
            self.pipeline.leadsChanged.connect(self.leadsChanged)
        else:
            self.pipeline.refresh()
        self.pipeline.show()
        self.pipeline.raise_()
        return self.pipeline

    def refresh_pipeline(self) -> None:
        """Leads changed: the open board reloads its columns (a closed one when reopened)."""
        if self.pipeline is not None:
            self.pipeline.schedule_refresh()

    # -- import ----------------------------------------------------------------------------------
    def open_import(self, path: Path | None = None) -> ImportDialog:
        if self.dialog is None:
            from leaddesk.ui.leads.import_wizard import ImportDialog

            self.dialog = ImportDialog(
                self._services.lead_import, self._services.lead_changes, self._window
            )
            self.dialog.imported.connect(self.leadsChanged)
        self.dialog.show()
        self.dialog.raise_()
        if path is not None:
            self.dialog.open_file(path)
        return self.dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window:
            if event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
                if droppable_file(event) is not None:  # type: ignore[arg-type]
                    event.acceptProposedAction()  # type: ignore[attr-defined]
                    return True
            elif event.type() == QEvent.Type.Drop:
                path = droppable_file(event)  # type: ignore[arg-type]
                if path is not None:
                    event.acceptProposedAction()  # type: ignore[attr-defined]
                    self.open_import(path)
                    return True
        return super().eventFilter(watched, event)

    # -- export ----------------------------------------------------------------------------------
    def choose_export(self) -> None:
        path = file_dialogs.save_file(
            self._window, self.tr("Export leads"), "leads.csv",
            self.tr("CSV (*.csv);;Excel workbook (*.xlsx);;vCard (*.vcf)"),
        )
        if path:
            self.export(path)

    def export(
        self, path: Path, done: Callable[[ExportResult], object] | None = None
    ) -> Operation[ExportResult]:
        from leaddesk.services.exporting.exporter import export_leads

        ctx = self._services.ctx
        query = self._current_query() if self._current_query is not None else None
        status = self._window.statusBar()
        cancel = QPushButton(self.tr("Cancel export"))
        cancel.setFlat(True)
        status.addWidget(cancel)

        def work(op_ctx: OpContext) -> ExportResult:
            return export_leads(
                ctx, path, query=query,
                progress=lambda n: op_ctx.progress(n, None, ""),
                cancel=lambda: op_ctx.cancelled,
            )

        def succeeded(result: ExportResult) -> None:
            status.showMessage(
                self.tr("Exported %1 to %2").replace("%1", plural(result.rows, "lead"))
                .replace("%2", path.name), 8000)
            if done is not None:
                done(result)

        def finished() -> None:
            status.removeWidget(cancel)
            cancel.deleteLater()
            if operation.is_cancelled:
                status.showMessage(self.tr("Export cancelled; no file was written."), 8000)

        operation: Operation[ExportResult] = (
            op(work, parent=self, context=True)
            .success(succeeded)
            .failure(lambda exc: show_error(self._window, exc))
            .progress(lambda p: status.showMessage(
                self.tr("Exporting… %1 leads").replace("%1", f"{p.done:,}")))
            .finished(finished)
        )
        cancel.clicked.connect(operation.cancel)
        self.export_operation = operation
        return operation.run()


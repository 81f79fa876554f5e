"""Do-not-contact list… (Messages menu): every suppressed email, phone and LinkedIn address with
why and when it was added; add one by hand with a reason and a note, or remove the selected."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.messaging.suppression import REASONS, SuppressionRecord, SuppressionService
from leaddesk.store.change_feed import Change
from leaddesk.ui import formatting
from leaddesk.ui.operations import op
from leaddesk.ui.suppression.model import SuppressionTableModel
from leaddesk.ui.widgets import FieldErrors, error_label, muted


class SuppressionDialog(QDialog):
    """Emits ``settled`` after each load, add or remove (tests wait for it)."""

    settled = Signal()

    def __init__(self, suppression: SuppressionService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Do-not-contact list"))
        self.resize(860, 540)
        self._service = suppression
        self.model = SuppressionTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 90), (2, 110), (3, 160)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.count = muted()

        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("Email, phone or LinkedIn URL"))
        self.reason = QComboBox()
        for reason in REASONS:
            self.reason.addItem(formatting.label(reason), reason)
        self.reason.setCurrentIndex(self.reason.findData("manual"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("Why (optional)"))
        self.add_button = QPushButton(self.tr("&Add"))
        self.add_button.setProperty("primary", True)
        self.add_button.clicked.connect(self.add)
        self.address.returnPressed.connect(self.add)
        self.remove_button = QPushButton(self.tr("&Remove selected"))
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.remove_selected)
        self.general_error = error_label()
        self.errors = FieldErrors({}, self.general_error)

        adder = QGridLayout()
        adder.addWidget(self.address, 0, 0)
        adder.addWidget(self.reason, 0, 1)
        adder.addWidget(self.note, 0, 2)
        adder.addWidget(self.add_button, 0, 3)
        adder.setColumnStretch(0, 3)
        adder.setColumnStretch(2, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addLayout(adder)
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        service = self._service
        op(service.list, parent=self).success(self._loaded).failure(self._refused).run()

    def on_changes(self, change: Change) -> None:
        """Addresses suppressed elsewhere (an unsubscribe, a bounce, the CLI): list again."""
        if change.touches("suppressions"):
            self.reload()

    def _loaded(self, rows: list[SuppressionRecord]) -> None:
        self.model.set_rows(rows)
        self.count.setText(self.tr("%1 addresses must not be contacted.").replace(
            "%1", formatting.number(len(rows))) if rows else self.tr(
            "Nobody is on the list. Unsubscribes and hard bounces land here."))
        self.settled.emit()

    def add(self) -> None:
        self.errors.clear()
        address, reason, note = self.address.text(), self.reason.currentData(), self.note.text()
        if not address.strip():
            self.errors.show("", self.tr("Type the address to add."))
            return
        service = self._service
        (
            op(lambda: service.add(address, reason=str(reason), note=note), parent=self)
            .success(self._added).failure(self._refused).run()
        )

    def _added(self, _record: SuppressionRecord) -> None:
        self.address.clear()
        self.note.clear()
        self.reload()

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.remove_button.setEnabled(self.table.selectionModel().hasSelection())

    def selected_ids(self) -> list[uuid.UUID]:
        rows = self.table.selectionModel().selectedRows()
        return [r.id for r in (self.model.record(i.row()) for i in rows) if r is not None]

    def remove_selected(self) -> None:
        ids, service = self.selected_ids(), self._service
        if not ids:
            return

        def remove() -> None:
            for suppression_id in ids:
                service.remove(suppression_id)

        op(remove, parent=self).success(lambda _r: self.reload()).failure(self._refused).run()

    def _refused(self, exc: BaseException) -> None:
        self.errors.show_error(exc)
        self.settled.emit()

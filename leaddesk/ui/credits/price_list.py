"""The admin's price list: what each action costs, edited in a table and published as a new
version (later charges use it; every charge keeps the version it was priced with)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.credits import pricing
from leaddesk.services.credits.ledger import CreditService
from leaddesk.services.credits.pricing import MAX_ACTION_COST, PriceList
from leaddesk.services.errors import ValidationError
from leaddesk.ui import formatting
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import FieldErrors, error_label, muted, section

AnyIndex = QModelIndex | QPersistentModelIndex
CHANGED_BACKGROUND = "#eff6ff"
ERROR_BACKGROUND = "#fee2e2"


class PriceListModel(QAbstractTableModel):
    """One row per action: its label, its published cost and the cost being edited."""

    COL_ACTION = 0
    COL_CURRENT = 1
    COL_NEW = 2
    COLUMN_COUNT = 3

    ActionRole = Qt.ItemDataRole.UserRole + 1  # the action's key, e.g. "sms"

    edited = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, str, int]] = []  # (action, label, published cost)
        self._edits: dict[str, int] = {}
        self._error: str | None = None
        self.version: int | None = None

    def set_prices(self, prices: PriceList) -> None:
        self.beginResetModel()
        self.version = prices.version
        self._rows = [
            (action, prices.labels.get(action, formatting.label(action)), cost)
            for action, cost in prices.actions.items()
        ]
        self._edits = {}
        self._error = None
        self.endResetModel()
        self.edited.emit()

    def changes(self) -> dict[str, int]:
        """Action -> new cost, for the costs that differ from the published ones."""
        published = {action: cost for action, _label, cost in self._rows}
        return {a: c for a, c in self._edits.items() if published.get(a) != c}

    def label(self, action: str) -> str:
        return next((lbl for a, lbl, _c in self._rows if a == action), formatting.label(action))

    def published(self, action: str) -> int | None:
        return next((c for a, _l, c in self._rows if a == action), None)

    def row_of(self, action: str) -> int:
        return next((i for i, (a, _l, _c) in enumerate(self._rows) if a == action), -1)

    def set_error(self, action: str | None) -> None:
        """Mark the row of ``action`` as refused (None: no row)."""
        rows = [self.row_of(a) for a in (self._error, action) if a]
        self._error = action
        for row in rows:
            if row >= 0:
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.COLUMN_COUNT - 1))

    # -- Qt model API ----------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < self.COLUMN_COUNT:
            if role == Qt.ItemDataRole.DisplayRole:
                return (self.tr("Action"), self.tr("Credits now"), self.tr("New credits"))[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section != self.COL_ACTION:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return super().headerData(section, orientation, role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == self.COL_NEW:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        action, label, cost = self._rows[index.row()]
        new = self._edits.get(action, cost)
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (label, formatting.number(cost), formatting.number(new))[col]
        if role == Qt.ItemDataRole.EditRole:
            return (label, cost, new)[col]
        if role == self.ActionRole:
            return action
        if role == Qt.ItemDataRole.TextAlignmentRole and col != self.COL_ACTION:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        changed = new != cost
        if role == Qt.ItemDataRole.FontRole and col == self.COL_NEW and changed:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            if action == self._error:
                return QColor(ERROR_BACKGROUND)
            if changed:
                return QColor(CHANGED_BACKGROUND)
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_NEW:
            return self.tr("Double-click to change what %1 costs").replace("%1", label)
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or index.column() != self.COL_NEW
            or role != Qt.ItemDataRole.EditRole
            or isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= index.row() < len(self._rows)
        ):
            return False
        action = self._rows[index.row()][0]
        self._edits[action] = value
        if action == self._error:
            self._error = None
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.COL_NEW))
        self.edited.emit()
        return True


class CostDelegate(QStyledItemDelegate):
    """A spin box limited to what the price list accepts."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        editor = QSpinBox(parent)
        editor.setRange(0, MAX_ACTION_COST)
        editor.setGroupSeparatorShown(True)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        return editor


class PriceListDialog(QDialog):
    """``published(price list)`` after a new version was published."""

    published = Signal(object)

    def __init__(self, credits: CreditService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Price list"))
        self.setMinimumSize(600, 500)
        self._credits = credits
        self._loading = True
        self._publishing = False
        self.confirmation: QMessageBox | None = None

        self.model = PriceListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(PriceListModel.COL_NEW, CostDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(PriceListModel.COL_ACTION, QHeaderView.ResizeMode.Stretch)
        for col in (PriceListModel.COL_CURRENT, PriceListModel.COL_NEW):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(col, 110)

        self.version_label = muted(self.tr("Reading the price list…"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("e.g. SMS costs more from January"))
        self.note.setMaxLength(500)
        self.error = error_label()
        self.errors = FieldErrors({}, self.error)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.publish_button = QPushButton(self.tr("Publish…"))
        self.publish_button.setProperty("primary", True)
        self.buttons.addButton(self.publish_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Note"), self.note)
        layout = QVBoxLayout(self)
        layout.addWidget(section(self.tr("Credits per action")))
        layout.addWidget(self.version_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(
            muted(
                self.tr(
                    "Double-click a figure in “New credits” to change it. Publishing makes "
                    "a new version: later charges use it, past charges keep theirs."
                )
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.model.edited.connect(self._update)
        self._update()
        self.load()

    def load(self) -> None:
        credits = self._credits

        def read() -> tuple[PriceList, list[tuple[int, str, Any]]]:
            return credits.reload_prices(), pricing.versions(credits.store)

        self._loading = True
        self._update()
        (
            op(read, parent=self)
            .success(lambda result: self._show(*result))
            .failure(lambda exc: self.errors.show("", str(exc)))
            .finished(self._loaded)
            .run()
        )

    def _loaded(self) -> None:
        self._loading = False
        self._update()

    def reject(self) -> None:
        """Not while the change runs: its outcome must reach the view (Esc and Cancel wait)."""
        if not self._publishing:
            super().reject()

    def is_loaded(self) -> bool:
        return not self._loading and not self._publishing

    def _show(self, prices: PriceList, versions: list[tuple[int, str, Any]]) -> None:
        self.model.set_prices(prices)
        current = next((v for v in versions if v[0] == prices.version), None)
        text = self.tr("Version %1").replace("%1", str(prices.version))
        if current is not None:
            _version, note, created = current
            if created is not None:
                text += self.tr(", published %1").replace("%1", formatting.date_time(created))
            if note:
                text += f" — {note}"
        self.version_label.setText(text)

    def _update(self) -> None:
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setEnabled(not self._publishing)
        changes = self.model.changes()
        version = self.model.version
        if version is None:
            self.publish_button.setText(self.tr("Publish…"))
        else:
            self.publish_button.setText(
                self.tr("Publish version %1…").replace("%1", str(version + 1))
            )
        self.publish_button.setEnabled(bool(changes) and not self._loading and not self._publishing)

    def change_lines(self) -> list[str]:
        model = self.model
        return [
            f"{model.label(action)}: {model.published(action)} → {cost}"
            for action, cost in self.model.changes().items()
        ]

    def confirm(self) -> QMessageBox | None:
        """Ask before publishing; the new version is published on "Publish"."""
        self.errors.clear()
        changes = self.model.changes()
        if not changes or self.model.version is None:
            return None
        version = self.model.version + 1
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Publish prices"),
            self.tr("Publish price list version %1?").replace("%1", str(version)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(
            "\n".join(self.change_lines())
            + "\n\n"
            + self.tr("Charges from now on use the new prices.")
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Publish"))
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(
            lambda: self.publish(changes, self.note.text().strip())
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.open()
        self.confirmation = box
        return box

    def publish(self, changes: dict[str, int], note: str) -> None:
        credits = self._credits
        self._publishing = True
        self._update()
        (
            op(lambda: credits.publish_prices(changes, note), parent=self)
            .success(self._published)
            .failure(self._refused)
            .finished(self._publish_done)
            .run()
        )

    def _publish_done(self) -> None:
        self._publishing = False
        self._update()

    def _published(self, prices: PriceList) -> None:
        self.published.emit(prices)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError) and self.model.row_of(exc.field) >= 0:
            self.model.set_error(exc.field)
            self.errors.show("", f"{self.model.label(exc.field)}: {exc.message}")
            self.table.scrollTo(self.model.index(self.model.row_of(exc.field), 0))
        elif isinstance(exc, ValidationError) and exc.field == "prices":
            self.errors.show(
                "",
                self.tr(
                    "Another admin published a new version meanwhile; "
                    "it is shown now. Make your changes again."
                ),
            )
            self.load()
        else:
            self.errors.show("", str(exc))

"""The lead table widget: its columns' widths, the status badges, sorting by the database, and
which columns show (chosen from the header's menu, remembered in the settings)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QPoint, QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from leaddesk.ui.leads.model import LeadTableModel
from leaddesk.ui.widgets import BadgeDelegate

_COLUMN_WIDTHS = {
    LeadTableModel.COL_FIRST_NAME: 100,
    LeadTableModel.COL_LAST_NAME: 110,
    LeadTableModel.COL_COMPANY: 150,
    LeadTableModel.COL_STATUS: 120,
    LeadTableModel.COL_SCORE: 60,
    LeadTableModel.COL_EMAIL: 260,
    LeadTableModel.COL_TITLE: 170,
    LeadTableModel.COL_COUNTRY: 70,
    LeadTableModel.COL_UPDATED: 110,
}


class LeadTable(QTableView):
    """``settings``: where the column choice is remembered (None remembers nothing)."""

    def __init__(
        self,
        model: LeadTableModel,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._settings = settings
        self.setObjectName("LeadTable")
        self.setModel(model)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(30)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        # The header asks its selection model whether each column is selected on every paint,
        # which visits every selected row: seconds after Select All on 100,000 leads. It
        # highlights nothing, so it gets a selection model of its own that stays empty.
        header.setSelectionModel(QItemSelectionModel(model, header))
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        for column, width in _COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        self.setItemDelegateForColumn(
            LeadTableModel.COL_STATUS, BadgeDelegate(LeadTableModel.StatusRole, self)
        )
        # Set the indicator before enabling sorting, so enabling it does not reload.
        header.setSortIndicator(LeadTableModel.COL_UPDATED, Qt.SortOrder.DescendingOrder)
        self.setSortingEnabled(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._popup_column_menu)
        self._restore_columns()

    def _restore_columns(self) -> None:
        if self._settings is None:
            return
        saved = str(self._settings.value("leads/columns", "") or "")
        if saved:
            self.set_visible_columns(tuple(saved.split(",")), remember=False)

    def visible_columns(self) -> tuple[str, ...]:
        header = self.horizontalHeader()
        return tuple(
            column.field for number, column in enumerate(self._model.COLUMNS)
            if not header.isSectionHidden(number)
        )

    def set_visible_columns(self, fields: tuple[str, ...], remember: bool = True) -> None:
        """Show the columns named (all when empty); at least one stays visible."""
        header = self.horizontalHeader()
        wanted = set(fields) or {c.field for c in self._model.COLUMNS}
        for number, column in enumerate(self._model.COLUMNS):
            header.setSectionHidden(number, column.field not in wanted)
        if not self.visible_columns():
            header.setSectionHidden(0, False)
        if remember and self._settings is not None:
            self._settings.setValue("leads/columns", ",".join(self.visible_columns()))

    def column_menu(self) -> QMenu:
        menu = QMenu(self)
        visible = self.visible_columns()
        for number, column in enumerate(self._model.COLUMNS):
            title_text = self._model.headerData(number, Qt.Orientation.Horizontal)
            action = menu.addAction(str(title_text))
            action.setCheckable(True)
            action.setChecked(column.field in visible)
            action.setEnabled(not (column.field in visible and len(visible) == 1))
            action.toggled.connect(
                lambda on, field=column.field: self._toggle_column(field, on)
            )
        return menu

    def _popup_column_menu(self, pos: QPoint) -> None:
        menu = self.column_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.horizontalHeader().mapToGlobal(pos))

    def _toggle_column(self, field: str, on: bool) -> None:
        fields = [f for f in self.visible_columns() if f != field]
        if on:
            fields.append(field)
        self.set_visible_columns(tuple(fields))

"""Where the rep is in a table (selected rows, current row, scroll position), kept across a
reload the rep did not ask for: a change from elsewhere must not throw them back to the top."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelection, QItemSelectionModel
from PySide6.QtWidgets import QTableView


@dataclass(frozen=True, slots=True)
class TablePlace:
    """Row ranges (top, bottom) selected, the current row and column, both scroll values."""

    ranges: tuple[tuple[int, int], ...]
    current: tuple[int, int]
    scroll: tuple[int, int]

    @classmethod
    def of(cls, table: QTableView) -> TablePlace:
        selection = table.selectionModel().selection()
        current = table.currentIndex()
        return cls(
            ranges=tuple((r.top(), r.bottom()) for r in selection if r.isValid()),
            current=(current.row(), current.column()) if current.isValid() else (-1, -1),
            scroll=(table.verticalScrollBar().value(), table.horizontalScrollBar().value()),
        )

    def restore(self, table: QTableView) -> None:
        """Put the selection and scroll back, rows past the (new) end dropped."""
        model = table.model()
        rows, columns = model.rowCount(), model.columnCount()
        selection_model = table.selectionModel()
        row, column = self.current
        if 0 <= row < rows and 0 <= column < columns:
            selection_model.setCurrentIndex(
                model.index(row, column), QItemSelectionModel.SelectionFlag.NoUpdate)
        selection = QItemSelection()
        for top, bottom in self.ranges:
            if top < rows and columns:
                selection.select(model.index(top, 0),
                                 model.index(min(bottom, rows - 1), columns - 1))
        if not selection.isEmpty():
            selection_model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        table.verticalScrollBar().setValue(self.scroll[0])
        table.horizontalScrollBar().setValue(self.scroll[1])

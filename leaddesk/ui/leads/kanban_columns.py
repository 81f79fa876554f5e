"""The pipeline board's columns: the cards of one status as a lazy list model
(``KanbanColumnModel``: rows loaded so far, the next keyset cursor, the status's total), a card
delegate, and the column widget with its header (status and total) and "more below" note."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.leads.query import Cursor, LeadPage
from leaddesk.services.leads.service import LeadRecord
from leaddesk.ui import formatting, widgets

MIME = "application/x-leaddesk-lead-ids"
LEAD_ROLE = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex


class KanbanColumnModel(QAbstractListModel):
    """The cards of one status: rows loaded so far and whether more can be fetched."""

    moreWanted = Signal(object)  # the cursor of the next page
    moveRequested = Signal(object, str)  # lead id, this column's status

    def __init__(self, status: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.status = status
        self.rows: list[LeadRecord] = []
        self.cursor: Cursor | None = None
        self.total = 0
        self.loading = False

    # -- data ------------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        lead = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            second = " · ".join(p for p in (lead.company, lead.title) if p)
            return f"{lead.full_name or lead.email or '(no name)'}\n{second or lead.email}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(p for p in (lead.full_name, lead.email, lead.company) if p)
        if role == LEAD_ROLE:
            return lead
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | \
            Qt.ItemFlag.ItemIsDragEnabled

    # -- paging ----------------------------------------------------------------------------------
    def set_page(self, page: LeadPage, total: int) -> None:
        self.beginResetModel()
        self.rows = list(page.rows)
        self.cursor = page.next_cursor
        self.total = total
        self.loading = False
        self.endResetModel()

    def append_page(self, page: LeadPage) -> None:
        self.loading = False
        known = {r.id for r in self.rows}
        new = [r for r in page.rows if r.id not in known]
        self.cursor = page.next_cursor
        if new:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self.rows.extend(new)
            self.endInsertRows()

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and self.cursor is not None and not self.loading

    def fetchMore(self, parent: AnyIndex) -> None:
        if self.canFetchMore(parent):
            self.loading = True
            self.moreWanted.emit(self.cursor)

    # -- moving cards ----------------------------------------------------------------------------
    def take(self, lead_id: uuid.UUID) -> LeadRecord | None:
        for row, lead in enumerate(self.rows):
            if lead.id == lead_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.rows[row]
                self.total = max(0, self.total - 1)  # before the header reads it
                self.endRemoveRows()
                return lead
        return None

    def put_first(self, lead: LeadRecord) -> None:
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.rows.insert(0, lead)
        self.total += 1  # before the header reads it
        self.endInsertRows()

    # -- drag and drop ---------------------------------------------------------------------------
    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        ids = [str(self.rows[i.row()].id) for i in indexes if i.isValid()]
        mime.setData(MIME, QByteArray(",".join(ids).encode()))
        return mime

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: AnyIndex) -> bool:
        return data.hasFormat(MIME)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: AnyIndex) -> bool:
        if not data.hasFormat(MIME):
            return False
        text = bytes(data.data(MIME).data()).decode()
        mine = {r.id for r in self.rows}
        for part in filter(None, text.split(",")):
            lead_id = uuid.UUID(part)
            if lead_id not in mine:
                self.moveRequested.emit(lead_id, self.status)
        return False  # the board moves the card once the database says so


class CardDelegate(QStyledItemDelegate):
    """A lead as a small rounded card: name in bold, company and title below, elided."""

    PAD = 8

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        line = option.fontMetrics.height()
        return QSize(160, 2 * line + 2 * self.PAD + 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        lead = index.data(LEAD_ROLE)
        if lead is None:
            return
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        card = QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(palette.highlight().color() if selected else palette.mid().color(),
                            2 if selected else 1))
        painter.setBrush(palette.base())
        painter.drawRoundedRect(card, 6, 6)
        text = option.rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        metrics = option.fontMetrics
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setPen(palette.text().color())
        painter.setFont(bold)
        name = lead.full_name or lead.email or "(no name)"
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         QFontMetrics(bold).elidedText(name, Qt.TextElideMode.ElideRight,
                                                       text.width()))
        painter.setFont(option.font)
        painter.setPen(palette.placeholderText().color())
        second = " · ".join(p for p in (lead.company, lead.title) if p) or lead.email
        painter.drawText(text.adjusted(0, metrics.height() + 2, 0, 0),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         metrics.elidedText(second, Qt.TextElideMode.ElideRight, text.width()))
        painter.restore()


class KanbanColumn(QFrame):
    def __init__(self, model: KanbanColumnModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kanbanColumn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.header)
        self.list = QListView()
        self.list.setModel(model)
        self.list.setDragEnabled(True)
        self.list.setAcceptDrops(True)
        self.list.setDropIndicatorShown(True)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.list.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.list.setSpacing(3)
        self.list.setUniformItemSizes(True)
        self.list.setWordWrap(False)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setItemDelegate(CardDelegate(self.list))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(self.list, 1)
        self.more = widgets.muted()
        layout.addWidget(self.more)
        self.setMinimumWidth(180)
        self.setMaximumWidth(280)
        self._scroll = 0
        model.modelAboutToBeReset.connect(self._keep_scroll)
        model.modelReset.connect(self._restore_scroll)
        model.modelReset.connect(self.update_header)
        model.rowsInserted.connect(self.update_header)
        model.rowsRemoved.connect(self.update_header)
        self.update_header()

    def _keep_scroll(self) -> None:
        self._scroll = self.list.verticalScrollBar().value()

    def _restore_scroll(self) -> None:
        self.list.verticalScrollBar().setValue(self._scroll)

    def update_header(self) -> None:
        model = self.model
        self.header.setText(
            f"<b>{formatting.label(model.status)}</b> "
            f"<span style='color:#6b7280'>{formatting.number(model.total)}</span>"
        )
        left = model.total - len(model.rows)
        self.more.setText(
            self.tr("%1 more below").replace("%1", formatting.number(left))
            if left > 0 else ""
        )

"""``CampaignListModel``: the campaigns as a list, and the delegate that draws each row."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from leaddesk.services.campaigns.service import CampaignRecord
from leaddesk.ui import formatting

AnyIndex = QModelIndex | QPersistentModelIndex


class CampaignListModel(QAbstractListModel):
    RecordRole = Qt.ItemDataRole.UserRole + 1
    IdRole = Qt.ItemDataRole.UserRole + 2
    StatusRole = Qt.ItemDataRole.UserRole + 3
    SortKeyRole = Qt.ItemDataRole.UserRole + 4  # the name, case-folded

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CampaignRecord] = []

    def set_campaigns(self, campaigns: list[CampaignRecord]) -> None:
        self.beginResetModel()
        self._rows = list(campaigns)
        self.endResetModel()

    def record(self, row: int) -> CampaignRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, campaign_id: uuid.UUID) -> int | None:
        for row, campaign in enumerate(self._rows):
            if campaign.id == campaign_id:
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        campaign = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return campaign.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return campaign.goal or None
        if role == self.RecordRole:
            return campaign
        if role == self.IdRole:
            return campaign.id
        if role == self.StatusRole:
            return campaign.status
        if role == self.SortKeyRole:
            return campaign.name.casefold()
        return None


class CampaignDelegate(QStyledItemDelegate):
    """Two lines per campaign: the name, then a status badge, the budget and the industry."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        campaign = index.data(CampaignListModel.RecordRole)
        if campaign is None:
            super().paint(painter, option, index)
            return
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""
        widget = plain.widget
        if widget is not None:
            widget.style().drawControl(
                QStyle.ControlElement.CE_ItemViewItem, plain, painter, widget
            )
        rect = option.rect.adjusted(12, 8, -12, -8)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))  # light or dark theme
        line = QFontMetrics(bold).height()
        name = QFontMetrics(bold).elidedText(campaign.name, Qt.TextElideMode.ElideRight,
                                             rect.width())
        painter.drawText(QRect(rect.x(), rect.y(), rect.width(), line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        painter.setFont(option.font)
        metrics = QFontMetrics(option.font)
        text = formatting.label(campaign.status)
        fg, bg = formatting.badge_colours(campaign.status)
        badge = QRectF(rect.x(), rect.y() + line + 5, metrics.horizontalAdvance(text) + 14,
                       metrics.height() + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(bg))
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        painter.setPen(QColor(fg))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        meta = " · ".join(
            p for p in (formatting.credits(campaign.budget_credits), campaign.industry) if p
        )
        painter.setPen(QColor(formatting.MUTED))
        meta_rect = QRect(int(badge.right()) + 8, int(badge.y()),
                          rect.right() - int(badge.right()) - 8, int(badge.height()))
        painter.drawText(meta_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(meta, Qt.TextElideMode.ElideRight, meta_rect.width()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(200, metrics.height() * 2 + 26)

"""The templates as a Qt list: each row one template, its name and channel."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from leaddesk.services.messaging.templates import TemplateRecord
from leaddesk.ui import formatting

AnyIndex = QModelIndex | QPersistentModelIndex


class TemplateListModel(QAbstractListModel):
    RecordRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._templates: list[TemplateRecord] = []

    def set_templates(self, templates: Sequence[TemplateRecord]) -> None:
        self.beginResetModel()
        self._templates = list(templates)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._templates)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._templates):
            return None
        template = self._templates[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{template.name}  ·  {formatting.channel_label(template.channel)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return template.subject or template.body[:200]
        if role == self.RecordRole:
            return template
        return None

    def record(self, row: int) -> TemplateRecord | None:
        return self._templates[row] if 0 <= row < len(self._templates) else None

    def row_of(self, template_id: uuid.UUID) -> int:
        return next((i for i, t in enumerate(self._templates) if t.id == template_id), -1)

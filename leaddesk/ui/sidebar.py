"""The navigation column on the left: the product name and one entry per view."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from leaddesk.ui import theme


class Sidebar(QWidget):
    """Emits ``selected(row)`` when the user picks a view."""

    selected = Signal(int)

    def __init__(self, entries: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        """``entries``: (icon name, label) per view, in the order of the view stack."""
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFixedWidth(200)
        brand = QLabel("LeadDesk")
        brand.setObjectName("Brand")
        self.list = QListWidget()
        self.list.setObjectName("SidebarList")
        self.list.setIconSize(QSize(18, 18))
        for icon_name, label in entries:
            item = QListWidgetItem(theme.icon(icon_name), label, self.list)
            item.setSizeHint(QSize(0, 40))  # style sheet padding does not size list items
        self.list.currentRowChanged.connect(self.selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 12)
        layout.setSpacing(0)
        layout.addWidget(brand)
        layout.addWidget(self.list, 1)
        self.footer = QLabel()
        self.footer.setObjectName("BrandSub")
        self.footer.setWordWrap(True)
        layout.addWidget(self.footer)

    def set_current(self, row: int) -> None:
        if self.list.currentRow() != row:
            self.list.setCurrentRow(row)

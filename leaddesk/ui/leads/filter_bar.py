"""The row above the lead table: search (debounced), a Filters button with a panel, chips
naming the active filters, saved views, and the match count."""

from __future__ import annotations

import uuid
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from leaddesk.services.leads.query import LeadQuery
from leaddesk.ui import formatting
from leaddesk.ui.leads.filter_panel import LeadFilterPanel
from leaddesk.ui.widgets import elided_combo


def describe(query: LeadQuery, names: dict[uuid.UUID, str] | None = None) -> list[str]:
    """Short texts, one per active filter (the search excluded), for the chips; ``names``
    of owners and campaigns by id."""
    names = names or {}
    chips: list[str] = []
    if query.statuses:
        chips.append(", ".join(formatting.label(s) for s in query.statuses))
    if query.score_min is not None or query.score_max is not None:
        low = "0" if query.score_min is None else str(query.score_min)
        high = "100" if query.score_max is None else str(query.score_max)
        chips.append(f"Score {low}–{high}")
    for label, values in (
        ("Tags", query.tags), ("Industry", query.industries), ("Country", query.countries)
    ):
        if values:
            chips.append(f"{label}: {', '.join(values)}")
    for label, ids in (("Owner", query.owner_ids), ("Campaign", query.campaign_ids)):
        if ids:
            known = [names[i] for i in ids if i in names]
            chips.append(f"{label}: {', '.join(known)}" if len(known) == len(ids) else label)
    for label, start, end in (
        ("Created", query.created_from, query.created_to),
        ("Updated", query.updated_from, query.updated_to),
    ):
        if start or end:
            chips.append(f"{label} {start.date() if start else '…'}–"
                         f"{end.date() if end else '…'}")
    return chips


class LeadFilterBar(QWidget):
    """Emits ``queryChanged(LeadQuery)`` once typing pauses for ``debounce_ms`` or filters apply.

    Saved views: ``viewChosen(str)`` when one is picked, ``saveViewRequested``,
    ``deleteViewRequested(str)``; the owner does the service calls.
    """

    queryChanged = Signal(object)
    viewChosen = Signal(str)
    saveViewRequested = Signal()
    deleteViewRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None, debounce_ms: int = 300) -> None:
        super().__init__(parent)
        self._query = LeadQuery()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search name, email or company"))
        self.search.setToolTip(
            self.tr("Finds leads whose name, email, company, title or notes contain every "
                    "word (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)

        self.panel = LeadFilterPanel()
        self.filters_button = QToolButton()
        self.filters_button.setText(self.tr("Filters"))
        self.filters_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.filters_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._menu = QMenu(self.filters_button)
        action = QWidgetAction(self._menu)
        action.setDefaultWidget(self.panel)
        self._menu.addAction(action)
        self.filters_button.setMenu(self._menu)

        self.views = elided_combo()
        self.views.setMinimumWidth(150)
        self.views.setToolTip(self.tr("Saved views"))
        self.views_button = QToolButton()
        self.views_button.setText(self.tr("Views"))
        self.views_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        views_menu = QMenu(self.views_button)
        self.save_view_action = views_menu.addAction(self.tr("Save current view…"))
        self.delete_view_action = views_menu.addAction(self.tr("Delete this view"))
        self.views_button.setMenu(views_menu)
        self.set_views([])

        for button in (self.filters_button, self.views_button):
            # The arrow is part of the text: the style's menu indicator overlaps it.
            button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
            button.setMinimumHeight(self.views.sizeHint().height())
        self.views_button.setText(self.tr("Views ▾"))

        self.count = QLabel()
        self.count.setProperty("role", "muted")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.chips = QWidget()
        self._chips_layout = QHBoxLayout(self.chips)
        self._chips_layout.setContentsMargins(0, 0, 0, 0)
        self._chips_layout.setSpacing(6)
        self.chips.hide()

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(8)
        top.addWidget(self.search, 2)
        top.addWidget(self.filters_button)
        top.addWidget(self.views)
        top.addWidget(self.views_button)
        top.addStretch(1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.chips)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._emit)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._emit)
        self.panel.applied.connect(self._on_applied)
        self._menu.aboutToShow.connect(lambda: self.panel.set_query(self._query))
        self.views.activated.connect(self._on_view_activated)
        self.save_view_action.triggered.connect(self.saveViewRequested)
        self.delete_view_action.triggered.connect(
            lambda: self.deleteViewRequested.emit(self.current_view())
        )
        self._show_chips()  # the button's text with its arrow

    # -- the query -------------------------------------------------------------------------------
    def query(self) -> LeadQuery:
        return replace(self._query, search=self.search.text().strip())

    def set_query(self, query: LeadQuery, emit: bool = True) -> None:
        """Show ``query`` (its search too) and, by default, emit it."""
        self._query = replace(query, search="")
        self.search.blockSignals(True)
        self.search.setText(query.search)
        self.search.blockSignals(False)
        self._show_chips()
        if emit:
            self._emit()

    def is_filtered(self) -> bool:
        return self.query() != LeadQuery()

    def set_status(self, status: str) -> None:
        self.set_query(replace(self.query(), statuses=(status,) if status else ()))

    def _on_applied(self, query: LeadQuery) -> None:
        self._menu.close()
        self.set_query(replace(query, search=self.search.text().strip()))

    def _emit(self) -> None:
        self._debounce.stop()
        self.queryChanged.emit(self.query())

    def _show_chips(self) -> None:
        while self._chips_layout.count():
            item = self._chips_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        texts = self.chip_texts()
        for text in texts:
            chip = QLabel(text)
            chip.setObjectName("FilterChip")
            chip.setStyleSheet(
                "#FilterChip { border: 1px solid palette(mid); border-radius: 10px;"
                " padding: 2px 8px; }"
            )
            self._chips_layout.addWidget(chip)
        if texts:
            clear = QToolButton()
            clear.setText(self.tr("Clear filters"))
            clear.setAutoRaise(True)
            clear.clicked.connect(lambda: self.set_query(LeadQuery(search=self.search.text())))
            self._chips_layout.addWidget(clear)
        self._chips_layout.addStretch(1)
        self.chips.setVisible(bool(texts))
        self.filters_button.setText(
            self.tr("Filters (%1) ▾").replace("%1", str(len(texts))) if texts
            else self.tr("Filters ▾")
        )

    def chip_texts(self) -> list[str]:
        return describe(self._query, self.panel.names())

    # -- saved views -----------------------------------------------------------------------------
    def set_views(self, names: list[str], current: str = "") -> None:
        self.views.blockSignals(True)
        self.views.clear()
        self.views.addItem(self.tr("All leads"), "")
        for name in names:
            self.views.addItem(name, name)
        self.views.setCurrentIndex(max(0, self.views.findData(current)))
        self.views.blockSignals(False)
        self.delete_view_action.setEnabled(bool(current))

    def current_view(self) -> str:
        return self.views.currentData() or ""

    def _on_view_activated(self, _index: int) -> None:
        self.delete_view_action.setEnabled(bool(self.current_view()))
        self.viewChosen.emit(self.current_view())

    # -- the count -------------------------------------------------------------------------------
    def show_count(self, total: int) -> None:
        if self.is_filtered():
            text = self.tr("1 matching lead") if total == 1 else self.tr("%1 matching leads")
        else:
            text = self.tr("1 lead") if total == 1 else self.tr("%1 leads")
        self.count.setText(text.replace("%1", formatting.number(total)))

    def show_loading(self) -> None:
        self.count.setText(self.tr("Loading…"))

"""The credits view's usage card: credits used per day, stacked by action, over the range
chosen (30, 90 or 365 days), with a legend. The chart (pyqtgraph, see ``chart.py``) is built
with the first figures, so the view opens without importing it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QVBoxLayout

from leaddesk.services.credits.history import DailyUsage
from leaddesk.ui.credits.usage import RANGES, legend_html
from leaddesk.ui.widgets import Card, muted, section

if TYPE_CHECKING:
    from leaddesk.ui.credits.chart import UsageChart


class UsageCard(Card):
    """Emits ``rangeChosen(days)`` when the user picks a range; ``labels`` names the actions
    in the legend (shared with the view, which updates it when prices change)."""

    rangeChosen = Signal(int)

    def __init__(self, labels: dict[str, str], days: int) -> None:
        super().__init__()
        self._labels = labels
        self.chart: UsageChart | None = None
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        self.chart_title = section(self._title(days))
        self.chart_title.setToolTip(self.tr("Credits used per day, stacked by action"))
        head.addWidget(self.chart_title, 1)
        self.legend = muted()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.range_buttons: dict[int, QPushButton] = {}
        group = QButtonGroup(self)
        for shown in RANGES:
            button = QPushButton(self.tr("%1 d").replace("%1", str(shown)))
            button.setToolTip(self.tr("The last %1 days").replace("%1", str(shown)))
            button.setCheckable(True)
            button.setChecked(shown == days)
            button.clicked.connect(lambda _checked=False, d=shown: self.rangeChosen.emit(d))
            group.addButton(button)
            head.addWidget(button)
            self.range_buttons[shown] = button
        layout.addLayout(head)
        layout.addWidget(self.legend)
        layout.addStretch(1)
        self.setStyleSheet(  # the theme has no checked buttons: mark the range shown
            "QPushButton:checked { background: #dbeafe; border-color: #3b82f6; color: #1d4ed8; }"
        )

    def _title(self, days: int) -> str:
        return self.tr("Daily use, last %1 days").replace("%1", str(days))

    def show_range(self, days: int) -> None:
        """Mark ``days`` as the range shown (its figures follow with :meth:`show_usage`)."""
        self.range_buttons[days].setChecked(True)
        self.chart_title.setText(self._title(days))

    def show_usage(self, usage: DailyUsage) -> None:
        if self.chart is None:
            from leaddesk.ui.credits.chart import UsageChart

            self.chart = UsageChart()
            self._layout.takeAt(2)  # the stretch that kept the heading up without a chart
            self._layout.insertWidget(2, self.chart, 1)
        self.chart.set_usage(usage)
        self.legend.setText(legend_html(usage, self._labels) or self.tr("No use in this period"))

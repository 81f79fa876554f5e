"""Credits spent per day over the last weeks, as a small pyqtgraph bar chart.

Imported when the credits view first shows figures: pyqtgraph (and numpy) cost a fifth of a
second at start-up that the other views do not need.
"""

from __future__ import annotations

import datetime as dt

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

ACCENT = "#3b82f6"


class UsageChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="#ffffff")
        self.setMinimumHeight(150)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        plot = self.getPlotItem()
        plot.showGrid(x=False, y=True, alpha=0.15)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen("#d1d5db"))
            axis.setTextPen(pg.mkPen("#6b7280"))
        plot.getAxis("left").setWidth(36)
        self._bars: pg.BarGraphItem | None = None
        self.days: list[tuple[dt.date, int]] = []

    def set_usage(self, days: list[tuple[dt.date, int]]) -> None:
        self.days = days
        plot = self.getPlotItem()
        if self._bars is not None:
            plot.removeItem(self._bars)
        xs = list(range(len(days)))
        heights = [credits for _day, credits in days]
        self._bars = pg.BarGraphItem(
            x=xs, height=heights, width=0.7, brush=pg.mkBrush(ACCENT), pen=pg.mkPen(None)
        )
        plot.addItem(self._bars)
        ticks = [(i, day.strftime("%d %b")) for i, (day, _c) in enumerate(days)
                 if (len(days) - 1 - i) % 7 == 0]
        plot.getAxis("bottom").setTicks([ticks, []])
        plot.setXRange(-0.6, max(len(days) - 0.4, 0.4), padding=0)
        plot.setYRange(0, max([*heights, 1]) * 1.15, padding=0)

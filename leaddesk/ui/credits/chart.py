"""Credits used per day, stacked by action type, as a pyqtgraph bar chart (30/90/365 days).

Imported when the credits view first shows figures: pyqtgraph (and numpy) cost a fifth of a
second at start-up that the other views do not need. The figures come aggregated from the
database (``CreditHistory.usage_by_day``), so a year of heavy use costs one small query.
"""

from __future__ import annotations

import datetime as dt

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from leaddesk.services.credits.history import DailyUsage
from leaddesk.ui.credits.usage import colour, tick_every

ACCENT = "#3b82f6"


class UsageChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="#ffffff")
        self.setMinimumHeight(100)
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
        self._bars: list[pg.BarGraphItem] = []
        #: ``(day, total credits)`` per day, oldest first, as drawn.
        self.days: list[tuple[dt.date, int]] = []
        self.usage: DailyUsage | None = None

    def set_usage(self, usage: DailyUsage) -> None:
        """Draw one bar per day, a segment per action stacked on the ones before it."""
        self.usage = usage
        plot = self.getPlotItem()
        for item in self._bars:
            plot.removeItem(item)
        self._bars = []
        n = len(usage.days)
        xs = list(range(n))
        bottom = [0] * n
        width = 0.8 if n <= 90 else 1.0
        for i, action in enumerate(usage.actions):
            heights = usage.credits[action]
            bars = pg.BarGraphItem(
                x=xs, height=heights, y0=list(bottom), width=width,
                brush=pg.mkBrush(colour(i)), pen=pg.mkPen(None),
            )  # fmt: skip
            plot.addItem(bars)
            self._bars.append(bars)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        self.days = list(zip(usage.days, bottom, strict=True))
        every = tick_every(n)
        ticks = [(i, day.strftime("%d %b")) for i, day in enumerate(usage.days)
                 if (n - 1 - i) % every == 0]  # fmt: skip
        plot.getAxis("bottom").setTicks([ticks, []])
        plot.setXRange(-0.6, max(n - 0.4, 0.4), padding=0)
        plot.setYRange(0, max([*bottom, 1]) * 1.2, padding=0)

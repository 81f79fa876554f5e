"""What the usage chart shows, without pyqtgraph: the ranges offered, a colour per action and
the legend (the figures themselves come aggregated from ``CreditHistory.usage_by_day``)."""

from __future__ import annotations

import html

from leaddesk.services.credits.history import DailyUsage

#: The chart's ranges, in days.
RANGES = (30, 90, 365)
#: One colour per action, in the order the actions are stacked (bottom first).
PALETTE = ("#3b82f6", "#10b981", "#f59e0b", "#8b5cf6", "#ef4444", "#06b6d4", "#ec4899", "#84cc16")


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def legend_html(usage: DailyUsage, labels: dict[str, str]) -> str:
    """A one-line legend (coloured squares and action names) for a label above the chart."""
    parts = [
        f'<span style="color:{colour(i)}">&#9632;</span>&nbsp;'
        f"{html.escape(labels.get(action, action))}"
        for i, action in enumerate(usage.actions)
    ]
    return "&nbsp;&nbsp; ".join(parts)


def tick_every(days: int) -> int:
    """Days between labels on the date axis."""
    return 7 if days <= 31 else 14 if days <= 92 else 30

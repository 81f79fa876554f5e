"""The credits view's transaction filters: a date range, an action, whose credits (an admin
may pick a member or everyone), whether refunds show and whether the raw ledger does (else one
line per action); as a :class:`LedgerFilter` for the table, the chart and the export."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from leaddesk.services.credits.history import LedgerFilter
from leaddesk.ui import formatting
from leaddesk.ui.widgets import NO_DATE, elided_combo, optional_date_edit

EVERYONE = "*"


def _local_midnight(day: QDate) -> dt.datetime:
    return dt.datetime(day.year(), day.month(), day.day()).astimezone()


class LedgerFilters(QWidget):
    """Emits ``changed`` when a filter changes. ``admin``: the member choice shows; ``me``:
    the user's id, left out of the members offered (``My credits`` is there)."""

    changed = Signal()

    def __init__(self, admin: bool, me: uuid.UUID, labels: dict[str, str]) -> None:
        super().__init__()
        self._admin = admin
        self._me = str(me)
        self._labels = labels
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(8)
        self.since_edit = optional_date_edit(self.tr("any day"))
        self.until_edit = optional_date_edit(self.tr("any day"))
        bar.addWidget(QLabel(self.tr("From")))
        bar.addWidget(self.since_edit)
        bar.addWidget(QLabel(self.tr("to")))
        bar.addWidget(self.until_edit)
        self.action_combo = QComboBox()
        self.action_combo.addItem(self.tr("All actions"), "")
        bar.addWidget(self.action_combo)
        self.user_combo = elided_combo()
        self.user_combo.addItem(self.tr("My credits"), "")
        if admin:
            self.user_combo.addItem(self.tr("Everyone"), EVERYONE)
        self.user_combo.setVisible(admin)
        bar.addWidget(self.user_combo)
        self.refunds_check = QCheckBox(self.tr("Refunds"))
        self.refunds_check.setToolTip(self.tr("Show refunds in the list"))
        self.refunds_check.setChecked(True)
        bar.addWidget(self.refunds_check)
        self.raw_check = QCheckBox(self.tr("Raw ledger"))
        self.raw_check.setToolTip(self.tr(
            "Every ledger line as stored: a send's reservation and the consumption or release "
            "that settles it as two lines (otherwise one line per action)"))
        bar.addWidget(self.raw_check)
        bar.addStretch(1)
        for combo in (self.action_combo, self.user_combo):
            combo.currentIndexChanged.connect(self.changed)
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(self.changed)
        self.refunds_check.toggled.connect(self.changed)
        self.raw_check.toggled.connect(self.changed)

    def ledger_filter(self) -> LedgerFilter:
        """The filter the controls describe (the table, the chart and the export use it)."""
        since, until = self.since_edit.date(), self.until_edit.date()
        user = self.user_combo.currentData() or None
        action = self.action_combo.currentData()
        return LedgerFilter(
            since=None if since == NO_DATE else _local_midnight(since),
            until=None if until == NO_DATE else _local_midnight(until.addDays(1)),
            actions=(action,) if action else (),
            user=None if user in (None, EVERYONE) else uuid.UUID(user),
            all_users=user == EVERYONE,
            show_refunds=self.refunds_check.isChecked(),
            raw=self.raw_check.isChecked(),
        )

    def fill_choices(self, actions: list[str], members: list[tuple[uuid.UUID, str]]) -> None:
        """Offer the actions and members the ledger has, keeping the current choices."""
        for combo, fixed, items in (
            (
                self.action_combo,
                1,
                [(self._labels.get(a, formatting.label(a)), a) for a in actions],
            ),
            (
                self.user_combo,
                2 if self._admin else 1,
                [(name, str(user_id)) for user_id, name in members if str(user_id) != self._me],
            ),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > fixed:
                combo.removeItem(fixed)
            for text, data in items:
                combo.addItem(text, data)
            index = combo.findData(current)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

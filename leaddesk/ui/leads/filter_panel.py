"""The "Filters" panel under the filter bar's button: every LeadQuery filter but the search."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.leads.query import LeadQuery
from leaddesk.store.enums import LeadStatus
from leaddesk.ui import formatting
from leaddesk.ui.widgets import NO_DATE, elided_combo, optional_date_edit


def index_of(combo: QComboBox, value: object) -> int:
    """The row whose data equals ``value`` (findData cannot compare Python objects), else 0."""
    for row in range(combo.count()):
        if combo.itemData(row) == value:
            return row
    return 0


def _words(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


class _DateRange(QWidget):
    """Two optional dates; the minimum date reads as "Any"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start = optional_date_edit(self.tr("Any"))
        self.end = optional_date_edit(self.tr("Any"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.start)
        layout.addWidget(self.end)

    def values(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        def as_dt(edit: QDateEdit, end: bool) -> dt.datetime | None:
            if edit.date() == NO_DATE:
                return None
            day = edit.date().toPython()
            if end:
                day += dt.timedelta(days=1)
            return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)

        return as_dt(self.start, False), as_dt(self.end, True)

    def set_values(self, start: dt.datetime | None, end: dt.datetime | None) -> None:
        self.start.setDate(QDate(start.date()) if start else NO_DATE)
        self.end.setDate(QDate((end - dt.timedelta(days=1)).date()) if end else NO_DATE)


class LeadFilterPanel(QWidget):
    """Edits a LeadQuery (search excluded); ``applied`` on Apply, ``cleared`` on Clear."""

    applied = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LeadFilterPanel")
        self.statuses: dict[str, QCheckBox] = {}
        status_box = QWidget()
        grid = QGridLayout(status_box)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, status in enumerate(LeadStatus):
            box = QCheckBox(formatting.label(status.value))
            self.statuses[status.value] = box
            grid.addWidget(box, i // 3, i % 3)

        self.score_min = QSpinBox()
        self.score_max = QSpinBox()
        for spin in (self.score_min, self.score_max):
            spin.setRange(-1, 100)
            spin.setSpecialValueText(self.tr("Any"))
            spin.setValue(-1)
        score = QWidget()
        score_layout = QHBoxLayout(score)
        score_layout.setContentsMargins(0, 0, 0, 0)
        score_layout.addWidget(self.score_min)
        score_layout.addWidget(self.score_max)

        self.tags = QLineEdit()
        self.tags.setPlaceholderText(self.tr("Comma-separated, e.g. vip, event"))
        self.industries = QLineEdit()
        self.industries.setPlaceholderText(self.tr("Comma-separated"))
        self.countries = QLineEdit()
        self.countries.setPlaceholderText(self.tr("Codes, e.g. DE, FR"))
        self.owner = elided_combo()
        self.owner.addItem(self.tr("Anyone"), None)
        self.campaign = elided_combo()
        self.campaign.addItem(self.tr("Any campaign"), None)
        self.created = _DateRange()
        self.updated = _DateRange()

        form = QFormLayout()
        form.addRow(self.tr("Status"), status_box)
        form.addRow(self.tr("Score from / to"), score)
        form.addRow(self.tr("Tags"), self.tags)
        form.addRow(self.tr("Owner"), self.owner)
        form.addRow(self.tr("Campaign"), self.campaign)
        form.addRow(self.tr("Industry"), self.industries)
        form.addRow(self.tr("Country"), self.countries)
        form.addRow(self.tr("Created from / to"), self.created)
        form.addRow(self.tr("Updated from / to"), self.updated)

        self.clear_button = QPushButton(self.tr("Clear"))
        self.apply_button = QPushButton(self.tr("Apply"))
        self.apply_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.apply_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(form)
        layout.addLayout(buttons)

        self.apply_button.clicked.connect(lambda: self.applied.emit(self.query()))
        self.clear_button.clicked.connect(self._clear)

    def set_owner_choices(self, choices: list[tuple[uuid.UUID, str]]) -> None:
        self._set_choices(self.owner, choices)

    def set_campaign_choices(self, choices: list[tuple[uuid.UUID, str]]) -> None:
        self._set_choices(self.campaign, choices)

    def names(self) -> dict[uuid.UUID, str]:
        """Owner and campaign names by id, for the chips."""
        return {
            combo.itemData(row): combo.itemText(row)
            for combo in (self.owner, self.campaign)
            for row in range(1, combo.count())
        }

    @staticmethod
    def _set_choices(combo: QComboBox, choices: list[tuple[uuid.UUID, str]]) -> None:
        current = combo.currentData()
        while combo.count() > 1:
            combo.removeItem(1)
        for value, name in choices:
            combo.addItem(name, value)
        combo.setCurrentIndex(index_of(combo, current))

    def query(self, base: LeadQuery | None = None) -> LeadQuery:
        created_from, created_to = self.created.values()
        updated_from, updated_to = self.updated.values()
        owner, campaign = self.owner.currentData(), self.campaign.currentData()
        return replace(
            base or LeadQuery(),
            statuses=tuple(s for s, box in self.statuses.items() if box.isChecked()),
            score_min=self.score_min.value() if self.score_min.value() >= 0 else None,
            score_max=self.score_max.value() if self.score_max.value() >= 0 else None,
            tags=_words(self.tags.text()),
            industries=_words(self.industries.text()),
            countries=tuple(c.upper() for c in _words(self.countries.text())),
            owner_ids=(owner,) if owner else (),
            campaign_ids=(campaign,) if campaign else (),
            created_from=created_from,
            created_to=created_to,
            updated_from=updated_from,
            updated_to=updated_to,
        )

    def set_query(self, query: LeadQuery) -> None:
        for status, box in self.statuses.items():
            box.setChecked(status in query.statuses)
        self.score_min.setValue(-1 if query.score_min is None else query.score_min)
        self.score_max.setValue(-1 if query.score_max is None else query.score_max)
        self.tags.setText(", ".join(query.tags))
        self.industries.setText(", ".join(query.industries))
        self.countries.setText(", ".join(query.countries))
        for combo, ids in ((self.owner, query.owner_ids), (self.campaign, query.campaign_ids)):
            combo.setCurrentIndex(index_of(combo, ids[0]) if ids else 0)
        self.created.set_values(query.created_from, query.created_to)
        self.updated.set_values(query.updated_from, query.updated_to)

    def _clear(self) -> None:
        self.set_query(LeadQuery())
        self.applied.emit(self.query())

    def focus_first(self) -> None:
        next(iter(self.statuses.values())).setFocus(Qt.FocusReason.PopupFocusReason)

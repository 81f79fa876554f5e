"""Leads > Find duplicates…: scan the whole database with the chosen rules, list the groups,
merge two leads side by side (a radio per field), and undo the last merge.

The scan, the merge and the undo run off the GUI thread through ``op()``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.errors import ValidationError
from leaddesk.services.leads.changes import ChangeSetService
from leaddesk.services.leads.duplicate_keys import RULES, DuplicateRules
from leaddesk.services.leads.duplicates import MERGE_FIELDS, DuplicateGroup, DuplicateService
from leaddesk.services.leads.service import LeadRecord, LeadService
from leaddesk.store.change_feed import Change
from leaddesk.ui import formatting, widgets
from leaddesk.ui.operations import Operation, op

#: Groups shown at most (the count says how many there are).
MAX_GROUPS = 500
RULE_LABELS = {
    "email": "Email",
    "phone": "Phone",
    "linkedin_url": "LinkedIn URL",
    "name_company": "Name + company",
}
LEAD_ROLE = Qt.ItemDataRole.UserRole + 1


def group_title(group: DuplicateGroup, records: list[LeadRecord]) -> str:
    """What the leads of a group share, as the oldest one writes it (not the folded key)."""
    first = records[0] if records else None
    if first is None or group.rule not in RULES:
        return group.key.replace("\x1f", " · ").replace("|", " · ")
    if group.rule == "name_company":
        return f"{first.full_name} · {first.company}"
    return str(getattr(first, group.rule))


@dataclass(frozen=True, slots=True)
class ScanResult:
    total: int
    groups: list[tuple[DuplicateGroup, list[LeadRecord]]]


def scan(duplicates: DuplicateService, leads: LeadService, rules: DuplicateRules) -> ScanResult:
    groups = duplicates.find_duplicates(rules)
    shown = [(g, [leads.get(i) for i in g.lead_ids]) for g in groups[:MAX_GROUPS]]
    return ScanResult(len(groups), shown)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _describe(lead: LeadRecord) -> str:
    parts = [lead.full_name or "(no name)", lead.email, lead.company]
    return " · ".join(p for p in parts if p)


class MergeDialog(QDialog):
    """Two leads side by side; each field that differs gets a radio per side."""

    def __init__(self, keep: LeadRecord, other: LeadRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Merge leads"))
        self.keep, self.other = keep, other
        self.groups: dict[str, QButtonGroup] = {}
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "Choose the value to keep for each field. Tags are combined; the other lead is "
            "deleted (the merge can be undone)."
        ))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.addWidget(widgets.section(self.tr("Field")), 0, 0)
        grid.addWidget(widgets.section(self.tr("Kept lead (older)")), 0, 1)
        grid.addWidget(widgets.section(self.tr("Merged in")), 0, 2)
        row = 1
        for name in MERGE_FIELDS:
            mine, theirs = _text(getattr(keep, name)), _text(getattr(other, name))
            if mine == theirs:
                continue
            grid.addWidget(QLabel(formatting.label(name)), row, 0)
            group = QButtonGroup(self)
            left = QRadioButton(mine or self.tr("(empty)"))
            right = QRadioButton(theirs or self.tr("(empty)"))
            for side, button in (("keep", left), ("other", right)):
                button.setProperty("side", side)
                button.setToolTip(button.text())
                group.addButton(button)
            (left if mine or not theirs else right).setChecked(True)
            grid.addWidget(left, row, 1)
            grid.addWidget(right, row, 2)
            self.groups[name] = group
            row += 1
        if not self.groups:
            grid.addWidget(QLabel(self.tr("The two leads hold the same values.")), row, 0, 1, 3)
            row += 1
        grid.setRowStretch(row, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        layout.addWidget(scroll, 1)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Merge"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 520)

    def choose(self, field: str, side: str) -> None:
        for button in self.groups[field].buttons():
            if button.property("side") == side:
                button.setChecked(True)

    def choices(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, group in self.groups.items():
            checked = group.checkedButton()
            if checked is not None:
                out[name] = str(checked.property("side"))
        return out


class DuplicatesDialog(QDialog):
    leadsChanged = Signal()

    def __init__(
        self,
        duplicates: DuplicateService,
        leads: LeadService,
        changes: ChangeSetService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Find duplicates"))
        self._duplicates, self._leads, self._changes = duplicates, leads, changes
        self.result: ScanResult | None = None
        self.operation: Operation[object] | None = None
        self.last_merge: uuid.UUID | None = None
        self._own_write = False  # a merge or undo of this dialog, not yet heard back

        layout = QVBoxLayout(self)
        rules_row = QHBoxLayout()
        rules_row.addWidget(QLabel(self.tr("Leads are duplicates when")))
        self.mode_combo = QComboBox()
        self.mode_combo.addItem(self.tr("any of"), "any")
        self.mode_combo.addItem(self.tr("all of"), "all")
        rules_row.addWidget(self.mode_combo)
        current = duplicates.rules
        self.rule_boxes: dict[str, QCheckBox] = {}
        for rule in RULES:
            box = QCheckBox(self.tr(RULE_LABELS.get(rule, rule)))
            box.setChecked(rule in current.fields)
            self.rule_boxes[rule] = box
            rules_row.addWidget(box)
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(current.mode))
        rules_row.addStretch(1)
        self.scan_button = QPushButton(self.tr("&Scan"))
        self.scan_button.clicked.connect(lambda: self.scan())
        rules_row.addWidget(self.scan_button)
        layout.addLayout(rules_row)

        self.status_label = widgets.muted(self.tr("Choose the rules and press Scan."))
        layout.addWidget(self.status_label)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("Lead"), self.tr("Phone"), self.tr("Created")])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setColumnWidth(0, 420)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda *_: self.merge_selected())
        layout.addWidget(self.tree, 1)

        buttons = QHBoxLayout()
        self.undo_button = QPushButton(self.tr("&Undo merge"))
        self.undo_button.clicked.connect(lambda: self.undo_merge())
        self.undo_button.setEnabled(False)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        self.merge_button = QPushButton(self.tr("&Merge…"))
        self.merge_button.setToolTip(self.tr("Merge the selected lead into the group's oldest"))
        self.merge_button.clicked.connect(lambda: self.merge_selected())
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(860, 560)
        self._update_buttons()

    # -- scan ------------------------------------------------------------------------------------
    def rules(self) -> DuplicateRules:
        fields = tuple(r for r, box in self.rule_boxes.items() if box.isChecked())
        return DuplicateRules(fields, self.mode_combo.currentData())

    def scan(self) -> Operation[ScanResult] | None:
        try:
            rules = self.rules()
        except ValidationError as exc:
            self.status_label.setText(str(exc))
            return None
        duplicates, leads = self._duplicates, self._leads
        self.status_label.setText(self.tr("Scanning every lead…"))
        self._busy(True)
        operation = (
            op(lambda: scan(duplicates, leads, rules), parent=self)
            .success(self._show)
            .failure(lambda exc: self.status_label.setText(str(exc)))
            .finished(lambda: self._busy(False))
        )
        self.operation = operation  # type: ignore[assignment]
        return operation.run()

    def _show(self, result: ScanResult) -> None:
        self.result = result
        self.tree.clear()
        for group, records in result.groups:
            label = RULE_LABELS.get(group.rule, group.rule)
            top = QTreeWidgetItem([
                f"{label}: {group_title(group, records)}",
                formatting.plural(len(records), "lead"), "",
            ])
            top.setFirstColumnSpanned(False)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for record in records:
                child = QTreeWidgetItem([
                    _describe(record), record.phone, record.created_at.strftime("%Y-%m-%d"),
                ])
                child.setData(0, LEAD_ROLE, record)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.tree.resizeColumnToContents(1)
        if result.total == 0:
            self.status_label.setText(self.tr("No duplicates found."))
        elif result.total > len(result.groups):
            self.status_label.setText(
                self.tr("%1 groups of duplicates; the first %2 are shown.")
                .replace("%1", f"{result.total:,}").replace("%2", f"{len(result.groups):,}")
            )
        else:
            self.status_label.setText(
                self.tr("%1 of duplicates. Select a lead and press Merge.")
                .replace("%1", formatting.plural(result.total, "group"))
            )
        self._update_buttons()

    # -- merge -----------------------------------------------------------------------------------
    def selected_pair(self) -> tuple[LeadRecord, LeadRecord] | None:
        """(the group's oldest lead, the selected other one), when one lead is selected."""
        items = self.tree.selectedItems()
        if not items:
            return None
        item = items[0]
        parent = item.parent()
        if parent is None:
            if item.childCount() < 2:
                return None
            parent, item = item, item.child(1)
        keep = parent.child(0).data(0, LEAD_ROLE)
        other = item.data(0, LEAD_ROLE)
        if item is parent.child(0):
            other = parent.child(1).data(0, LEAD_ROLE)
        return keep, other

    def merge_dialog(self) -> MergeDialog | None:
        pair = self.selected_pair()
        return None if pair is None else MergeDialog(*pair, parent=self)

    def merge_selected(self) -> None:
        dialog = self.merge_dialog()
        if dialog is not None and dialog.exec() == QDialog.DialogCode.Accepted:
            self.merge(dialog.keep, dialog.other, dialog.choices())

    def merge(self, keep: LeadRecord, other: LeadRecord, choices: dict[str, str]) -> Operation:
        duplicates = self._duplicates
        self.status_label.setText(self.tr("Merging…"))
        self._busy(True)
        operation = (
            op(lambda: duplicates.merge(keep.id, other.id, choices), parent=self)
            .success(self._merged)
            .failure(lambda exc: self.status_label.setText(str(exc)))
            .finished(lambda: self._busy(False))
        )
        self.operation = operation  # type: ignore[assignment]
        return operation.run()

    def _merged(self, outcome: tuple[LeadRecord, uuid.UUID]) -> None:
        record, change_set = outcome
        self.last_merge = change_set
        self._own_write = True
        self.leadsChanged.emit()
        self._remove_merged(record.id)
        self.status_label.setText(
            self.tr("Merged into %1. You can undo this merge.").replace("%1", _describe(record))
        )

    def _remove_merged(self, keep_id: uuid.UUID) -> None:
        """Drop the merged-away lead from its group (and the group when one lead is left)."""
        for index in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(index)
            ids = [top.child(i).data(0, LEAD_ROLE).id for i in range(top.childCount())]
            if keep_id in ids:
                selected = [i for i in self.tree.selectedItems() if i.parent() is top]
                if selected and selected[0] is not top.child(0):
                    top.removeChild(selected[0])
                elif top.childCount() > 1:
                    top.removeChild(top.child(1))
                if top.childCount() < 2:
                    self.tree.takeTopLevelItem(index)
                return

    def undo_merge(self) -> Operation | None:
        change_set = self.last_merge
        if change_set is None:
            return None
        changes = self._changes
        self._busy(True)
        operation = (
            op(lambda: changes.undo(change_set), parent=self)
            .success(self._undone)
            .failure(lambda exc: self.status_label.setText(str(exc)))
            .finished(lambda: self._busy(False))
        )
        self.operation = operation  # type: ignore[assignment]
        return operation.run()

    def _undone(self, _report: object) -> None:
        self.last_merge = None
        self._own_write = True
        self.leadsChanged.emit()
        self.status_label.setText(self.tr("The merge was undone. Scan again to see the group."))

    # -- fresh results -----------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        """Reopened after a scan: the leads may have changed meanwhile, so scan again."""
        super().showEvent(event)
        if self.result is not None and not getattr(self, "_is_busy", False):
            self.scan()

    def on_changes(self, change: Change) -> None:
        """Leads changed elsewhere while the results are shown: scan again (a hidden dialog
        scans when reopened; this dialog's own merge or undo is shown already)."""
        if not change.touches("leads"):
            return
        own, self._own_write = self._own_write and not change.external, False
        if own or self.result is None or not self.isVisible():
            return
        if getattr(self, "_is_busy", False):
            QTimer.singleShot(500, lambda: self.on_changes(change))
            return
        self.scan()

    # -- state -----------------------------------------------------------------------------------
    def _busy(self, busy: bool) -> None:
        self._is_busy = busy
        self.scan_button.setEnabled(not busy)
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = getattr(self, "_is_busy", False)
        self.merge_button.setEnabled(not busy and self.selected_pair() is not None)
        self.undo_button.setEnabled(not busy and self.last_merge is not None)

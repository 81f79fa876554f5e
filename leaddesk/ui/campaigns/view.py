"""The campaigns view: pick a campaign on the left, edit it on the right, through the service."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListView,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.campaigns.service import CampaignRecord, CampaignService, CampaignStats
from leaddesk.services.errors import ValidationError
from leaddesk.store.change_feed import Change
from leaddesk.ui.campaigns.form import CampaignForm
from leaddesk.ui.campaigns.model import CampaignDelegate, CampaignListModel
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import MessageBar, title

T = TypeVar("T")


class CampaignsView(QWidget):
    """Emits ``campaignsChanged`` after a save or delete."""

    campaignsChanged = Signal()

    def __init__(self, campaigns: CampaignService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._campaigns = campaigns
        self._current: CampaignRecord | None = None
        self._loaded = False
        self._busy = 0

        self.model = CampaignListModel(self)
        self.list = QListView()
        self.list.setObjectName("CampaignList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(CampaignDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setFixedWidth(320)
        self.form = CampaignForm()
        self.message_bar = MessageBar()

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.form.setObjectName("ViewArea")
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self.list)
        body.addWidget(scroll, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(12)
        layout.addWidget(title(self.tr("Campaigns")))
        layout.addWidget(self.message_bar)
        layout.addLayout(body, 1)

        self.list.selectionModel().selectionChanged.connect(self._on_selection)
        self.form.new_button.clicked.connect(self.new_campaign)
        self.form.save_button.clicked.connect(self.save)
        self.form.delete_button.clicked.connect(self.confirm_delete)
        self.form.load(None)

    # -- loading -------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded and not self._busy:
            self.refresh()

    def is_loaded(self) -> bool:
        return self._loaded and not self._busy

    def refresh(self, select: uuid.UUID | None = None) -> None:
        """Reload the list; select ``select`` (or the current campaign) when it is still there."""
        keep = select or (self._current.id if self._current else None)
        self._run(self._campaigns.list, lambda rows: self._listed(rows, keep))

    def _listed(self, campaigns: list[CampaignRecord], select: uuid.UUID | None) -> None:
        self._loaded = True
        self.model.set_campaigns(campaigns)
        row = self.model.row_of(select) if select else (0 if campaigns else None)
        if row is not None:
            self.list.setCurrentIndex(self.model.index(row))
        else:
            self._show(None)

    def _run(self, fn: Callable[[], T], on_success: Callable[[T], object]) -> None:
        """Run a service call; errors show in the message bar, the form stays usable."""
        self._busy += 1
        self._set_enabled()
        (
            op(fn, parent=self)
            .success(on_success)
            .failure(self._failed)
            .finished(self._done)
            .run()
        )

    def _done(self) -> None:
        self._busy -= 1
        self._set_enabled()

    def _set_enabled(self) -> None:
        idle = self._busy == 0
        self.form.save_button.setEnabled(idle)
        self.form.delete_button.setEnabled(idle and self._current is not None)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.form.errors.show(exc.field, exc.message)
            widget = self.form.field_widget(exc.field)
            if widget is not None:
                widget.setFocus()
        else:
            self.message_bar.show_message(str(exc))

    # -- selection -----------------------------------------------------------------------------
    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.list.selectionModel().selectedRows()
        self._show(self.model.record(rows[0].row()) if rows else None)

    def _show(self, campaign: CampaignRecord | None) -> None:
        self._current = campaign
        self.form.load(campaign)
        self._set_enabled()
        if campaign is not None:
            self._load_stats(campaign.id)

    def _load_stats(self, campaign_id: uuid.UUID) -> None:
        campaigns = self._campaigns
        op(lambda: campaigns.stats(campaign_id), parent=self).success(
            lambda stats: self._stats_arrived(campaign_id, stats)
        ).failure(lambda _exc: self.form.stats.setText("")).run()

    def _stats_arrived(self, campaign_id: uuid.UUID, stats: CampaignStats) -> None:
        if self._current is not None and self._current.id == campaign_id:
            self.form.set_stats(stats)

    def on_changes(self, change: Change) -> None:
        """Campaigns edited elsewhere reload the list (the selection kept); sends, imports and
        lead edits move the shown campaign's counts (an unsaved edit in the form is kept)."""
        if not self._loaded:
            return  # loads fresh data when first shown
        if change.touches("campaigns") and not self.form.is_dirty():
            self.refresh()
        elif change.touches("messages", "leads") and self._current is not None:
            self._load_stats(self._current.id)

    @property
    def current(self) -> CampaignRecord | None:
        return self._current

    # -- actions ---------------------------------------------------------------------------------
    def new_campaign(self) -> None:
        self.list.clearSelection()
        self.list.setCurrentIndex(self.model.index(-1))
        self._show(None)
        self.form.name.setFocus()

    def save(self) -> None:
        self.form.errors.clear()
        values = self.form.values()
        campaigns, current = self._campaigns, self._current
        if current is None:
            self._run(lambda: campaigns.create(values), self._saved)
        else:
            campaign_id = current.id
            self._run(lambda: campaigns.update(campaign_id, values), self._saved)

    def _saved(self, campaign: CampaignRecord) -> None:
        self.message_bar.show_message(
            self.tr("Saved %1.").replace("%1", campaign.name), kind="info", timeout_ms=3000
        )
        self._current = campaign
        self.refresh(select=campaign.id)
        self.campaignsChanged.emit()

    def confirm_delete(self) -> None:
        if self._current is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete campaign"),
            self.tr("Delete “%1”? Its leads and messages stay.").replace("%1", self._current.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        confirm = box.button(QMessageBox.StandardButton.Yes)
        confirm.setText(self.tr("Delete"))
        confirm.clicked.connect(self.delete_current)
        box.open()
        self.confirmation = box

    def delete_current(self) -> None:
        if self._current is None:
            return
        campaigns, campaign = self._campaigns, self._current
        self._run(lambda: campaigns.delete(campaign.id), lambda _none: self._deleted(campaign))

    def _deleted(self, campaign: CampaignRecord) -> None:
        self.message_bar.show_message(
            self.tr("Deleted %1.").replace("%1", campaign.name), kind="info", timeout_ms=3000
        )
        self._current = None
        self.refresh()
        self.campaignsChanged.emit()

"""Who the composer sends to: one lead (the picker), the leads view's selection, or a saved view
(read when chosen; one that cannot be read clears the recipients and says why), and the
campaign the messages are recorded under (a saved view's campaign by default).

A mixin of :class:`~leaddesk.ui.composer.view.ComposerView`: it uses the view's form, services
and recipients, and keeps this part of the view in a module of its own.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from leaddesk.services.messaging.compose import ViewAudience
from leaddesk.ui.operations import op

if TYPE_CHECKING:
    from leaddesk.services.leads.service import LeadRecord, LeadService
    from leaddesk.services.messaging.compose import ComposeService
    from leaddesk.ui.composer.form import ComposerForm
    from leaddesk.ui.composer.lead_picker import LeadPicker
    from leaddesk.ui.widgets import MessageBar


class AudienceMixin:
    form: ComposerForm
    picker: LeadPicker
    message_bar: MessageBar
    audience_error: str
    _compose: ComposeService | None
    _leads: LeadService
    _recipients: list[uuid.UUID] | None
    _audience_loading: int

    if TYPE_CHECKING:
        def tr(self, text: str) -> str: ...
        @property
        def lead(self) -> LeadRecord | None: ...
        def set_lead(self, lead: LeadRecord) -> None: ...
        def render_preview(self) -> object: ...
        def _show_cost(self) -> None: ...

    def _fill_views(self, names: list[str]) -> None:
        combo = self.form.audience
        current = combo.currentData()
        combo.blockSignals(True)
        for index in range(combo.count() - 1, 0, -1):
            if str(combo.itemData(index)).startswith("view:"):
                combo.removeItem(index)
        for name in names:
            combo.addItem(self.tr("Saved view: %1").replace("%1", name), f"view:{name}")
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def _fill_campaigns(self, campaigns: list[tuple[uuid.UUID, str]]) -> None:
        combo = self.form.campaign
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for campaign_id, name in campaigns:
            combo.addItem(name, str(campaign_id))
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)


    def set_selection(self, lead_ids: list[uuid.UUID]) -> None:
        """Send to these leads (the leads view's selection); the first one is previewed."""
        combo = self.form.audience
        combo.blockSignals(True)
        index = combo.findData("selection")
        if index < 0:
            combo.insertItem(1, "", "selection")
            index = 1
        text = (self.tr("The selected lead") if len(lead_ids) == 1
                else self.tr("The %1 selected leads").replace("%1", f"{len(lead_ids):,}"))
        combo.setItemText(index, text)
        combo.setCurrentIndex(index)
        combo.blockSignals(False)
        self._use_recipients(list(lead_ids))

    def choose_view(self, name: str) -> bool:
        """Send to the leads of the saved view ``name`` (its filters, read when chosen)."""
        index = self.form.audience.findData(f"view:{name}")
        if index >= 0:
            self.form.audience.setCurrentIndex(index)
        return index >= 0

    def _on_audience(self) -> None:
        data = self.form.audience.currentData()
        self.audience_error = ""
        if data is None:
            self._recipients = None
            self.picker.setEnabled(True)
            self._show_cost()
            self.render_preview()
        elif data == "selection":
            pass  # set_selection keeps the ids
        elif str(data).startswith("view:") and self._compose is not None:
            name, compose = str(data)[5:], self._compose
            self._audience_loading += 1
            self._use_recipients([])  # nobody until the view's leads are read
            (
                op(lambda: compose.view_audience(name), parent=self)
                .success(self._view_arrived)
                .failure(lambda exc: self._view_failed(name, exc))
                .finished(self._audience_done)
                .run()
            )

    def _view_arrived(self, audience: ViewAudience) -> None:
        if self.form.audience.currentData() != f"view:{audience.name}":
            return  # another choice since
        if audience.campaign_id is not None:
            index = self.form.campaign.findData(str(audience.campaign_id))
            self.form.campaign.setCurrentIndex(max(0, index))
        if not audience.lead_ids:
            self.audience_error = self.tr("The saved view %1 has no leads.").replace(
                "%1", audience.name)
        self._use_recipients(audience.lead_ids)

    def _view_failed(self, name: str, exc: BaseException) -> None:
        """Nobody is sent to: the recipients are cleared and Send stays off, with why."""
        if self.form.audience.currentData() != f"view:{name}":
            return
        self.audience_error = self.tr("The saved view %1 cannot be used: %2").replace(
            "%1", name).replace("%2", getattr(exc, "message", str(exc)))
        self.message_bar.show_message(self.audience_error)
        self._use_recipients([])

    def _audience_done(self) -> None:
        self._audience_loading -= 1

    def _use_recipients(self, lead_ids: list[uuid.UUID]) -> None:
        self._recipients = lead_ids
        self.picker.setEnabled(False)  # the first recipient is previewed
        if lead_ids and (self.lead is None or self.lead.id not in set(lead_ids[:1])):
            leads, first = self._leads, lead_ids[0]
            self._audience_loading += 1
            (
                op(lambda: leads.get(first), parent=self)
                .success(self.set_lead)
                .finished(self._audience_done)
                .run()
            )
        self._show_cost()
        self.render_preview()

"""Where the rep works on one lead, wired into the leads view: edits from the detail panel go
through the table's model (same rules, undoable, the table shows them), notes, logged
contacts and tasks through the detail loader, the table's right-click actions, and the
duplicate warning when an edit makes a lead match another."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget

from leaddesk.services.leads.contact_log import ContactLogService
from leaddesk.services.leads.duplicates import DuplicateService
from leaddesk.services.leads.service import LeadRecord, LeadService
from leaddesk.services.validation import default_phone_region, phone_placeholder
from leaddesk.store.database import Store
from leaddesk.ui.leads.context_menu import LeadContextActions
from leaddesk.ui.leads.duplicate_prompt import MERGE, OPEN, DuplicateWarning
from leaddesk.ui.leads.duplicates_dialog import MergeDialog
from leaddesk.ui.operations import op

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.ui.leads.view import LeadsView


@dataclass(frozen=True)
class LeadWorkServices:
    """The services working on one lead needs beyond the view's own."""

    store: Store
    leads: LeadService
    contact_log: ContactLogService
    duplicates: DuplicateService

    @classmethod
    def of(cls, services: AppServices) -> LeadWorkServices:
        return cls(services.store, services.leads, ContactLogService(services.ctx),
                   services.duplicates)


class LeadWork(QObject):
    def __init__(self, view: LeadsView, services: LeadWorkServices) -> None:
        super().__init__(view)
        self._view = view
        self._services = services
        self.warning: DuplicateWarning | None = None
        self.merge_dialog: MergeDialog | None = None
        panel, loader, model = view.detail, view.detail_loader, view.model
        loader.set_contact_log(services.contact_log)
        panel.fieldEdited.connect(self._edit_field)
        model.editFailed.connect(panel.fields.show_error)
        model.duplicateFound.connect(self._duplicate_found)
        loader.leadChanged.connect(model.update_record)
        self._placeholder: str | None = None
        panel.fields.inputs["phone"].installEventFilter(self)
        self.context = LeadContextActions(
            view.current_lead, self.edit, self.add_note, self.add_task, self)
        self.context.add_to(view.table_menu)

    def phone_placeholder(self) -> str:
        """The phone fields' hint, naming the default region. Worked out when a phone field is
        first used: the phone library is not loaded to paint the table."""
        if self._placeholder is None:
            self._placeholder = phone_placeholder(default_phone_region(self._services.store))
        return self._placeholder

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            self._view.detail.fields.set_phone_placeholder(self.phone_placeholder())
        return super().eventFilter(watched, event)

    # -- the context menu's actions ------------------------------------------------------------
    def edit(self) -> None:
        """Edit the lead in the detail panel, starting at its first name."""
        self._focus(self._view.detail.fields.inputs["first_name"])

    def add_note(self) -> None:
        self._focus(self._view.detail.note_form.text)

    def add_task(self) -> None:
        self._focus(self._view.detail.task_form.title)

    def _focus(self, widget: QWidget) -> None:
        self._view.detail.ensureWidgetVisible(widget)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- edits ---------------------------------------------------------------------------------
    def _edit_field(self, field: str, text: str) -> None:
        """Through the model (undoable, the table repaints), except tags: the model keeps an
        edit's old value as text, which a tag list is not."""
        lead = self._view.detail.lead
        if lead is None:
            return
        if field != "tags":
            self._view.model.write_field(lead.id, field, text, undoable=True)
            return
        leads, model, fields = self._services.leads, self._view.model, self._view.detail.fields
        (
            op(lambda: leads.update(lead.id, {"tags": text}, expected_version=lead.version),
               parent=self)
            .success(model.update_record)
            .failure(lambda exc: fields.show_error(
                "tags", getattr(exc, "message", None) or str(exc)))
            .run()
        )

    def _duplicate_found(self, lead_id: uuid.UUID, duplicate_ids: list[uuid.UUID]) -> None:
        leads = self._services.leads
        (
            op(lambda: (leads.get(lead_id), leads.get(duplicate_ids[0])), parent=self)
            .success(lambda pair: self._warn(*pair))
            .failure(lambda exc: self._view.message_bar.show_message(str(exc)))
            .run()
        )

    def _warn(self, edited: LeadRecord, existing: LeadRecord) -> None:
        shown = self._view.detail.fields.shown_errors()
        field = next(iter(shown), "email")
        self.warning = DuplicateWarning(existing, field, creating=False, parent=self._view)
        self.warning.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.warning.chosen.connect(lambda choice: self._choice(edited, existing, choice))
        self.warning.open()

    def _choice(self, edited: LeadRecord, existing: LeadRecord, choice: str) -> None:
        if choice == OPEN:
            self._view.detail_loader.show(existing)
        elif choice == MERGE:
            self.merge_dialog = MergeDialog(existing, edited, self._view)
            self.merge_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.merge_dialog.accepted.connect(
                lambda: self._merge(existing, edited, self.merge_dialog))
            self.merge_dialog.open()

    def _merge(self, keep: LeadRecord, other: LeadRecord, dialog: MergeDialog | None) -> None:
        duplicates = self._services.duplicates
        choices = dialog.choices() if dialog is not None else {}
        (
            op(lambda: duplicates.merge(keep.id, other.id, choices), parent=self)
            .success(lambda _outcome: self._merged())
            .failure(lambda exc: self._view.message_bar.show_message(str(exc)))
            .run()
        )

    def _merged(self) -> None:
        self._view.refresh()
        self._view.leadsChanged.emit()

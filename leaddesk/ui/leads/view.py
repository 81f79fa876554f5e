"""The leads view: filter bar, the lazy lead table and the detail panel, wired to services;
"Message selected leads…" (Ctrl+M) hands the selection to whoever composes messages.

The table widget and its columns are ``lead_table``, the detail panel's loading
``detail_loader``, the saved views ``saved_view_actions``, bulk actions ``bulk_actions``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.activity import ActivityService
from leaddesk.services.leads.bulk_edit import BulkEditService
from leaddesk.services.leads.changes import ChangeSetService
from leaddesk.services.leads.query import LeadQuery, LeadSort
from leaddesk.services.leads.saved_views import SavedViewService
from leaddesk.services.leads.service import LeadRecord, LeadService
from leaddesk.services.leads.tasks import TaskService
from leaddesk.services.messaging.messages import MessageService
from leaddesk.store.change_feed import Change
from leaddesk.ui import formatting
from leaddesk.ui.leads.bulk_actions import LeadBulkActions
from leaddesk.ui.leads.detail_loader import LeadDetailLoader
from leaddesk.ui.leads.detail_panel import LeadDetailPanel
from leaddesk.ui.leads.filter_bar import LeadFilterBar
from leaddesk.ui.leads.lead_table import LeadTable
from leaddesk.ui.leads.lead_work import LeadWork, LeadWorkServices
from leaddesk.ui.leads.model import LeadTableModel
from leaddesk.ui.leads.new_lead_dialog import NewLeadDialog
from leaddesk.ui.leads.saved_view_actions import SavedViewActions
from leaddesk.ui.leads.selection import SelectionResolver
from leaddesk.ui.leads.table_place import TablePlace
from leaddesk.ui.leads.undo import LeadEditCommand
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import MessageBar, ProgressStrip, title

Choice = tuple[uuid.UUID, str]


class LeadsView(QWidget):
    """Loads on first show. Emits ``leadsChanged`` after a lead was created or edited."""

    leadsChanged = Signal()

    def __init__(
        self,
        leads: LeadService,
        messages: MessageService,
        activity: ActivityService,
        parent: QWidget | None = None,
        saved_views: SavedViewService | None = None,
        settings: QSettings | None = None,
        bulk: BulkEditService | None = None,
        lead_changes: ChangeSetService | None = None,
        choices: Callable[[], tuple[list[Choice], list[Choice]]] | None = None,
        message_leads: Callable[[list[uuid.UUID]], object] | None = None,
        tasks: TaskService | None = None,
        work: LeadWorkServices | None = None,
    ) -> None:
        """``saved_views``: the user's saved views (None hides them); ``settings``: where the
        column choice is remembered (None remembers nothing); ``bulk`` and ``lead_changes``:
        bulk actions on the selection (None: none); ``choices``: the owners and campaigns to
        filter and bulk-set by, read off the GUI thread on first show; ``message_leads``:
        called with the leads to message, in table order (None hides the Message actions);
        ``tasks``: the lead's tasks in the detail panel (None hides them); ``work``: editing,
        notes, logged contacts and the right-click actions (``lead_work``; None: none)."""
        super().__init__(parent)
        self._leads = leads
        self.undo_stack = QUndoStack(self)
        self._choices = choices

        self.model = LeadTableModel(leads, self)
        self.filters = LeadFilterBar()
        self.message_bar = MessageBar()
        self.progress = ProgressStrip()
        self.table = LeadTable(self.model, settings)
        self.detail = LeadDetailPanel()
        self.detail_loader = LeadDetailLoader(self.detail, messages, activity, tasks, self)
        self.detail_loader.failed.connect(self.message_bar.show_message)
        self._message_leads = message_leads
        self.message_action = QAction(self.tr("&Message selected leads…"), self)
        self.message_action.setShortcut(QKeySequence("Ctrl+M"))
        self.message_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.message_action.setToolTip(
            self.tr("Write to the selected leads in the composer (Ctrl+M)"))
        self.message_action.setEnabled(False)
        self.message_action.setVisible(message_leads is not None)
        self.message_action.triggered.connect(self.message_selected)
        self.addAction(self.message_action)
        self.find_action = QAction(self.tr("&Find leads"), self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.find_action.triggered.connect(self.focus_search)
        self.addAction(self.find_action)
        self.message_button = QToolButton()
        self.message_button.setObjectName("MessageSelectedButton")
        self.message_button.setDefaultAction(self.message_action)
        self.message_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.message_button.setVisible(message_leads is not None)
        self.detail.message_button.setVisible(message_leads is not None)
        self.detail.messageRequested.connect(lambda lead: self.message([lead.id]))
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("role", "muted")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self._layout()

        self.filters.queryChanged.connect(self.model.set_query)
        self.model.loadingChanged.connect(self._on_loading)
        self.model.totalChanged.connect(self._on_total)
        self.model.loadFailed.connect(
            lambda text: self.message_bar.show_message(self.tr("Could not load leads: ") + text)
        )
        self.model.editFailed.connect(self._on_edit_failed)
        self.model.leadUpdated.connect(self._on_lead_updated)
        self.model.modelReset.connect(self._on_current_changed)
        self.model.dataChanged.connect(self._on_data_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.saved_views = SavedViewActions(
            saved_views, self.filters, self.table, self.model, self.apply, self
        )
        self.saved_views.failed.connect(self.message_bar.show_message)
        self.model.editSaved.connect(self._on_edit_saved)
        self.table.installEventFilter(self)
        self.filters.search.installEventFilter(self)
        self.selection = SelectionResolver(leads, self.model, self.table.selectionModel(), self)
        self.selection.reading.connect(lambda count: self.progress.begin(
            self.tr("Reading the %1 selected leads…").replace("%1", formatting.number(count)),
            cancellable=False))
        self.selection.progressed.connect(self.progress.set_progress)
        self.selection.done.connect(self.progress.finish)
        self.table_menu = QMenu(self)
        self.table_menu.addAction(self.message_action)
        self.bulk_actions: LeadBulkActions | None = None
        if bulk is not None and lead_changes is not None:
            self.bulk_actions = LeadBulkActions(
                bulk, lead_changes, self.undo_stack, self.selection.resolve_target, self
            )
            self.bulk_actions.busy.connect(self._on_bulk_busy)
            self.bulk_actions.progressed.connect(self._on_bulk_progress)
            self.bulk_actions.cancelled.connect(self._on_bulk_cancelled)
            self.bulk_actions.changed.connect(self._on_bulk_changed)
            self.bulk_actions.failed.connect(self.message_bar.show_message)
            self.progress.cancelRequested.connect(self.bulk_actions.cancel)
            if message_leads is not None:
                self.table_menu.addSeparator()
            self.table_menu.addActions(self.bulk_actions.menu.actions())
        self.work = LeadWork(self, work) if work is not None else None
        if message_leads is not None or self.bulk_actions is not None or work is not None:
            self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            self.table.customContextMenuRequested.connect(self._table_menu)

    # -- layout --------------------------------------------------------------------------------
    def _layout(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(10)
        left_layout.addWidget(self.filters)
        left_layout.addWidget(self.message_bar)
        left_layout.addWidget(self.progress)
        left_layout.addWidget(self.stack, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([860, 440])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 12, 12)
        layout.setSpacing(12)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(title(self.tr("Leads")))
        header.addStretch(1)
        header.addWidget(self.message_button)
        layout.addLayout(header)
        layout.addWidget(self.splitter, 1)

    # -- loading -------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.model.has_loaded and not self.model.is_loading:
            self.refresh()
            self.saved_views.load()
            self._load_choices()

    def refresh(self) -> None:
        self.model.refresh()

    def on_changes(self, change: Change) -> None:
        """Another write (a send, the CLI, a team-mate) touched leads: reload the table and its
        count where the rep is (selection and scroll kept); an open cell editor is waited for."""
        if change.touches("campaigns", "users"):
            self._load_choices()
        if change.touches("saved_views"):
            self.saved_views.load()
        self.detail_loader.on_changes(change)
        if not change.touches("leads", "lead_tags") or not self.model.has_loaded:
            return  # a view not loaded yet loads fresh data when shown
        again = Change(frozenset({"leads"}))
        if self.table.state() is QAbstractItemView.State.EditingState:
            QTimer.singleShot(500, lambda: self.on_changes(again))
            return
        if self.model.is_loading:  # during a send burst: one more reload when this one lands
            if not getattr(self, "_reload_queued", False):
                self._reload_queued = True
                self.model.loadingChanged.connect(
                    lambda _loading: self._queued_reload(again),
                    Qt.ConnectionType.SingleShotConnection)
            return
        place = TablePlace.of(self.table)
        self.model.modelReset.connect(
            lambda: place.restore(self.table), Qt.ConnectionType.SingleShotConnection)
        self.refresh()

    def _queued_reload(self, change: Change) -> None:
        self._reload_queued = False
        self.on_changes(change)

    def is_loaded(self) -> bool:
        return self.model.has_loaded and not self.model.is_loading

    def _on_loading(self, loading: bool) -> None:
        if loading:
            self.filters.show_loading()
            if not self.model.has_loaded:
                self.empty.setText(self.tr("Loading leads…"))
                self.stack.setCurrentWidget(self.empty)

    def _on_total(self, total: int) -> None:
        self.filters.show_count(total)
        if total:
            self.stack.setCurrentWidget(self.table)
            return
        if self.filters.is_filtered():
            self.empty.setText(self.tr("No leads match these filters."))
        else:
            self.empty.setText(self.tr("No leads yet. Press Ctrl+N to add one."))
        self.stack.setCurrentWidget(self.empty)

    # -- selection and detail ----------------------------------------------------------------
    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.setFocus()

    def current_lead(self) -> LeadRecord | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.message_action.setEnabled(self.table.selectionModel().hasSelection())
        self._on_current_changed()

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, *_: Any) -> None:
        row = self.table.currentIndex().row()
        if top_left.row() <= row <= bottom_right.row():
            self._on_current_changed()

    def _on_current_changed(self) -> None:
        # The first selected range's top row: selectedRows() would visit every selected cell
        # (a million after Select All).
        ranges = [r for r in self.table.selectionModel().selection() if r.isValid()]
        self.detail_loader.show(self.model.record(ranges[0].top()) if ranges else None)

    # -- editing -------------------------------------------------------------------------------
    def _on_edit_failed(self, field: str, message: str) -> None:
        self.message_bar.show_message(
            self.tr("Not saved — %1: %2").replace("%1", formatting.label(field))
            .replace("%2", message)
        )

    def _on_lead_updated(self, _record: LeadRecord) -> None:
        self.message_bar.hide()
        self.leadsChanged.emit()

    def new_lead(self) -> NewLeadDialog:
        """Open the new-lead dialog; the table reloads when a lead was added."""
        placeholder = self.work.phone_placeholder() if self.work is not None else ""
        dialog = NewLeadDialog(self._leads.create, self, self._leads, placeholder)
        dialog.created.connect(self._on_created)
        dialog.openRequested.connect(self.detail_loader.show)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _on_created(self, record: LeadRecord) -> None:
        self.message_bar.show_message(
            self.tr("Added %1.").replace("%1", record.full_name or record.email),
            kind="info", timeout_ms=4000,
        )
        self.refresh()
        self.leadsChanged.emit()

    # -- saved views and applying a query ------------------------------------------------------
    def apply(self, query: LeadQuery, sort: LeadSort) -> None:
        """Show ``query`` in ``sort`` order: one reload."""
        column = self.model.column_for_field(sort.field)
        order = Qt.SortOrder.DescendingOrder if sort.descending else Qt.SortOrder.AscendingOrder
        self.filters.set_query(query, emit=False)
        self.model.set_query(query)
        if column is not None:
            self.table.horizontalHeader().setSortIndicator(column, order)
        self.model.set_sort(sort)

    # -- keyboard, selection, undo ---------------------------------------------------------------
    def focus_search(self) -> None:
        """Ctrl+F: to the search box, its text selected to type over."""
        self.filters.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter edits the current cell (F2 too, Qt's own); Delete deletes the selection. In the
        search box, Down or Esc goes back to the table."""
        if (
            watched is self.filters.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Escape)
        ):
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        if (
            watched is self.table
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and self.table.state() != QAbstractItemView.State.EditingState
        ):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                index = self.table.currentIndex()
                if index.isValid() and self.model.flags(index) & Qt.ItemFlag.ItemIsEditable:
                    self.table.edit(index)
                    return True
            if key == Qt.Key.Key_Delete and self.bulk_actions is not None:
                self.bulk_actions.delete()
                return True
        return super().eventFilter(watched, event)

    def _table_menu(self, pos: QPoint) -> None:
        self.table_menu.popup(self.table.viewport().mapToGlobal(pos))

    def selected_ids(self) -> list[uuid.UUID]:
        """The selected leads whose rows are fetched, in table order (``selection.resolve``
        gives all of them)."""
        known, _missing = self.selection.cached()
        return [known[row] for row in sorted(known)]

    # -- messaging -------------------------------------------------------------------------------
    def message_selected(self) -> None:
        """Message selected leads… (Ctrl+M): the selection goes to the composer."""
        self.selection.resolve(
            self.message, lambda exc: self.message_bar.show_message(str(exc)))

    def message(self, lead_ids: list[uuid.UUID]) -> None:
        if lead_ids and self._message_leads is not None:
            self._message_leads(list(lead_ids))

    def _on_edit_saved(self, lead_id: uuid.UUID, field: str, old: str, new: str) -> None:
        self.undo_stack.push(LeadEditCommand(self.model, lead_id, field, old, new))

    def _on_bulk_busy(self, text: str) -> None:
        if text:
            self.message_bar.hide()
            self.progress.begin(text, cancellable=self._bulk_cancellable())
        else:
            self.progress.finish()

    def _on_bulk_progress(self, done: int, total: int) -> None:
        self.progress.set_progress(done, total)
        # Once every lead is written only the commit is left: too late to cancel.
        self.progress.set_cancellable(self._bulk_cancellable() and done < total)

    def _bulk_cancellable(self) -> bool:
        return self.bulk_actions is not None and self.bulk_actions.cancellable

    def _on_bulk_cancelled(self) -> None:
        self.message_bar.show_message(
            self.tr("Cancelled; no lead was changed."), kind="info", timeout_ms=6000)

    def _on_bulk_changed(self) -> None:
        self.refresh()
        self.leadsChanged.emit()

    def _load_choices(self) -> None:
        if self._choices is None:
            return
        (
            op(self._choices, parent=self)
            .success(lambda result: self._choices_arrived(*result))
            .failure(lambda _exc: None)  # owner/campaign pickers stay empty
            .run()
        )

    def _choices_arrived(self, owners: list[Choice], campaigns: list[Choice]) -> None:
        self.filters.panel.set_owner_choices(owners)
        self.filters.panel.set_campaign_choices(campaigns)
        self.detail.set_choices(owners, campaigns)
        if self.bulk_actions is not None:
            self.bulk_actions.set_owner_choices(owners)
            self.bulk_actions.set_campaign_choices(campaigns)

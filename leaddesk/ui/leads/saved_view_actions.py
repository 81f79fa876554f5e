"""The user's saved views in the leads view's filter bar: listed from the service, applied
when one is chosen (filters, sort and columns), saved under a name, deleted."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QWidget

from leaddesk.services.leads.query import LeadQuery, LeadSort
from leaddesk.services.leads.saved_views import SavedViewRecord, SavedViewService
from leaddesk.ui.leads.filter_bar import LeadFilterBar
from leaddesk.ui.leads.lead_table import LeadTable
from leaddesk.ui.leads.model import LeadTableModel
from leaddesk.ui.operations import op


class SavedViewActions(QObject):
    """``service`` None: no saved views (the filter bar hides them). ``apply`` shows a query in
    a sort order; ``failed(text)`` says why a service call failed."""

    failed = Signal(str)

    def __init__(
        self,
        service: SavedViewService | None,
        filters: LeadFilterBar,
        table: LeadTable,
        model: LeadTableModel,
        apply: Callable[[LeadQuery, LeadSort], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._filters = filters
        self._table = table
        self._model = model
        self._apply = apply
        self._parent = parent
        self._views: dict[str, SavedViewRecord] = {}
        self._loaded = False
        filters.views.setVisible(service is not None)
        filters.views_button.setVisible(service is not None)
        filters.viewChosen.connect(self._apply_view)
        filters.saveViewRequested.connect(self._ask_name)
        filters.deleteViewRequested.connect(self.delete)

    def load(self, current: str = "") -> None:
        """List the views in the filter bar, ``current`` chosen."""
        if self._service is None:
            return
        service = self._service
        (
            op(service.list, parent=self)
            .success(lambda views: self._arrived(views, current))
            .failure(lambda exc: self.failed.emit(str(exc)))
            .run()
        )

    def _arrived(self, views: list[SavedViewRecord], current: str) -> None:
        self._views = {view.name: view for view in views}
        self._filters.set_views(list(self._views), current)
        self._loaded = True

    def loaded(self) -> bool:
        return self._loaded

    def _apply_view(self, name: str) -> None:
        view = self._views.get(name)
        if view is None:
            self._table.set_visible_columns((), remember=False)
            self._apply(LeadQuery(), LeadSort())
            return
        self._table.set_visible_columns(view.columns, remember=False)
        self._apply(view.query, view.sort)

    def _ask_name(self) -> None:
        name, ok = QInputDialog.getText(
            self._parent, self.tr("Save view"), self.tr("Name of the view:"),
            text=self._filters.current_view(),
        )
        if ok and name.strip():
            self.save(name.strip())

    def save(self, name: str) -> None:
        """Save the filters, sort and columns shown as the view ``name``."""
        if self._service is None:
            return
        service = self._service
        query, sort = self._filters.query(), self._model.lead_sort
        columns = self._table.visible_columns()
        self._loaded = False
        (
            op(lambda: service.save(name, query, sort, columns), parent=self)
            .success(lambda record: self.load(record.name))
            .failure(lambda exc: self.failed.emit(self.tr("View not saved: ") + str(exc)))
            .run()
        )

    def delete(self, name: str) -> None:
        if self._service is None or not name:
            return
        service = self._service
        self._loaded = False
        (
            op(lambda: service.delete(name), parent=self)
            .success(lambda _result: self.load())
            .failure(lambda exc: self.failed.emit(str(exc)))
            .run()
        )

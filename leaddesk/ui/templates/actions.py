"""The menu entries that open the template editor and the do-not-contact list, and the
"Edit…" button put beside the composer's template picker. The dialogs' modules (and the
template language under the preview) are imported when first opened, not at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QToolButton, QWidget

from leaddesk.store.change_feed import Change

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.leads.service import LeadRecord
    from leaddesk.ui.composer.view import ComposerView
    from leaddesk.ui.suppression.dialog import SuppressionDialog
    from leaddesk.ui.templates.dialog import TemplatesDialog


class MessageListActions(QObject):
    """``Templates…`` and ``Do-not-contact list…``; each opens its dialog (one at a time)."""

    def __init__(self, services: AppServices, window: QWidget) -> None:
        super().__init__(window)
        self._services = services
        self._window = window
        self.templates_dialog: TemplatesDialog | None = None
        self.suppression_dialog: SuppressionDialog | None = None
        self.composers: list[ComposerView] = []
        self.templates_action = QAction(self.tr("&Templates…"), self)
        self.templates_action.setToolTip(self.tr("Create, edit and delete message templates"))
        self.templates_action.triggered.connect(self.open_templates)
        self.suppression_action = QAction(self.tr("&Do-not-contact list…"), self)
        self.suppression_action.setToolTip(
            self.tr("Who must not be contacted, why and since when"))
        self.suppression_action.triggered.connect(self.open_suppression)

    def open_templates(self) -> TemplatesDialog:
        if self.templates_dialog is None:
            from leaddesk.ui.templates.dialog import TemplatesDialog

            leads = self._services.leads

            def sample() -> LeadRecord | None:
                rows = leads.page(limit=1).rows
                return rows[0] if rows else None

            self.templates_dialog = TemplatesDialog(self._services.templates, sample, self._window)
            self.templates_dialog.templatesChanged.connect(self._templates_changed)
            self.templates_dialog.finished.connect(lambda _r: self._closed("templates_dialog"))
        self.templates_dialog.open()
        return self.templates_dialog

    def open_suppression(self) -> SuppressionDialog:
        if self.suppression_dialog is None:
            from leaddesk.ui.suppression.dialog import SuppressionDialog

            self.suppression_dialog = SuppressionDialog(self._services.suppression, self._window)
            self.suppression_dialog.finished.connect(
                lambda _r: self._closed("suppression_dialog"))
        self.suppression_dialog.open()
        return self.suppression_dialog

    def _closed(self, name: str) -> None:
        dialog = getattr(self, name)
        setattr(self, name, None)
        if dialog is not None:
            dialog.deleteLater()

    def on_changes(self, change: Change) -> None:
        for dialog in (self.templates_dialog, self.suppression_dialog):
            if dialog is not None:
                dialog.on_changes(change)

    def attach(self, composer: ComposerView) -> None:
        """Put an "Edit…" button beside the composer's template picker; the composer lists
        the templates again after they were edited."""
        combo = composer.form.template
        form = combo.parentWidget().layout() if combo.parentWidget() else None
        if not isinstance(form, QFormLayout):
            return
        row, role = form.getWidgetPosition(combo)
        form.removeWidget(combo)
        box = QWidget()
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(combo, 1)
        button = QToolButton()
        button.setObjectName("EditTemplatesButton")
        button.setText(self.tr("Edit…"))
        button.setToolTip(self.templates_action.toolTip())
        button.clicked.connect(self.open_templates)
        line.addWidget(button)
        form.setWidget(row, role, box)
        self.composers.append(composer)

    def _templates_changed(self) -> None:
        for composer in self.composers:
            composer.refresh()

"""The window's sign that it shows demo data, and the way out: a badge and a "Remove demo
data…" button in the status bar and the same action in the File menu, shown while the database
is marked as a demo; removing asks first, then runs ``demo_rows.remove`` off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QMessageBox, QPushButton, QWidget

from leaddesk.services import demo_rows
from leaddesk.services.app_services import AppServices
from leaddesk.store.change_feed import Change
from leaddesk.store.enums import Role
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import badge, muted


class DemoMark(QObject):
    """Owned by the main window; ``is_demo`` is None until the first read answers."""

    def __init__(self, window: QMainWindow, services: AppServices) -> None:
        super().__init__(window)
        self._window, self._services = window, services
        self.is_demo: bool | None = None
        self.confirm: QMessageBox | None = None
        self.remove_action = QAction(self.tr("Remove &demo data…"), self)
        self.remove_action.setToolTip(self.tr(
            "Delete the sample leads, campaigns, templates, messages, tasks and credits the "
            "demo made; your own work stays"))
        self.remove_action.triggered.connect(self.ask_to_remove)
        self.remove_action.setVisible(False)
        self.widget = QWidget()
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(8)
        self.badge = badge(self.tr("Demo data"), "paused")
        self.note = muted(self.tr("sample leads and free credits, not real work"))
        self.note.setWordWrap(False)
        self.button = QPushButton(self.tr("Remove demo data…"))
        self.button.setFlat(True)
        self.button.setStyleSheet("QPushButton { color: palette(link); font-weight: 600; }")
        self.button.clicked.connect(self.ask_to_remove)
        for part in (self.badge, self.note, self.button):
            layout.addWidget(part)
        self.widget.setVisible(False)
        self.widget.setObjectName("DemoMark")
        window.statusBar().insertWidget(0, self.widget)
        self.refresh()

    def refresh(self) -> None:
        """Read the demo mark and show or hide the badge and the action."""
        op(self._services.credits.is_demo_database, parent=self).success(self._show).run()

    def _show(self, is_demo: bool) -> None:
        self.is_demo = bool(is_demo)
        admin = self._services.ctx.actor.role is Role.ADMIN
        self.widget.setVisible(self.is_demo)
        self.button.setVisible(self.is_demo and admin)
        self.remove_action.setVisible(self.is_demo and admin)

    def on_changes(self, change: Change) -> None:
        """The mark is a setting: reread when settings (or anything, from outside) changed."""
        if change.touches("app_settings"):
            self.refresh()

    def ask_to_remove(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Question, self.tr("Remove demo data"),
            self.tr("Remove all demo data from this database?"),
            QMessageBox.StandardButton.Cancel, self._window)
        box.setInformativeText(self.tr(
            "The sample leads, campaigns, templates, messages, tasks, activity and credit lines "
            "the demo made are deleted, with the free credits. Leads, campaigns and messages you "
            "made yourself stay. This cannot be undone."))
        remove = box.addButton(self.tr("Remove demo data"), QMessageBox.ButtonRole.DestructiveRole)
        remove.clicked.connect(self.remove)
        box.open()
        self.confirm = box
        return box

    def remove(self) -> None:
        """Delete the demo rows in the background, then reload the window."""
        self.button.setEnabled(False)
        self.remove_action.setEnabled(False)
        op(lambda: demo_rows.remove(self._services.ctx), parent=self).success(
            self._removed).finished(self._enable).run()

    def _removed(self, report: demo_rows.RemovalReport) -> None:
        self._show(False)
        self._window.statusBar().showMessage(self.tr(
            "Demo data removed: %1 leads, %2 campaigns.").replace("%1", f"{report.leads:,}")
            .replace("%2", str(report.campaigns)), 8000)
        refresh_all = getattr(self._window, "refresh_all", None)
        if refresh_all is not None:
            refresh_all()

    def _enable(self) -> None:
        self.button.setEnabled(True)
        self.remove_action.setEnabled(True)


def install(window: QMainWindow, services: AppServices) -> DemoMark:
    """Put the mark in ``window``'s status bar and its action in the File menu (before Quit)."""
    mark = DemoMark(window, services)
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    if menus:
        file_menu = menus[0]
        quit_actions = [a for a in file_menu.actions()
                        if a.menuRole() == QAction.MenuRole.QuitRole]
        before = quit_actions[0] if quit_actions else None
        file_menu.insertAction(before, mark.remove_action)  # type: ignore[arg-type]
    changes = getattr(window, "changes", None)
    if changes is not None:
        changes.changed.connect(mark.on_changes)
    return mark

"""The lead table's right-click actions for the lead under the mouse: edit it in the detail
panel, add a note or a task there, copy its email or phone, open its LinkedIn profile, call or
email it through the operating system (``tel:`` and ``mailto:`` links)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu

from leaddesk.services.leads.service import LeadRecord


class LeadContextActions(QObject):
    """``current()`` gives the lead the actions act on (None: no lead; all disabled).
    ``edit``, ``add_note`` and ``add_task`` take the rep to the detail panel's forms."""

    def __init__(
        self,
        current: Callable[[], LeadRecord | None],
        edit: Callable[[], None],
        add_note: Callable[[], None],
        add_task: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._current = current
        self.edit_action = self._action(self.tr("&Edit lead"), edit)
        self.note_action = self._action(self.tr("Add &note…"), add_note)
        self.task_action = self._action(self.tr("Add &task…"), add_task)
        self.copy_email_action = self._action(
            self.tr("Copy &email"), lambda: self._copy(self._field("email")))
        self.copy_phone_action = self._action(
            self.tr("Copy &phone"), lambda: self._copy(self._field("phone")))
        self.linkedin_action = self._action(
            self.tr("Open &LinkedIn profile"),
            lambda: self._open(self._field("linkedin_url")))
        self.call_action = self._action(
            self.tr("&Call"), lambda: self._open("tel:" + self._field("phone")))
        self.mail_action = self._action(
            self.tr("E&mail from my mail app"),
            lambda: self._open("mailto:" + self._field("email")))
        #: The last link handed to the operating system (what a test checks).
        self.last_opened = ""

    def _action(self, text: str, run: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(run)
        return action

    def actions(self) -> list[QAction | None]:
        """In menu order; None is a separator."""
        return [self.edit_action, self.note_action, self.task_action, None,
                self.copy_email_action, self.copy_phone_action, None,
                self.call_action, self.mail_action, self.linkedin_action]

    def add_to(self, menu: QMenu) -> None:
        """Put the actions at the top of ``menu``, and refresh them each time it opens."""
        first = menu.actions()[0] if menu.actions() else None
        for action in self.actions():
            if action is None:
                menu.insertSeparator(first) if first is not None else menu.addSeparator()
            elif first is not None:
                menu.insertAction(first, action)
            else:
                menu.addAction(action)
        if first is not None:
            menu.insertSeparator(first)
        menu.aboutToShow.connect(self.refresh)

    def refresh(self) -> None:
        """Enable what the current lead has: no phone, no Call or Copy phone."""
        lead = self._current()
        has = {
            "lead": lead is not None,
            "email": bool(lead and lead.email),
            "phone": bool(lead and lead.phone),
            "linkedin": bool(lead and lead.linkedin_url),
        }
        for action, need in ((self.edit_action, "lead"), (self.note_action, "lead"),
                             (self.task_action, "lead"), (self.copy_email_action, "email"),
                             (self.mail_action, "email"), (self.copy_phone_action, "phone"),
                             (self.call_action, "phone"), (self.linkedin_action, "linkedin")):
            action.setEnabled(has[need])

    def _field(self, name: str) -> str:
        lead = self._current()
        return str(getattr(lead, name) or "") if lead is not None else ""

    def _copy(self, text: str) -> None:
        if text:
            QGuiApplication.clipboard().setText(text)

    def _open(self, link: str) -> None:
        if link.endswith(":"):
            return
        self.last_opened = link
        QDesktopServices.openUrl(QUrl(link))

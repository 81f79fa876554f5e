"""What the small settings pages share: a title, an intro, a form and a Save with its message."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import ServiceError
from leaddesk.store.enums import Role
from leaddesk.ui.widgets import MessageBar, muted, title


class SettingsPage(QWidget):
    """Subclasses fill ``self.form`` and implement ``load`` and ``save``."""

    def __init__(self, heading: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = MessageBar()
        #: True for someone who may look but not change (see ``admins_only``).
        self.read_only = False
        self.form = QFormLayout()
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(lambda: self.run(self.save, self.tr("Saved.")))
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.save_button)
        self.body = QVBoxLayout(self)
        self.body.addWidget(title(heading))
        self.body.addWidget(muted(intro))
        self.body.addWidget(self.message)
        self.body.addLayout(self.form)
        self.extra = QVBoxLayout()
        self.body.addLayout(self.extra, 1)
        self.body.addLayout(self.buttons)

    def admins_only(self, ctx: ServiceContext) -> None:
        """Database-wide settings: shown to everyone, changed by admins (the service refuses
        anyone else anyway; this says so before they try)."""
        if ctx.actor.role is not Role.ADMIN:
            self.read_only = True
            self.save_button.setEnabled(False)
            self.save_button.setToolTip(self.tr("Only an admin changes these settings."))
            self.message.show_message(self.tr("Only an admin changes these settings."), "info")

    def load(self) -> None:
        raise NotImplementedError

    def save(self) -> None:
        raise NotImplementedError

    def run(self, action: Callable[[], object], done: str) -> bool:
        """Run a save; its refusal (a bad value, no permission) shows on the page."""
        try:
            action()
        except ServiceError as exc:
            self.message.show_message(str(exc))
            return False
        self.message.show_message(done, "info", 4000)
        self.load()
        return True

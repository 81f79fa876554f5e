"""The first run's choices: create the admin (sign-in required) or no login on this computer,
and whether the database starts empty or with demo data to look around."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.context import Actor
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import FieldErrors, dialog_buttons, error_label, muted, title

CreateAdmin = Callable[[str, str, str], Actor]
DEMO_LEADS = 2_000


@dataclass
class StartChoice:
    """What the first-run dialog decided beyond signing in (filled when it is accepted)."""

    asked: bool = False
    demo: bool = False


class FirstRunDialog(QDialog):
    """Emits ``done(Actor)`` after the chosen set-up was stored."""

    done = Signal(object)

    def __init__(self, create_admin: CreateAdmin, no_login: Callable[[], Actor],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Welcome to LeadDesk"))
        self.setMinimumWidth(460)
        self._create_admin, self._no_login = create_admin, no_login
        self.with_login = QRadioButton(self.tr("Require sign-in: create the admin account"))
        self.without_login = QRadioButton(
            self.tr("No login on this computer (whoever uses this OS account is trusted)"))
        self.with_login.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.with_login)
        group.addButton(self.without_login)
        self.username, self.name = QLineEdit(), QLineEdit()
        self.password, self.confirm = QLineEdit(), QLineEdit()
        for field in (self.password, self.confirm):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        labels = {k: error_label() for k in ("username", "name", "password")}
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.addRow(self.tr("User name"), self.username)
        form.addRow("", labels["username"])
        form.addRow(self.tr("Full name"), self.name)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Again"), self.confirm)
        form.addRow("", labels["password"])
        general = error_label()
        self.errors = FieldErrors(labels, general)
        self.with_login.toggled.connect(self.form.setEnabled)
        self.start_empty = QRadioButton(self.tr("Start with an empty database"))
        self.with_demo = QRadioButton(self.tr(
            "Demo data to look around (%1 sample leads, campaigns, credits)")
            .replace("%1", f"{DEMO_LEADS:,}"))
        self.start_empty.setChecked(True)
        data_group = QButtonGroup(self)
        data_group.addButton(self.start_empty)
        data_group.addButton(self.with_demo)
        self.buttons = dialog_buttons(
            self, self.finish, QDialogButtonBox.StandardButton.Ok, self.tr("Start"), cancel=False
        )
        layout = QVBoxLayout(self)
        layout.addWidget(title(self.tr("How should people sign in?")))
        layout.addWidget(muted(self.tr(
            "You can change this later in Edit ▸ Settings…; team members are added in "
            "Team ▸ Users…")))
        layout.addWidget(self.with_login)
        layout.addWidget(self.form)
        layout.addWidget(self.without_login)
        layout.addSpacing(8)
        layout.addWidget(title(self.tr("What should the database start with?")))
        layout.addWidget(self.start_empty)
        layout.addWidget(self.with_demo)
        layout.addWidget(muted(self.tr(
            "Demo data is marked in the window and removed in one step (File ▸ Remove demo "
            "data…) when you start real work.")))
        layout.addWidget(general)
        layout.addWidget(self.buttons)

    def finish(self) -> None:
        self.errors.clear()
        if self.with_login.isChecked():
            if self.password.text() != self.confirm.text():
                self.errors.show("password", self.tr("The passwords differ."))
                return
            create, args = self._create_admin, (
                self.username.text(), self.name.text(), self.password.text())

            def work() -> Actor:
                return create(*args)
        else:
            work = self._no_login
        self.buttons.setEnabled(False)
        op(work, parent=self).success(self._stored).failure(self._refused).run()

    def _stored(self, actor: Actor) -> None:
        self.password.clear()
        self.confirm.clear()
        self.done.emit(actor)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.errors.show_error(exc)

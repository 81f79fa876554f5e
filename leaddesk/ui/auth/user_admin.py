"""The admin's user screen: add people, change roles, deactivate, reset passwords."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.team.users import UserRecord, UserService
from leaddesk.ui import formatting
from leaddesk.ui.operations import op
from leaddesk.ui.widgets import (
    FieldErrors,
    MessageBar,
    dialog_buttons,
    elided_combo,
    error_label,
    title,
)

ROLES = ("rep", "manager", "admin")
COLUMNS = ("User name", "Name", "Role", "Manager", "Status", "Last sign-in")


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class UserDialog(QDialog):
    """A new user's details and first password; the service validates each field."""

    def __init__(self, managers: list[UserRecord], save: Callable[[dict[str, Any]], Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add user"))
        self.setMinimumWidth(420)
        self._save = save
        self.inputs = {"username": QLineEdit(), "name": QLineEdit(), "email": QLineEdit()}
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(formatting.label(role), role)
        self.manager = elided_combo()
        self.manager.addItem(self.tr("(none)"), None)
        for m in managers:
            self.manager.addItem(m.name or m.username, m.id)
        self.password, self.confirm = password_field(), password_field()
        labels = {k: error_label() for k in ("username", "name", "email", "role", "manager_id",
                                            "password")}
        form = QFormLayout()
        for key, caption in (("username", self.tr("User name")), ("name", self.tr("Full name")),
                             ("email", self.tr("Email"))):
            form.addRow(caption, self.inputs[key])
            form.addRow("", labels[key])
        form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Manager"), self.manager)
        form.addRow("", labels["manager_id"])
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Again"), self.confirm)
        form.addRow("", labels["password"])
        general = error_label()
        self.errors = FieldErrors(labels, general)
        self.buttons = dialog_buttons(self, self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(general)
        layout.addWidget(self.buttons)

    def values(self) -> dict[str, Any]:
        return {
            **{k: w.text().strip() for k, w in self.inputs.items()},
            "role": self.role.currentData(),
            "manager_id": self.manager.currentData(),
            "password": self.password.text(),
        }

    def submit(self) -> None:
        self.errors.clear()
        if self.password.text() != self.confirm.text():
            self.errors.show("password", self.tr("The passwords differ."))
            return
        data, save = self.values(), self._save
        self.buttons.setEnabled(False)
        op(lambda: save(data), parent=self).success(self._done).failure(self._refused).run()

    def _done(self, _record: object) -> None:
        self.password.clear()
        self.confirm.clear()
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.errors.show_error(exc)


class PasswordDialog(QDialog):
    """A new password for one user, typed twice."""

    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reset password of {0}").format(username))
        self.password, self.confirm = password_field(), password_field()
        self.error = error_label()
        form = QFormLayout()
        form.addRow(self.tr("New password"), self.password)
        form.addRow(self.tr("Again"), self.confirm)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if self.password.text() != self.confirm.text():
            self.error.setText(self.tr("The passwords differ."))
            self.error.show()
            return
        self.accept()


class UserAdminView(QWidget):
    """The team's users in a table, with the admin's actions on the selected one."""

    def __init__(self, users: UserService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._users = users
        self.records: list[UserRecord] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.message = MessageBar()
        self.add_button = QPushButton(self.tr("Add user…"))
        self.add_button.setProperty("primary", True)
        self.role_box = QComboBox()
        for role in ROLES:
            self.role_box.addItem(formatting.label(role), role)
        self.role_button = QPushButton(self.tr("Set role"))
        self.active_button = QPushButton(self.tr("Deactivate"))
        self.password_button = QPushButton(self.tr("Reset password…"))
        self.add_button.clicked.connect(self.add_user)
        self.role_button.clicked.connect(self.set_role)
        self.active_button.clicked.connect(self.toggle_active)
        self.password_button.clicked.connect(self.reset_password)
        actions = QHBoxLayout()
        actions.addWidget(self.add_button)
        actions.addStretch(1)
        for widget in (self.role_box, self.role_button, self.active_button,
                       self.password_button):
            actions.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(title(self.tr("Users")))
        layout.addWidget(self.message)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        self._selection_changed()
        self.refresh()

    # -- data --------------------------------------------------------------------------------
    def refresh(self) -> None:
        users = self._users
        op(users.list, parent=self).success(self._show).failure(self._failed).run()

    def _show(self, records: list[UserRecord]) -> None:
        self.records = records
        names = {r.id: r.name or r.username for r in records}
        self.table.setRowCount(len(records))
        for row, r in enumerate(records):
            last = formatting.date_time(r.last_login_at)
            cells = (r.username, r.name, formatting.label(r.role),
                     names.get(r.manager_id, "") if r.manager_id else "",
                     self.tr("Active") if r.is_active else self.tr("Deactivated"), last)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                item.setData(Qt.ItemDataRole.UserRole, str(r.id))
                self.table.setItem(row, col, item)
        self._selection_changed()

    def selected(self) -> UserRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.records[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        record = self.selected()
        for widget in (self.role_box, self.role_button, self.active_button,
                       self.password_button):
            widget.setEnabled(record is not None)
        if record is not None:
            self.role_box.setCurrentIndex(max(self.role_box.findData(record.role), 0))
            self.active_button.setText(
                self.tr("Deactivate") if record.is_active else self.tr("Reactivate"))

    # -- actions -----------------------------------------------------------------------------
    def _run(self, fn: Callable[[], Any], done: str) -> None:
        op(fn, parent=self).success(lambda _r: self._did(done)).failure(self._failed).run()

    def _did(self, done: str) -> None:
        self.message.show_message(done, kind="info", timeout_ms=4000)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.message.show_message(str(exc), kind="error")

    def add_user(self) -> UserDialog:
        users = self._users
        managers = [r for r in self.records if r.role == "manager" and r.is_active]

        def save(data: dict[str, Any]) -> UserRecord:
            return users.add(data["username"], data["name"], data["role"], data["password"],
                             email=data["email"], manager_id=data["manager_id"])

        dialog = UserDialog(managers, save, self)
        dialog.accepted.connect(lambda: self._did(self.tr("User added.")))
        dialog.open()
        return dialog

    def set_role(self) -> None:
        record, users = self.selected(), self._users
        if record is not None:
            role, user_id = self.role_box.currentData(), record.id
            manager = record.manager_id if role == "rep" else None
            self._run(lambda: users.set_role(user_id, role, manager),
                      self.tr("{0} is now {1}.").format(record.username, role))

    def toggle_active(self) -> None:
        record, users = self.selected(), self._users
        if record is not None:
            user_id, active = record.id, not record.is_active
            done = self.tr("{0} reactivated.") if active else self.tr("{0} deactivated.")
            self._run(lambda: users.set_active(user_id, active), done.format(record.username))

    def reset_password(self) -> PasswordDialog | None:
        record = self.selected()
        if record is None:
            return None
        dialog = PasswordDialog(record.username, self)
        users, user_id = self._users, record.id

        def apply() -> None:
            secret = dialog.password.text()
            dialog.password.clear()
            dialog.confirm.clear()
            self._run(lambda: users.reset_password(user_id, secret),
                      self.tr("Password of {0} reset.").format(record.username))

        dialog.accepted.connect(apply)
        dialog.open()
        return dialog

    def select_user(self, user_id: uuid.UUID) -> None:
        for row, record in enumerate(self.records):
            if record.id == user_id:
                self.table.selectRow(row)

"""Settings ▸ Sign-in: "no login on this computer" or password sign-in (admins only).

A team (PostgreSQL) database always signs in as each member's database role; the page says so
instead of offering a choice that would not apply.
"""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QRadioButton, QWidget

from leaddesk.services.context import ServiceContext
from leaddesk.services.preferences import values
from leaddesk.services.team.users import team_database
from leaddesk.store.change_feed import Change
from leaddesk.store.enums import LoginMode
from leaddesk.ui.settings.page_base import SettingsPage
from leaddesk.ui.widgets import muted


class SignInPage(SettingsPage):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Sign-in"),
            self.tr("How people sign in to this database. Password sign-in needs an admin with "
                    "a password (Team ▸ Users…). Sign out or switch user from the File menu."),
            parent)
        self._ctx = ctx
        self.admins_only(ctx)
        self.none = QRadioButton(self.tr("No login on this computer (whoever uses this "
                                         "computer account acts as the local admin)"))
        self.password = QRadioButton(self.tr("Password sign-in (each person signs in with "
                                             "their user name and password)"))
        self.group = QButtonGroup(self)
        self.group.addButton(self.none)
        self.group.addButton(self.password)
        self.note = muted()
        self.extra.addWidget(self.none)
        self.extra.addWidget(self.password)
        self.extra.addWidget(self.note)
        self.extra.addStretch(1)
        self.team = team_database(ctx.store)
        self.load()

    def load(self) -> None:
        mode = values.show(self._ctx)[values.LOGIN_MODE]
        (self.password if mode == LoginMode.PASSWORD.value else self.none).setChecked(True)
        if self.team:
            self.note.setText(self.tr("This is a team database: everyone signs in as their "
                                      "own database user."))
        for widget in (self.none, self.password, self.save_button):
            widget.setEnabled(not self.team and not self.read_only)

    def chosen(self) -> str:
        return (LoginMode.PASSWORD if self.password.isChecked() else LoginMode.NONE).value

    def save(self) -> None:
        values.put(self._ctx, values.LOGIN_MODE, self.chosen())

    def on_changes(self, change: Change) -> None:
        if change.touches("app_settings"):
            self.load()

"""Signing in when the window opens: the first-run choice, or the sign-in dialog.

``dialog_sign_in(settings)`` returns the ``sign_in(store)`` callable that ``AppServices.open``
calls with the migrated database: a database without a sign-in mode shows the first-run dialog
(create the admin, or no login on this computer), one in ``password`` mode the sign-in dialog,
and one in ``none`` mode signs nobody in (the local admin acts). Closing a dialog raises
:class:`SignInCancelled` (the application then quits without opening its window).

``show`` is how a dialog is shown: modally (``exec``) in the application, a driver that fills
the fields and clicks in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, SignalInstance
from PySide6.QtWidgets import QDialog

from leaddesk.services.context import Actor
from leaddesk.services.team import auth, passwords
from leaddesk.services.team.team_mode import TeamSession, connect
from leaddesk.services.team.users import ensure_local_user
from leaddesk.store.database import Store
from leaddesk.ui.auth.first_run import FirstRunDialog, StartChoice
from leaddesk.ui.auth.login_dialog import LoginDialog

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices

ShowDialog = Callable[[QDialog], object]


class SignInCancelled(Exception):
    """The user closed the first-run or sign-in dialog."""


def exec_dialog(dialog: QDialog) -> object:
    return dialog.exec()


def dialog_sign_in(
    settings: QSettings,
    show: ShowDialog = exec_dialog,
    where: str = "",
    throttle: passwords.LoginThrottle | None = None,
    choice: StartChoice | None = None,
) -> Callable[[Store], Actor]:
    """``sign_in(store)`` for ``AppServices.open``, asking with dialogs; the first-run
    dialog's other choices (demo data or empty) are written into ``choice``."""

    def sign_in(store: Store) -> Actor:
        mode = auth.login_mode(store)
        if mode is auth.LoginMode.NONE:
            return ensure_local_user(store)
        if mode is None:
            first = FirstRunDialog(
                lambda user, name, secret: auth.create_first_admin(store, user, name, secret),
                lambda: auth.choose_no_login(store),
            )
            if choice is not None:
                first.done.connect(lambda _actor: _remember(choice, first))
            return _ask(first, first.done, show)
        login = LoginDialog(auth.LoginService(store, throttle).login, settings, where)
        return _ask(login, login.signed_in, show)

    return sign_in


def _remember(choice: StartChoice, dialog: FirstRunDialog) -> None:
    choice.asked, choice.demo = True, dialog.with_demo.isChecked()


def _ask(dialog: QDialog, done: SignalInstance, show: ShowDialog) -> Actor:
    result: list[Actor] = []
    done.connect(result.append)
    try:
        show(dialog)
    finally:
        dialog.close()
        dialog.deleteLater()
    if not result:
        raise SignInCancelled()
    return result[0]


def team_sign_in(
    url: str, settings: QSettings, show: ShowDialog = exec_dialog, where: str = ""
) -> TeamSession:
    """Sign in to a team database (``url`` without a user) as a member's own database role."""
    dialog = LoginDialog(lambda user, secret: connect(url, user, secret),  # type: ignore[arg-type,return-value]
                         settings, where)
    return _ask(dialog, dialog.signed_in, show)  # type: ignore[return-value]


def sign_in_again(
    services: AppServices, settings: QSettings, show: ShowDialog = exec_dialog
) -> AppServices:
    """Sign out and back in on the same database (File ▸ Sign out / switch user): the sign-in
    dialog again, and the services of whoever signs in (raises :class:`SignInCancelled`)."""
    from leaddesk.services.app_services import AppServices

    url = services.store.engine.url
    if url.get_backend_name() == "postgresql":
        base = url.set(username=None, password=None)
        member = team_sign_in(base.render_as_string(hide_password=False), settings, show,
                              where=f"{url.database} on {url.host}")
        return AppServices(member.context())
    where = f"{Path(url.database or '').name} on this computer"
    return AppServices.open(url.render_as_string(hide_password=False),
                            sign_in=dialog_sign_in(settings, show, where))

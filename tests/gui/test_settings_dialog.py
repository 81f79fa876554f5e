"""The Settings dialog: each page saves and shows again what it saved; channels are added,
tested against real servers on loopback (aiosmtpd, the Twilio-compatible fake) and removed.

Dialogs a page opens go through the dialog's ``show`` seam (a driver here, never ``exec``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from leaddesk.services import settings
from leaddesk.services.app_services import AppServices
from leaddesk.services.messaging.integrations import IntegrationService
from leaddesk.services.preferences import credentials, local
from leaddesk.services.team import auth
from leaddesk.store.change_feed import Change
from leaddesk.ui import theme
from leaddesk.ui.settings.channel_form import ChannelForm
from leaddesk.ui.settings.dialog import PAGES, SettingsDialog
from leaddesk.ui.settings.master_password import MasterPasswordDialog
from tests.fakes.smtp_server import FakeSmtpServer
from tests.fakes.twilio_spec import SPEC_MISSING_REASON, spec_available

SMTP_USER, SMTP_PASSWORD = "sales", "smtp-pw-1"
Driver = Callable[[QDialog], object]


class Drive:
    """Answers the dialogs a page opens, in order, with the given functions."""

    def __init__(self, *steps: Driver) -> None:
        self.steps = list(steps)
        self.seen: list[QDialog] = []

    def __call__(self, dialog: QDialog) -> object:
        self.seen.append(dialog)
        return self.steps.pop(0)(dialog)


@pytest.fixture
def dialog_for(qtbot: Any, app: AppServices) -> Callable[..., SettingsDialog]:
    def make(show: Driver | None = None) -> SettingsDialog:
        dialog = SettingsDialog(app.ctx, show=show or Drive())
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


@pytest.fixture
def light_again(qapp: QApplication) -> Iterator[None]:
    yield
    qapp.setStyleSheet("")
    qapp.setPalette(theme.palette(theme.LIGHT))


def test_every_page_is_there_and_shows(dialog_for) -> None:  # type: ignore[no-untyped-def]
    dialog = dialog_for()
    assert dialog.list.count() == len(PAGES)
    for name in PAGES:
        assert dialog.show_page(name) is dialog.stack.currentWidget()


def test_sender_saves_and_reloads(dialog_for, app: AppServices) -> None:  # type: ignore[no-untyped-def]
    page = dialog_for().show_page("sender")
    page.name.setText("Ann Example")
    page.signature.setPlainText("Best,\nAnn")
    page.address.setPlainText("1 Example Street, Town")
    page.save_button.click()
    assert page.message.text.text() == "Saved."
    assert settings.get(app.store, settings.SENDER_POSTAL_ADDRESS) == "1 Example Street, Town"
    again = dialog_for().show_page("sender")
    assert (again.name.text(), again.signature.toPlainText()) == ("Ann Example", "Best,\nAnn")
    page.address.setPlainText("x" * 501)
    page.save_button.click()
    assert "sender.postal_address: is 501 characters long" in page.message.text.text()
    # a write elsewhere reaches the page through on_changes
    settings.put(app.store, settings.SENDER_NAME, "Bo Example")
    again.on_changes(Change(frozenset({"app_settings"})))
    assert again.name.text() == "Bo Example"


def test_phone_region_searches_saves_and_reloads(dialog_for, app: AppServices) -> None:  # type: ignore[no-untyped-def]
    page = dialog_for().show_page("region")
    page.search.setText("kingdom")
    shown = [page.list.item(r).text() for r in range(page.list.count())
             if not page.list.item(r).isHidden()]
    assert shown == ["United Kingdom (GB)"]
    page.search.setText("de")  # a code matches exactly, names by part
    assert "Germany (DE)" in [page.list.item(r).text() for r in range(page.list.count())
                              if not page.list.item(r).isHidden()]
    page.select("GB")
    page.save_button.click()
    assert settings.get(app.store, settings.PHONE_DEFAULT_REGION) == "GB"
    again = dialog_for().show_page("region")
    assert again.chosen() == "GB" and "Saved: GB." in again.current.text()


def test_caps_preset_and_numbers_save(dialog_for, app: AppServices, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    page = dialog_for().show_page("caps")
    assert not page.save_button.isEnabled()
    assert "No channels yet" in page.effective.text()
    integrations = IntegrationService(app.ctx)
    integrations.add("email", "work", {"host": "127.0.0.1", "port": 25,
                                       "from_address": "sales@example.org"})
    page.on_changes(Change(frozenset({"integrations"})))
    assert page.channel.currentText() == "work (email)"
    assert page.effective.text() == "In force: 500 a day (the default for its kind)."
    page.preset.setCurrentIndex(page.preset.findData("google_workspace"))
    page.apply_button.click()
    assert integrations.get("work").settings["daily_cap"] == 2_000
    assert page.daily.value() == 2_000
    page.hourly.setValue(120)
    page.per_minute.setValue(20)
    page.save_button.click()
    saved = integrations.get("work").settings
    assert (saved["daily_cap"], saved["hourly_cap"], saved["rate_per_minute"]) == (2000, 120, 20)
    again = dialog_for().show_page("caps")
    assert (again.daily.value(), again.hourly.value()) == (2_000, 120)


def test_sign_in_mode_saves(dialog_for, app: AppServices) -> None:  # type: ignore[no-untyped-def]
    page = dialog_for().show_page("sign_in")
    page.password.setChecked(True)
    page.save_button.click()  # nobody has a password yet: refused, said on the page
    assert "first give an admin a password" in page.message.text.text()
    page.none.setChecked(True)
    page.save_button.click()
    assert auth.login_mode(app.store) is auth.LoginMode.NONE
    assert dialog_for().show_page("sign_in").none.isChecked()


def test_appearance_applies_the_dark_theme(dialog_for, qapp, light_again) -> None:  # type: ignore[no-untyped-def]
    page = dialog_for().show_page("appearance")
    assert page.choices["system"].isChecked()
    page.choices["dark"].setChecked(True)
    page.save_button.click()
    assert local.theme() == "dark" and theme.current() == "dark"
    assert qapp.palette().color(qapp.palette().ColorRole.Window).name() == "#111318"
    assert dialog_for().show_page("appearance").choices["dark"].isChecked()


def test_data_page_backs_up_now(qtbot, dialog_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = dialog_for().show_page("data")
    assert str(tmp_path / "leaddesk.db") in page.url.text()
    assert page.list.item(0).text() == "No backups yet."
    page.save_button.click()
    qtbot.waitUntil(lambda: len(page.backups) == 1, timeout=10_000)
    assert page.backups[0].path.is_file()
    assert "Backed up to" in page.message.text.text()


def _fill_email(port: int, password: str) -> Driver:
    def fill(form: QDialog) -> object:
        assert isinstance(form, ChannelForm)
        form.kind.setCurrentIndex(form.kind.findData("email"))
        form.name.setText("Work mail")
        edits = form.fields["email"]
        edits["from_address"].setText("sales@example.org")
        edits["host"].setText("127.0.0.1")
        edits["username"].setText(SMTP_USER)
        edits["smtp_password"].setText(password)
        form.ports["email"].setValue(port)
        form.security["email"].setCurrentIndex(form.security["email"].findData("none"))
        assert form.plaintext_login.isVisibleTo(form)
        form.plaintext_login.setChecked(True)  # the test server has no TLS
        form.submit()
        return form.result()

    return fill


def _test_and_wait(qtbot, page) -> str:  # type: ignore[no-untyped-def]
    page.table.selectRow(0)
    page.test_button.click()
    qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=20_000)
    return page.message.text.text()


def test_email_channel_added_tested_against_smtp_and_removed(  # type: ignore[no-untyped-def]
        qtbot, dialog_for, app: AppServices, memory_keyring) -> None:
    with FakeSmtpServer(users={SMTP_USER: SMTP_PASSWORD}) as smtp:
        drive = Drive(_fill_email(smtp.port, SMTP_PASSWORD))
        page = dialog_for(drive).show_page("channels")
        page.add_button.click()
        assert page.table.rowCount() == 1 and page.table.item(0, 0).text() == "Work mail"
        assert "smtp-pw-1" in memory_keyring.secrets.values()
        assert _test_and_wait(qtbot, page) == "Work mail: connected and signed in."
        assert page.table.item(0, 2).text() == "ok"

        def wrong_password(form: QDialog) -> object:
            assert isinstance(form, ChannelForm) and form.name.isReadOnly()
            form.fields["email"]["smtp_password"].setText("not-it")
            form.submit()
            return form.result()

        drive.steps.append(wrong_password)
        page.table.selectRow(0)
        page.edit_button.click()
        message = _test_and_wait(qtbot, page)
        assert message.startswith("Work mail: SMTP login failed: 535")
        assert page.table.item(0, 2).text() == "error"

    drive.steps.append(lambda box: QMessageBox.StandardButton.Yes)
    page.table.selectRow(0)
    page.remove_button.click()
    assert page.table.rowCount() == 0 and not memory_keyring.secrets
    assert IntegrationService(app.ctx).list() == []


def test_the_form_says_what_is_wrong_and_stays_open(dialog_for, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    def incomplete(form: QDialog) -> object:
        assert isinstance(form, ChannelForm)
        form.name.setText("Half")
        form.submit()
        assert not form.error.isHidden()
        return form.error.text()

    drive = Drive(incomplete)
    page = dialog_for(drive).show_page("channels")
    page.add_button.click()
    assert page.table.rowCount() == 0


@pytest.mark.skipif(not spec_available(), reason=SPEC_MISSING_REASON)
def test_twilio_channel_test_fetches_the_account(qtbot, dialog_for, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.twilio_server import FakeTwilioServer

    with FakeTwilioServer() as twilio:
        def fill(form: QDialog) -> object:
            assert isinstance(form, ChannelForm)
            form.kind.setCurrentIndex(form.kind.findData("twilio"))
            form.name.setText("Phone")
            edits = form.fields["twilio"]
            edits["account_sid"].setText(twilio.account_sid)
            edits["auth_token"].setText(twilio.auth_token)
            edits["from_number"].setText("+14155550123")
            edits["base_url"].setText(twilio.base_url)
            form.submit()
            return form.result()

        page = dialog_for(Drive(fill)).show_page("channels")
        page.add_button.click()
        assert _test_and_wait(qtbot, page) == "Phone: connected and signed in."
        assert any(r.path.endswith(f"/Accounts/{twilio.account_sid}.json")
                   for r in twilio.requests)


def test_without_a_keyring_a_new_master_password_is_asked_twice(  # type: ignore[no-untyped-def]
        dialog_for, app: AppServices) -> None:
    attempts: list[str] = []

    def master(dialog: QDialog) -> object:
        assert isinstance(dialog, MasterPasswordDialog) and dialog.new
        dialog.password.setText("master-1")
        dialog.again.setText("master-2")
        dialog.unlock()
        attempts.append(dialog.error.text())
        dialog.again.setText("master-1")
        dialog.unlock()
        return dialog.result()

    with FakeSmtpServer(users={SMTP_USER: SMTP_PASSWORD}) as smtp:
        drive = Drive(_fill_email(smtp.port, SMTP_PASSWORD), master)
        page = dialog_for(drive).show_page("channels")
        page.add_button.click()
    assert attempts == ["master password: the two entries differ; type the new master "
                        "password twice the same"]
    assert page.table.rowCount() == 1
    store = credentials.open_secret_store("master-1", force_file=True)
    record = IntegrationService(app.ctx).get("Work mail")
    assert store.get(record.id, "smtp_password") == SMTP_PASSWORD


def test_giving_up_on_the_master_password_says_why_and_adds_nothing(  # type: ignore[no-untyped-def]
        dialog_for, app: AppServices) -> None:
    def give_up(dialog: QDialog) -> object:
        assert isinstance(dialog, MasterPasswordDialog)
        dialog.reject()
        return dialog.result()

    def fill_and_see(form: QDialog) -> object:
        _fill_email(2525, "pw")(form)
        assert "master password" in form.error.text()  # type: ignore[attr-defined]
        form.reject()
        return form.result()

    IntegrationService(app.ctx).add("linkedin", "LinkedIn", {})
    drive = Drive(fill_and_see, give_up, lambda box: QMessageBox.StandardButton.Yes)
    page = dialog_for(drive).show_page("channels")
    page.add_button.click()
    assert page.table.rowCount() == 1
    page.table.selectRow(0)  # LinkedIn has no secrets: removing it asks for no password
    page.remove_button.click()
    assert page.table.rowCount() == 0 and not drive.steps


def test_a_rep_sees_the_database_settings_but_cannot_save_them(  # type: ignore[no-untyped-def]
        qtbot, app: AppServices) -> None:
    from leaddesk.services.context import Actor, ServiceContext
    from leaddesk.services.team import passwords
    from leaddesk.services.team.users import UserService
    from leaddesk.store.enums import Role

    settings.put(app.store, settings.SENDER_NAME, "Ann Example")
    with passwords.hashing_parameters():
        rep = UserService(app.ctx).add("ray", "Ray Rep", "rep", "rep-password-1")
    dialog = SettingsDialog(ServiceContext(app.store, Actor(rep.id, rep.name, Role.REP)),
                            show=Drive())
    qtbot.addWidget(dialog)
    for name in ("sender", "region", "sign_in"):
        page = dialog.show_page(name)
        assert not page.save_button.isEnabled()
        assert page.message.text.text() == "Only an admin changes these settings."
    assert dialog.pages["sender"].name.text() == "Ann Example"
    assert dialog.pages["appearance"].save_button.isEnabled()  # their own screen

"""The settings service the dialog and ``leaddesk settings`` share: values, caps, backups,
the credentials file."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaddesk.channels.secrets import WrongMasterPassword
from leaddesk.services import settings
from leaddesk.services.app_services import AppServices
from leaddesk.services.context import Actor, ServiceContext
from leaddesk.services.errors import PermissionDeniedError, ValidationError
from leaddesk.services.messaging.integrations import IntegrationService
from leaddesk.services.preferences import caps, credentials, data_location, local, values
from leaddesk.services.preferences.regions import clean_region, region_from_locale, regions
from leaddesk.services.team import passwords
from leaddesk.services.team.users import UserService
from leaddesk.store.enums import LoginMode, Role

EMAIL = {"host": "127.0.0.1", "port": 2525, "from_address": "sales@example.org",
         "security": "none"}


def test_values_are_checked_stored_shown_and_audited(app: AppServices) -> None:
    assert values.put(app.ctx, settings.SENDER_NAME, "  Ann Example ") == "Ann Example"
    values.put(app.ctx, settings.SENDER_SIGNATURE, "Best,\nAnn")
    assert values.put(app.ctx, settings.PHONE_DEFAULT_REGION, "gb") == "GB"
    shown = values.show(app.ctx)
    assert shown[settings.SENDER_NAME] == "Ann Example"
    assert shown[settings.SENDER_SIGNATURE] == "Best,\nAnn"
    assert shown[settings.PHONE_DEFAULT_REGION] == "GB"
    assert settings.get(app.store, settings.PHONE_DEFAULT_REGION) == "GB"
    summaries = [entry.summary for entry in app.activity.recent(limit=20)]
    assert "setting sender.name changed" in summaries
    with pytest.raises(ValidationError, match=r"phone\.default_region: 'ZZ' is not"):
        values.put(app.ctx, settings.PHONE_DEFAULT_REGION, "zz")
    with pytest.raises(ValidationError, match=r"sender\.postal_address: is 501 characters"):
        values.put(app.ctx, settings.SENDER_POSTAL_ADDRESS, "x" * 501)
    with pytest.raises(ValidationError, match="colour: is not a setting"):
        values.put(app.ctx, "colour", "red")


def test_a_rep_cannot_change_database_settings(app: AppServices) -> None:
    with passwords.hashing_parameters():
        rep = UserService(app.ctx).add("ray", "Ray Rep", "rep", "rep-password-1")
    rep_ctx = ServiceContext(app.store, Actor(rep.id, rep.name, Role.REP))
    with pytest.raises(PermissionDeniedError, match="only an admin"):
        values.put(rep_ctx, settings.SENDER_NAME, "Ray")
    assert values.show(app.ctx)[settings.SENDER_NAME] == ""


def test_login_mode_needs_an_admin_with_a_password(app: AppServices) -> None:
    with pytest.raises(ValidationError, match="first give an admin a password"):
        values.put(app.ctx, values.LOGIN_MODE, "password")
    assert values.put(app.ctx, values.LOGIN_MODE, "NONE") == LoginMode.NONE.value
    assert values.show(app.ctx)[values.LOGIN_MODE] == "none"
    with pytest.raises(ValidationError, match="'sometimes' is not one of password, none"):
        values.put(app.ctx, values.LOGIN_MODE, "sometimes")


def test_theme_is_this_computers_file(app: AppServices, tmp_path: Path) -> None:
    assert local.theme() == "system"
    assert values.put(app.ctx, values.THEME, "Dark") == "dark"
    assert local.theme() == "dark"
    assert local.path().stat().st_mode & 0o777 == 0o600
    local.path().write_text("{not json", encoding="utf-8")
    assert local.theme() == "system"  # a damaged file falls back to the default
    with pytest.raises(ValidationError, match="theme: 'purple' is not one of"):
        local.set_theme("purple")


def test_regions_from_the_number_library_and_locales() -> None:
    names = dict(regions())
    assert names["GB"] == "United Kingdom" and names["XK"] == "Kosovo"
    assert all(code != name for code, name in regions())
    assert region_from_locale("en_GB.UTF-8") == "GB"
    assert region_from_locale("de-DE") == "DE"
    assert region_from_locale("C") is None and region_from_locale(None) is None
    assert clean_region(" us ") == "US"
    with pytest.raises(ValidationError, match="is required"):
        clean_region("")


def test_caps_presets_and_values(app: AppServices, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    integrations = IntegrationService(app.ctx)
    record = integrations.add("email", "work", EMAIL)
    assert caps.caps_of(record) == caps.Caps(500, None, None, daily_is_default=True)
    applied = caps.apply_preset(integrations, "work", "microsoft_365")
    assert applied == caps.Caps(10_000, None, 30.0, daily_is_default=False)
    assert integrations.get("work").settings["daily_cap"] == 10_000
    assert caps.set_caps(integrations, "work", 0, 40, 0) == caps.Caps(500, 40, None, True)
    assert "daily_cap" not in integrations.get("work").settings
    with pytest.raises(ValidationError, match="hourly_cap: -1 is negative"):
        caps.set_caps(integrations, "work", 100, -1)
    with pytest.raises(ValidationError, match="Twilio long code is for twilio channels"):
        caps.apply_preset(integrations, "work", "twilio_long_code")
    with pytest.raises(ValidationError, match="'aol' is not one of"):
        caps.apply_preset(integrations, "work", "aol")
    assert {p.key for p in caps.presets_for("email")} == {
        "new_mailbox", "gmail", "google_workspace", "microsoft_365"}


def test_backups_are_listed_and_made_now(app: AppServices, tmp_path: Path) -> None:
    where = data_location.location(app.store, tmp_path / "backups")
    assert where.path == (tmp_path / "leaddesk.db").resolve()
    assert data_location.backups(where) == []
    made = data_location.back_up_now(app.store, where)
    assert made.path.parent == tmp_path / "backups" and made.size > 0
    assert made.path.stat().st_mode & 0o777 == 0o600
    assert [b.path for b in data_location.backups(where)] == [made.path]


def test_a_new_credentials_file_takes_its_master_password_twice(tmp_path: Path) -> None:
    path = tmp_path / "credentials.cfg"
    assert credentials.needs_master_password()  # no keyring installed in this test
    assert credentials.master_password_is_new(path)
    with pytest.raises(ValidationError, match="the two entries differ"):
        credentials.open_secret_store("first", "frist", path=path)
    with pytest.raises(ValidationError, match="master password: is required"):
        credentials.open_secret_store("", "", path=path)
    store = credentials.open_secret_store("first", "first", path=path)
    store.set("abc", "smtp_password", "s3cret")
    assert not credentials.master_password_is_new(path)
    reopened = credentials.open_secret_store("first", path=path)  # once when it exists
    assert reopened.get("abc", "smtp_password") == "s3cret"
    with pytest.raises(WrongMasterPassword):
        credentials.open_secret_store("wrong", path=path)


def test_with_a_keyring_no_master_password_is_needed(memory_keyring) -> None:  # type: ignore[no-untyped-def]
    assert credentials.keyring_problem() is None
    store = credentials.open_secret_store()
    store.set("abc", "auth_token", "t")
    assert memory_keyring.secrets[("leaddesk:abc", "auth_token")] == "t"

"""``leaddesk settings`` and the channel secrets' stdin: show, set, caps, backup, secret, and
one-line errors with exit status 1."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass

import pytest

from leaddesk.channels.secrets import SecretStore
from leaddesk.cli import main
from leaddesk.services.app_services import AppServices
from leaddesk.services.messaging.integrations import IntegrationService
from leaddesk.services.preferences import credentials

SMTP = ["--set", "host=127.0.0.1", "--set", "port=2525", "--set", "security=none",
        "--set", "from_address=sales@example.org", "--set", "username=sales"]


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys, monkeypatch, db_url: str):  # type: ignore[no-untyped-def]
    def run(*args: str, stdin: str = "") -> Result:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["--db", db_url, *args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def _fails(result: Result, message: str) -> None:
    """Exit status 1 and one error line (after any notes, e.g. which secret store is used)."""
    assert result.code == 1, result
    errors = [line for line in result.err.splitlines() if line.startswith("leaddesk: error:")]
    assert len(errors) == 1 and result.err.strip().splitlines()[-1] == errors[0], result.err
    assert message in errors[0]


def test_show_and_set_every_key(run) -> None:  # type: ignore[no-untyped-def]
    shown = run("settings", "show")
    assert shown.code == 0
    assert "sender.name =" in shown.out.splitlines() and "theme = system" in shown.out
    assert run("settings", "set", "sender.name", "Ann Example").out == \
        "sender.name = Ann Example\n"
    assert run("settings", "set", "sender.signature", "Best,\\nAnn").code == 0
    assert run("settings", "set", "sender.postal_address", "1 Example St").code == 0
    assert run("settings", "set", "phone.default_region", "de").out == \
        "phone.default_region = DE\n"
    assert run("settings", "set", "theme", "dark").code == 0
    assert run("settings", "set", "login_mode", "none").code == 0
    shown = run("settings", "show").out
    for line in ("sender.name = Ann Example", "sender.signature = Best,\\nAnn",
                 "sender.postal_address = 1 Example St", "phone.default_region = DE",
                 "theme = dark", "login_mode = none"):
        assert line in shown.splitlines()


def test_bad_values_are_one_line_errors(run) -> None:  # type: ignore[no-untyped-def]
    _fails(run("settings", "set", "phone.default_region", "Narnia"),
           "phone.default_region: 'NARNIA' is not an ISO 3166 two-letter country code")
    _fails(run("settings", "set", "colour", "red"), "colour: is not a setting")
    _fails(run("settings", "set", "theme", "purple"), "theme: 'purple' is not one of")
    _fails(run("settings", "set", "caps.nowhere.daily", "5"), "channel 'nowhere' not found")
    _fails(run("settings", "regions", "atlantis"), "no country matches 'atlantis'")


def test_caps_by_preset_and_by_number(run, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    assert run("channel", "add", "email", "work", *SMTP, stdin="pw\n").code == 0
    assert "caps.work: daily 500 (default)" in run("settings", "show").out
    assert run("settings", "set", "caps.work.preset", "gmail").out.startswith(
        "caps.work: daily 500, hourly -")
    assert run("settings", "set", "caps.work.hourly", "60").out.strip() == \
        "caps.work: daily 500, hourly 60, per minute -"
    assert run("settings", "set", "caps.work.daily", "1,500").out.startswith(
        "caps.work: daily 1500")
    _fails(run("settings", "set", "caps.work.daily", "lots"), "caps.work.daily: 'lots' is not")
    _fails(run("settings", "set", "caps.work.weekly", "5"), "expected caps.CHANNEL.daily|")
    _fails(run("settings", "set", "caps.work.preset", "twilio_long_code"),
           "Twilio long code is for twilio channels")


def test_regions_search(run) -> None:  # type: ignore[no-untyped-def]
    assert run("settings", "regions", "kingdom").out == "GB  United Kingdom\n"
    assert "FR  France" in run("settings", "regions", "fr").out.splitlines()


def test_backup_now(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    run("settings", "show")  # creates the database
    result = run("settings", "backup")
    assert result.code == 0
    made = result.out.splitlines()[0].removeprefix("backed up to ")
    assert made.endswith(".db") and "-manual-" in made
    assert "backups = " in run("settings", "show").out


def test_secret_from_stdin_into_a_new_credentials_file(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    # No keyring: the first stdin lines are the new master password, twice, then the secret.
    _fails(run("channel", "add", "email", "work", *SMTP, stdin="master-1\nmaster-2\npw\n"),
           "the two entries differ")
    assert not credentials.credentials_path().exists()
    added = run("channel", "add", "email", "work", *SMTP, stdin="master-1\nmaster-1\nsmtp-pw\n")
    assert added.code == 0, added.err
    assert "using the encrypted credentials file" in added.err
    assert "smtp-pw" not in added.out + added.err
    replaced = run("settings", "secret", "work", "smtp_password", stdin="master-1\nnew-pw\n")
    assert replaced.out == "work: smtp_password replaced\n", replaced.err
    _fails(run("settings", "secret", "work", "smtp_password", stdin="wrong\nx\n"),
           "master password for the encrypted credentials file is wrong")
    _fails(run("settings", "secret", "work", "auth_token", stdin="master-1\nx\n"),
           "auth_token is not a secret of email channel 'work'")
    _fails(run("settings", "secret", "work", "smtp_password", stdin="master-1\n"),
           "smtp password: expected one more line on stdin")
    store = SecretStore()
    store.use_encrypted_file_store(credentials.credentials_path(), "master-1")
    app = AppServices.open(db_url)
    try:
        record = IntegrationService(app.ctx).get("work")
    finally:
        app.close()
    assert store.get(record.id, "smtp_password") == "new-pw"


def test_channel_help_documents_the_stdin_order(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit):
        main(["channel", "add", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "first the master password of the encrypted credentials file (twice when the " \
           "file does not exist yet)" in text
    assert "email: smtp_password (when username is set), imap_password" in text


def test_channel_edit_changes_settings_and_secrets(run, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    assert run("channel", "add", "email", "work", *SMTP, stdin="pw\n").code == 0
    edited = run("channel", "edit", "work", "--set", "port=2526", "--secret", "smtp_password",
                 stdin="pw2\n")
    assert edited.out == "changed email channel 'work'\n", edited.err
    secrets = [v for (service, name), v in memory_keyring.secrets.items()
               if name == "smtp_password"]
    assert secrets == ["pw2"]
    _fails(run("channel", "edit", "work", "--set", "port=many"), "port: 'many' is not a int")

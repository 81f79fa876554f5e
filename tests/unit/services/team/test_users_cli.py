"""``leaddesk users``: passwords only from stdin or a prompt, sign-in enforced, refusals audited."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.services.activity import ActivityService
from leaddesk.services.context import ServiceContext
from leaddesk.services.team import passwords
from leaddesk.services.team.auth import LoginService
from leaddesk.store.database import Store


@pytest.fixture(autouse=True)
def _cheap_hashes() -> Iterator[None]:
    with passwords.hashing_parameters():
        yield


def run(monkeypatch: pytest.MonkeyPatch, db: str, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--db", db, *args])


def test_users_commands_end_to_end(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secrets = ["boss-secret-1", "mia-secret-12", "ray-secret-12", "ray-secret-new"]
    assert run(monkeypatch, db_url, "users", "--password-stdin", "first-admin", "boss",
               "--name", "Boss", stdin="boss-secret-1\n") == 0
    assert run(monkeypatch, db_url, "users", "list") == 1  # sign-in is required now
    assert "requires sign-in" in capsys.readouterr().err

    admin = ("users", "--as", "boss", "--password-stdin")
    assert run(monkeypatch, db_url, *admin, "add", "mia", "--name", "Mia", "--role", "manager",
               stdin="boss-secret-1\nmia-secret-12\n") == 0
    assert run(monkeypatch, db_url, *admin, "add", "ray", "--name", "Ray", "--manager", "mia",
               stdin="boss-secret-1\nray-secret-12\n") == 0
    assert run(monkeypatch, db_url, *admin, "role", "ray", "manager",
               stdin="boss-secret-1\n") == 0
    assert run(monkeypatch, db_url, *admin, "role", "ray", "rep", "--manager", "mia",
               stdin="boss-secret-1\n") == 0
    assert run(monkeypatch, db_url, *admin, "passwd", "ray",
               stdin="boss-secret-1\nray-secret-new\n") == 0
    assert run(monkeypatch, db_url, *admin, "deactivate", "mia", stdin="boss-secret-1\n") == 0
    capsys.readouterr()
    assert run(monkeypatch, db_url, *admin, "list", stdin="boss-secret-1\n") == 0
    listing = capsys.readouterr().out
    assert "mia" in listing and "inactive" in listing and "ray" in listing

    rep = ("users", "--as", "ray", "--password-stdin")
    assert run(monkeypatch, db_url, *rep, "role", "ray", "admin", stdin="ray-secret-new\n") == 1
    assert run(monkeypatch, db_url, *rep, "activate", "mia", stdin="ray-secret-new\n") == 1
    assert run(monkeypatch, db_url, *rep, "add", "evil", "--name", "Evil", "--role", "admin",
               stdin="ray-secret-new\nevil-secret-12\n") == 1
    assert "not allowed" in capsys.readouterr().err
    assert run(monkeypatch, db_url, *rep, "list", stdin="wrong-password\n") == 1
    assert "wrong user name or password" in capsys.readouterr().err

    store = Store.open(db_url)
    try:
        boss = LoginService(store).login("boss", "boss-secret-1")
        entries = ActivityService(ServiceContext(store, boss)).recent(limit=200)
    finally:
        store.dispose()
    assert sum(e.action == "refused" for e in entries) == 3
    data = Path(db_url.removeprefix("sqlite:///")).read_bytes()
    wal = Path(db_url.removeprefix("sqlite:///") + "-wal")
    data += wal.read_bytes() if wal.exists() else b""
    for secret in secrets:
        assert secret.encode() not in data
        assert secret not in repr(entries)


def test_passwords_are_never_arguments() -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["users", "add", "x", "--name", "X", "--password", "pw"])
    assert exit_.value.code == 2


def test_no_command_acts_without_sign_in_once_it_is_required(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, db_url, "users", "--password-stdin", "first-admin", "boss",
               stdin="boss-secret-1\n") == 0
    capsys.readouterr()
    for command in (["credits", "balance"], ["credits", "buy", "starter"]):
        assert run(monkeypatch, db_url, *command) == 1
        assert "requires sign-in" in capsys.readouterr().err
    store = Store.open(db_url)
    try:
        with store.read() as session:
            names = session.connection().exec_driver_sql("SELECT username FROM users").all()
    finally:
        store.dispose()
    assert names == [("boss",)]  # no password-less local admin appeared

"""The global ``--as USER``: every command works on a database that requires sign-in, acting
as that user (a manager sees their rep's credits, a rep only their own); without it, one line."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.services.app_services import AppServices
from leaddesk.services.context import ServiceContext
from leaddesk.services.team import auth, passwords
from leaddesk.services.team.users import UserService
from leaddesk.store import migrate
from leaddesk.store.database import Store


@pytest.fixture(autouse=True)
def _cheap_hashes() -> Iterator[None]:
    with passwords.hashing_parameters():
        yield


@pytest.fixture
def team_db(db_url: str) -> str:
    store = Store.open(db_url)
    try:
        migrate.upgrade(store.engine)
        admin = auth.create_first_admin(store, "boss", "Boss", "boss-password-1")
        users = UserService(ServiceContext(store, admin))
        mia = users.add("mia", "Mia", "manager", "mia-password-1")
        users.add("ray", "Ray", "rep", "ray-password-1", manager_id=mia.id)
        AppServices(ServiceContext(store, admin)).credits.purchase("starter")
    finally:
        store.dispose()
    return db_url


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: str,
        *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--db", db, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_without_as_every_command_refuses_in_one_line(
    team_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in (["credits", "balance"], ["template", "list"], ["outbox"],
                    ["export", str(tmp_path / "never-written.csv")]):
        code, _out, err = run(monkeypatch, capsys, team_db, *command)
        assert code == 1, command
        assert err.count("\n") == 1 and "requires sign-in: add --as USER" in err, err


def test_as_signs_in_and_acts_as_that_user(
    team_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    boss = ("--as", "boss", "--password-stdin")
    assert run(monkeypatch, capsys, team_db, *boss, "credits", "allocate", "ray", "25",
               stdin="boss-password-1\n")[0] == 0
    code, out, _ = run(monkeypatch, capsys, team_db, "--as", "mia", "--password-stdin",
                       "credits", "balance", "--user", "ray", stdin="mia-password-1\n")
    assert code == 0 and out.startswith("available 25 ")
    code, _, err = run(monkeypatch, capsys, team_db, "--as", "ray", "--password-stdin",
                       "credits", "balance", "--user", "mia", stdin="ray-password-1\n")
    assert code == 1 and "only an admin" in err
    code, _, err = run(monkeypatch, capsys, team_db, "--as", "ray", "--password-stdin",
                       "credits", "balance", stdin="not-the-password\n")
    assert code == 1 and "wrong user name or password" in err
    # Both places work for the commands that also take --as after their name.
    assert run(monkeypatch, capsys, team_db, "--as", "boss", "--password-stdin", "users",
               "list", stdin="boss-password-1\n")[0] == 0
    assert run(monkeypatch, capsys, team_db, "users", "--as", "boss", "--password-stdin",
               "list", stdin="boss-password-1\n")[0] == 0

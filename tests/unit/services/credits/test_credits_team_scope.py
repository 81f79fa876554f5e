"""Credits follow the team scope: a manager reads their reps' balances and ledger lines (not
other reps'), a rep only their own; admin rights come from the stored role, not the session's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import PermissionDeniedError
from leaddesk.services.team import auth, passwords
from leaddesk.services.team.users import UserService
from leaddesk.store import migrate
from leaddesk.store.database import Store


@pytest.fixture(autouse=True)
def _cheap_hashes() -> Iterator[None]:
    with passwords.hashing_parameters():
        yield


@pytest.fixture
def team(tmp_path: Path) -> Iterator[dict[str, AppServices]]:
    store = Store.open(f"sqlite:///{tmp_path / 'team.db'}")
    migrate.upgrade(store.engine)
    admin = auth.create_first_admin(store, "boss", "Boss", "first-admin-pw")
    users = UserService(ServiceContext(store, admin))
    mia = users.add("mia", "Mia", "manager", "manager-pw-1")
    users.add("ray", "Ray", "rep", "ray-password-1", manager_id=mia.id)
    users.add("kim", "Kim", "rep", "kim-password-1")
    users.add("ada", "Ada", "admin", "second-admin-pw")
    login = auth.LoginService(store)
    people = {"boss": AppServices(ServiceContext(store, admin))}
    for name, secret in (("mia", "manager-pw-1"), ("ray", "ray-password-1"),
                         ("kim", "kim-password-1"), ("ada", "second-admin-pw")):
        people[name] = AppServices(ServiceContext(store, login.login(name, secret)))
    boss = people["boss"].credits
    boss.purchase("starter")
    boss.allocate("ray", 40)
    boss.allocate("kim", 30)
    yield people
    store.dispose()


def test_a_manager_reads_their_reps_credits_and_no_one_elses(team) -> None:  # type: ignore[no-untyped-def]
    mia = team["mia"].credits
    assert mia.balance("ray").available == 40
    assert [line.amount for line in mia.history(user="ray")] == [40]
    assert mia.ledger_sum("ray") == 40
    for other in ("kim", "boss"):
        with pytest.raises(PermissionDeniedError):
            mia.balance(other)
        with pytest.raises(PermissionDeniedError):
            mia.history(user=other)


def test_a_rep_reads_only_their_own(team) -> None:  # type: ignore[no-untyped-def]
    ray = team["ray"].credits
    assert ray.balance().available == 40
    for other in ("kim", "mia", "boss"):
        with pytest.raises(PermissionDeniedError):
            ray.balance(other)


def test_a_demoted_admin_loses_admin_rights_in_an_open_session(team) -> None:  # type: ignore[no-untyped-def]
    ada = team["ada"].credits  # signed in while an admin
    assert ada.balance("kim").available == 30
    boss_users = UserService(team["boss"].ctx)
    boss_users.set_role(boss_users.by_username("ada").id, "rep")
    with pytest.raises(PermissionDeniedError):
        ada.balance("kim")
    with pytest.raises(PermissionDeniedError):
        ada.set_low_balance_threshold(5)
    with pytest.raises(PermissionDeniedError):
        ada.allocate("kim", 1)

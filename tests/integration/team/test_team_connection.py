"""Signing in to a team database: each way it can fail says so in one clear sentence."""

from __future__ import annotations

import io
import socket

import psycopg
import pytest

from leaddesk.cli import main
from leaddesk.services.team.team_mode import TeamConnectionError, connect
from leaddesk.services.team.users import UserService
from tests.integration.team.team_support import PASSWORD, Team


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_good_credentials_sign_in_as_the_user(pg_team: Team) -> None:
    member = connect(pg_team.url, pg_team.names["rep_a"], PASSWORD["rep_a"])
    try:
        assert member.actor.id == pg_team.users["rep_a"].id
        assert member.actor.role.value == "rep"
    finally:
        member.store.dispose()


def test_each_failure_is_told_apart(pg_team: Team) -> None:
    cases = [
        (pg_team.url, pg_team.names["rep_a"], "wrong-password", TeamConnectionError.BAD_PASSWORD),
        (pg_team.url, "nobody-here", PASSWORD["rep_a"], TeamConnectionError.BAD_PASSWORD),
        (pg_team.url.replace(pg_team.url.rsplit(":", 1)[1].split("/")[0], str(_closed_port())),
         pg_team.names["rep_a"], PASSWORD["rep_a"], TeamConnectionError.UNREACHABLE),
    ]
    for url, user, password, kind in cases:
        with pytest.raises(TeamConnectionError) as caught:
            connect(url, user, password)
        assert caught.value.kind == kind, caught.value
        assert password not in str(caught.value)


def test_a_deactivated_user_cannot_sign_in(pg_team: Team) -> None:
    UserService(pg_team["admin"].ctx).set_active(pg_team.users["rep_b"].id, False)

    with pytest.raises(TeamConnectionError, match="disabled") as caught:
        connect(pg_team.url, pg_team.names["rep_b"], PASSWORD["rep_b"])
    assert caught.value.kind == TeamConnectionError.BAD_PASSWORD


def test_a_database_behind_this_version_is_named(pg_team: Team) -> None:
    with psycopg.connect(pg_team.pg_conninfo["superuser"], autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0003'")

    with pytest.raises(TeamConnectionError, match="leaddesk db upgrade") as caught:
        connect(pg_team.url, pg_team.names["rep_a"], PASSWORD["rep_a"])
    assert caught.value.kind == TeamConnectionError.WRONG_SCHEMA


def test_the_admin_adds_a_member_from_the_cli(
    pg_team: Team, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = pg_team.names["admin"]
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD['admin']}\nnew-member-pw1\n"))
    assert main(["--db", pg_team.url, "users", "--as", admin, "--password-stdin", "add",
                 f"new-{admin}", "--name", "New Member"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("new-member-pw1\n"))
    assert main(["--db", pg_team.url, "db", "team-check", "--as", f"new-{admin}",
                 "--password-stdin"]) == 0
    assert "connected as New Member (rep)" in capsys.readouterr().out
    with psycopg.connect(pg_team.pg_conninfo["superuser"], autocommit=True) as conn:
        conn.execute(f'DROP ROLE "ld_new-{admin}"')


def test_dropping_a_login_removes_the_database_role(pg_team: Team) -> None:
    users = UserService(pg_team["admin"].ctx)
    record = users.drop_login(pg_team.users["rep_b"].id)

    assert not record.is_active
    with psycopg.connect(pg_team.pg_conninfo["superuser"]) as conn:
        found = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                             [f"ld_{pg_team.names['rep_b']}"]).fetchall()
    assert found == []
    with pytest.raises(TeamConnectionError) as caught:
        connect(pg_team.url, pg_team.names["rep_b"], PASSWORD["rep_b"])
    assert caught.value.kind == TeamConnectionError.BAD_PASSWORD


def test_a_member_changes_their_own_database_password(pg_team: Team) -> None:
    rep = pg_team["rep_a"]
    UserService(rep.ctx).reset_password(pg_team.users["rep_a"].id, "rep-a-rotated-1")

    member = connect(pg_team.url, pg_team.names["rep_a"], "rep-a-rotated-1")
    member.store.dispose()
    with pytest.raises(TeamConnectionError):
        connect(pg_team.url, pg_team.names["rep_a"], PASSWORD["rep_a"])


def test_team_check_reports_a_grant_wider_than_the_app_allows(
    pg_team: Team, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rep = pg_team.names["rep_a"]
    check = ["--db", pg_team.url, "db", "team-check", "--as", rep, "--password-stdin"]
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD['rep_a']}\n"))
    assert main(check) == 0
    assert "privileges: as the app allows" in capsys.readouterr().out

    with psycopg.connect(pg_team.pg_conninfo["superuser"], autocommit=True) as conn:
        conn.execute("GRANT UPDATE ON credit_accounts TO leaddesk_user")
        conn.execute("GRANT DELETE ON suppressions TO PUBLIC")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD['rep_a']}\n"))
    assert main(check) == 1
    out = capsys.readouterr().out
    assert "leaddesk_user has UPDATE on credit_accounts" in out
    assert "PUBLIC has DELETE on suppressions" in out

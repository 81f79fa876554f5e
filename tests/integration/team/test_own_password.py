"""A member changes their own password: the old one is checked first, on both databases (on a
team database by PostgreSQL itself, and the new one becomes the role's password)."""

from __future__ import annotations

import pytest

from leaddesk.services.errors import ValidationError
from leaddesk.services.team import auth
from leaddesk.services.team.team_mode import TeamConnectionError, connect
from tests.integration.team.team_support import PASSWORD, Team


def test_a_member_changes_their_own_password_after_the_old_one(team: Team) -> None:
    rep = team["rep_a"]
    login = auth.LoginService(rep.store)
    with pytest.raises(ValidationError):
        login.change_own_password(rep.ctx, "not-the-password", "rep-a-rotated-1")
    login.change_own_password(rep.ctx, PASSWORD["rep_a"], "rep-a-rotated-1")

    name = team.names["rep_a"]
    if team.backend == "postgresql":
        connect(team.url, name, "rep-a-rotated-1").store.dispose()
        with pytest.raises(TeamConnectionError):
            connect(team.url, name, PASSWORD["rep_a"])
    else:
        assert login.login(name, "rep-a-rotated-1").id == team.users["rep_a"].id
        with pytest.raises(auth.LoginFailedError):
            login.login(name, PASSWORD["rep_a"])

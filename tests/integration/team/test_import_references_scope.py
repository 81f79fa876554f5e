"""An import assigns owners and campaigns only within the importing user's scope."""

from __future__ import annotations

from leaddesk.services.leads.references import load_reference_table, resolve
from tests.integration.team.team_support import Team


def _table(team: Team, who: str):  # type: ignore[no-untyped-def]
    with team[who].store.read() as session:
        return load_reference_table(session)


def test_owners_and_campaigns_resolve_within_scope(team: Team) -> None:
    names = team.names
    b_campaign = team["rep_b"].campaigns.create({"name": "Bravo"})
    rep_a, manager = _table(team, "rep_a"), _table(team, "manager")

    values = {"owner": names["rep_a"], "campaign": "Bravo"}
    issues = resolve(values, rep_a)
    assert values == {"owner_id": team.users["rep_a"].id}
    assert [i.message for i in issues] == ["no campaign is named 'Bravo'; the lead was put in none"]
    values = {"owner": names["rep_b"]}
    assert [i.message for i in resolve(values, rep_a)] == [
        f"user {names['rep_b']!r} is outside your team; the lead is yours"
    ]
    assert values == {}

    values = {"owner": names["rep_a"]}
    assert resolve(values, manager) == [] and values == {"owner_id": team.users["rep_a"].id}
    values = {"owner": names["rep_b"], "campaign": "bravo"}
    admin_table = _table(team, "admin")
    assert resolve(values, admin_table) == []
    assert values["campaign_id"] == b_campaign.id

"""Rep A attacks rep B's records through every public service call, on SQLite and PostgreSQL.

Everything out of scope reads as absent or empty, nothing of B's changes, and every write the
store refuses leaves a "refused" audit entry with A as the actor.
"""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path
from typing import Any

import pytest

from leaddesk.services.errors import NotFoundError, PermissionDeniedError
from leaddesk.services.leads.query import LeadQuery
from leaddesk.services.team.users import UserService
from tests.integration.team.team_support import PASSWORD, Team


@dataclasses.dataclass
class Records:
    lead: Any
    campaign: Any
    template: Any
    message: Any


def _b_records(team: Team) -> Records:
    b = team["rep_b"]
    campaign = b.campaigns.create({"name": "Bravo campaign"})
    lead = b.leads.create({"first_name": "Bob", "last_name": "Secret", "email": "bob@b.example",
                           "company": "Bravo Ltd", "tags": ["vip"],
                           "campaign_id": str(campaign.id)})
    template = b.templates.create({"channel": "email", "name": "Bravo intro",
                                   "subject": "Hi", "body": "Hello there"})
    message = b.messages.save_draft(lead.id, "email", "Hi Bob", "Private words",
                                    campaign_id=campaign.id)
    return Records(lead, campaign, template, message)


def _snapshot(team: Team, rec: Records) -> tuple[Any, ...]:
    """B's records as the admin sees them (to prove nothing changed)."""
    admin = team["admin"]
    return (
        admin.leads.get(rec.lead.id),
        admin.campaigns.get(rec.campaign.id),
        admin.templates.get(rec.template.id),
        admin.messages.for_lead(rec.lead.id),
        admin.leads.count(),
    )


def _refusals(team: Team, who: str) -> list[Any]:
    actor = team.users[who].id
    return [a for a in team["admin"].activity.recent(limit=500)
            if a.action == "refused" and a.actor_id == actor]


def test_rep_a_reads_none_of_rep_b(team: Team) -> None:
    rec = _b_records(team)
    a = team["rep_a"]
    a.leads.create({"first_name": "Ada", "email": "ada@a.example"})

    with pytest.raises(NotFoundError):
        a.leads.get(rec.lead.id)
    assert a.leads.count() == 1
    for query in (LeadQuery(search="Bob"), LeadQuery(search="Secret"),
                  LeadQuery(owner_ids=(team.users["rep_b"].id,)), LeadQuery(tags=("vip",)),
                  LeadQuery(campaign_ids=(rec.campaign.id,)), LeadQuery(statuses=("new",))):
        assert all(r.first_name == "Ada" for r in a.leads.page(query).rows), query
        assert a.leads.count(query) == (1 if query.statuses else 0), query
        assert all(r.first_name == "Ada" for r in a.leads.rows_at(query)), query
    with pytest.raises(NotFoundError):
        a.campaigns.get(rec.campaign.id)
    assert a.campaigns.list() == []
    assert a.campaigns.stats(rec.campaign.id).leads == 0
    assert a.campaigns.stats(rec.campaign.id).messages == 0
    with pytest.raises(NotFoundError):
        a.templates.get(rec.template.id)
    assert a.templates.list() == []
    assert a.messages.for_lead(rec.lead.id) == []
    assert a.messages.recent() == []
    assert a.messages.counts_by_state() == {}
    assert a.activity.for_lead(rec.lead.id) == []
    assert {x.actor_id for x in a.activity.recent(limit=500)} <= {team.users["rep_a"].id}


def test_rep_a_changes_none_of_rep_b(team: Team) -> None:
    rec = _b_records(team)
    before = _snapshot(team, rec)
    a = team["rep_a"]

    attempts = [
        lambda: a.leads.update(rec.lead.id, {"notes": "mine now"}),
        lambda: a.leads.update(rec.lead.id, {"owner_id": str(team.users["rep_a"].id)}),
        lambda: a.leads.delete(rec.lead.id),
        lambda: a.leads.restore(rec.lead.id),
        lambda: a.campaigns.update(rec.campaign.id, {"name": "hijacked"}),
        lambda: a.campaigns.delete(rec.campaign.id),
        lambda: a.templates.update(rec.template.id, {"name": "hijacked"}),
        lambda: a.templates.delete(rec.template.id),
        lambda: a.messages.save_draft(rec.lead.id, "email", "s", "spam from A"),
    ]
    for attempt in attempts:
        with pytest.raises(NotFoundError):
            attempt()

    assert _snapshot(team, rec) == before


def test_writes_into_rep_b_scope_are_refused_audited_and_undone(team: Team) -> None:
    rec = _b_records(team)
    a = team["rep_a"]
    own = a.leads.create({"first_name": "Ada", "email": "ada@a.example"})
    before = _snapshot(team, rec)
    b_id = str(team.users["rep_b"].id)
    users = UserService(a.ctx)

    attempts = [
        lambda: a.leads.create({"first_name": "Planted", "owner_id": b_id}),
        lambda: a.leads.update(own.id, {"owner_id": b_id}),
        lambda: users.add("intruder", "Intruder", "admin", "intruder-secret"),
        lambda: users.set_role(team.users["rep_a"].id, "admin"),
        lambda: users.set_active(team.users["rep_b"].id, False),
        lambda: users.reset_password(team.users["rep_b"].id, "taken-over-123"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDeniedError):
            attempt()

    assert _snapshot(team, rec) == before
    assert a.leads.get(own.id).owner_id == team.users["rep_a"].id
    assert team["admin"].leads.count(LeadQuery(search="Planted")) == 0
    assert UserService(team["admin"].ctx).get(team.users["rep_a"].id).role == "rep"
    assert len(_refusals(team, "rep_a")) == len(attempts)


def test_rep_a_cannot_charge_rep_b(team: Team) -> None:
    admin, a, b = team["admin"], team["rep_a"], team["rep_b"]
    admin.credits.purchase("professional")
    admin.credits.allocate(team.users["rep_b"].id, 50)
    held = b.credits.reserve(5, "email")
    before = admin.credits.balance(team.users["rep_b"].id)

    for attempt in (lambda: a.credits.consume(held.id), lambda: a.credits.release(held.id)):
        with pytest.raises(NotFoundError):
            attempt()
    with pytest.raises(PermissionDeniedError):
        a.credits.history(user=team.users["rep_b"].id)

    assert admin.credits.balance(team.users["rep_b"].id) == before
    assert a.credits.history() == []
    assert a.credits.balance().available == 0


def test_manager_sees_the_team_but_not_other_reps(team: Team) -> None:
    a_lead = team["rep_a"].leads.create({"first_name": "Ada", "email": "ada@a.example"})
    b_lead = team["rep_b"].leads.create({"first_name": "Bob", "email": "bob@b.example"})
    manager = team["manager"]

    assert {r.id for r in manager.leads.page().rows} == {a_lead.id}
    assert manager.leads.update(a_lead.id, {"status": "qualified"}).status == "qualified"
    with pytest.raises(NotFoundError):
        manager.leads.update(b_lead.id, {"status": "lost"})
    assert team["admin"].leads.count() == 2


def test_a_deactivated_rep_loses_access_at_once(team: Team) -> None:
    a = team["rep_a"]
    a.leads.create({"first_name": "Ada", "email": "ada@a.example"})
    UserService(team["admin"].ctx).set_active(team.users["rep_a"].id, False)

    with pytest.raises(PermissionDeniedError):
        a.leads.count()


INJECTIONS = [
    "'; DROP TABLE leads; --",
    "x' OR '1'='1",
    "%' OR owner_id IS NOT NULL OR '%'='",
    "\" OR 1=1 --",
    "Robert'); DELETE FROM users; --",
    "1; UPDATE leads SET owner_id = NULL",
    "%_%",
]


@pytest.mark.parametrize("attack", INJECTIONS)
def test_injection_strings_are_text_and_change_nothing(team: Team, attack: str) -> None:
    rec = _b_records(team)
    a = team["rep_a"]
    before = _snapshot(team, rec)

    lead = a.leads.create({"first_name": attack, "company": attack, "notes": attack,
                           "tags": [attack[:60]]})
    assert a.leads.get(lead.id).first_name == attack
    assert a.leads.get(lead.id).notes == attack
    assert [r.id for r in a.leads.page(LeadQuery(search=attack)).rows] in ([lead.id], [])
    assert a.leads.count(LeadQuery(search=attack, tags=(attack[:60],),
                                   industries=(attack,), countries=(attack,))) == 0
    assert a.leads.count() == 1
    assert _snapshot(team, rec)[:4] == before[:4]
    assert team["admin"].leads.count() == before[4] + 1
    assert len(UserService(team["admin"].ctx).list()) == 4


def test_passwords_appear_nowhere_in_the_database_or_audit(team: Team, tmp_path: Any) -> None:
    admin = team["admin"]
    UserService(admin.ctx).reset_password(team.users["rep_b"].id, "rotated-secret-9")
    secrets = [*PASSWORD.values(), "rotated-secret-9"]

    audit = repr(admin.activity.recent(limit=1000))
    assert not any(s in audit for s in secrets)
    if team.backend == "sqlite":
        admin.store.dispose()  # checkpoint: everything is in the main file
        path = team.url.removeprefix("sqlite:///")
        for name in (path, path + "-wal"):
            if not Path(name).exists():
                continue
            data = Path(name).read_bytes()
            assert not any(s.encode() in data for s in secrets), name


def test_user_ids_are_not_guessable_handles(team: Team) -> None:
    """Asking for a random or another rep's id reads the same: not found."""
    rec = _b_records(team)
    a = team["rep_a"]
    for ident in (uuid.uuid4(), rec.lead.id):
        with pytest.raises(NotFoundError) as caught:
            a.leads.get(ident)
        assert str(ident) in str(caught.value)


def test_export_merge_bulk_edit_and_duplicates_stay_in_scope(team: Team, tmp_path: Path) -> None:
    from leaddesk.services.exporting.exporter import export_leads
    from leaddesk.services.leads.bulk_edit import BulkChange

    rec = _b_records(team)
    a = team["rep_a"]
    own = a.leads.create({"first_name": "Ada", "email": "bob@b.example"})
    before = _snapshot(team, rec)

    out = tmp_path / "mine.csv"
    assert export_leads(a.ctx, out).rows == 1
    text = out.read_text("utf-8-sig")
    assert "Ada" in text and "Secret" not in text and str(rec.lead.id) not in text
    with pytest.raises(NotFoundError):
        a.duplicates.merge(own.id, rec.lead.id)
    with pytest.raises(NotFoundError):
        a.duplicates.merge(rec.lead.id, own.id)
    assert all(rec.lead.id not in g.lead_ids for g in a.duplicates.find_duplicates())
    assert a.bulk_edit.preview(LeadQuery(), BulkChange({"status": "lost"})) == 1
    assert a.bulk_edit.apply([rec.lead.id], BulkChange({"status": "lost"})).changed == 0
    assert a.bulk_edit.apply(LeadQuery(), BulkChange({"status": "lost"})).changed == 1
    b_changes = team["rep_b"].lead_changes.recent()
    for change in b_changes:
        with pytest.raises(NotFoundError):
            a.lead_changes.undo(change.id)

    assert _snapshot(team, rec)[:4] == before[:4]

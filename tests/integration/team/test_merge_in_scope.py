"""A rep merges two of their own leads on a team database: the merged-away lead's messages move
under the scope hooks (and, on PostgreSQL, row-level security and the append-only audit log),
its history joins the kept lead's timeline, and the undo takes both back; another rep's lead is
never touched."""

from __future__ import annotations

from leaddesk.services.leads.changes import ChangeSetService
from leaddesk.services.leads.duplicates import DuplicateService
from tests.integration.team.team_support import Team


def test_a_rep_merges_and_unmerges_their_own_leads(team: Team) -> None:
    b, a = team["rep_b"], team["rep_a"]
    keep = b.leads.create({"first_name": "Bea", "email": "bea@b.example"})
    other = b.leads.create({"first_name": "Bea", "email": "BEA@b.example", "tags": ["vip"]})
    message = b.messages.save_draft(other.id, "email", "Hi", "Hello Bea")
    stranger = a.leads.create({"first_name": "Al", "email": "al@a.example"})
    a_message = a.messages.save_draft(stranger.id, "email", "Hi", "Hello Al")

    kept, change_set = DuplicateService(b.ctx).merge(keep.id, other.id)
    assert kept.tags == ("vip",)
    assert [m.id for m in b.messages.for_lead(keep.id)] == [message.id]
    assert "draft" in {x.action for x in b.activity.for_lead(keep.id)}

    undo = ChangeSetService(b.ctx).undo(change_set)
    assert (undo.restored, undo.moved_back) == (2, 1)
    assert "draft" not in {x.action for x in b.activity.for_lead(keep.id)}
    assert [m.id for m in b.messages.for_lead(other.id)] == [message.id]
    assert b.messages.for_lead(keep.id) == []
    assert [m.id for m in a.messages.for_lead(stranger.id)] == [a_message.id]

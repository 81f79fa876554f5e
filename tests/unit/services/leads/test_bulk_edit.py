"""Bulk edits: preview counts what changes, one audited change set, undo restores."""

from __future__ import annotations

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import ValidationError
from leaddesk.services.leads.bulk_edit import BulkChange, BulkEditService, ChangeSetLeads
from leaddesk.services.leads.changes import ChangeSetService
from leaddesk.services.leads.query import LeadQuery


def _fill(app: AppServices) -> list[object]:
    leads = []
    for i in range(12):
        leads.append(app.leads.create({
            "first_name": f"Lead{i}", "email": f"lead{i}@example.org",
            "status": "contacted" if i % 3 == 0 else "new", "tags": "vip" if i < 4 else "",
        }))
    return leads


def test_status_on_a_filter_previews_applies_and_undoes(app: AppServices) -> None:
    leads = _fill(app)
    bulk = BulkEditService(app.ctx)
    change = BulkChange({"status": "qualified"})
    query = LeadQuery(statuses=("new",))
    assert bulk.preview(query, change) == 8
    result = bulk.apply(query, change)
    assert result.changed == 8
    assert app.leads.count(LeadQuery(statuses=("qualified",))) == 8
    assert app.leads.get(leads[1].id).version == 2
    entries = [a for a in app.activity.recent() if a.action == "bulk_edit"]
    assert len(entries) == 1 and entries[0].changes["count"] == 8
    app.leads.update(leads[1].id, {"status": "won"})
    undo = ChangeSetService(app.ctx).undo(result.change_set_id)
    assert (undo.restored, undo.kept) == (7, 1)
    assert app.leads.count(LeadQuery(statuses=("new",))) == 7
    assert app.leads.get(leads[1].id).status == "won", "a later edit is not overwritten"


def test_preview_leaves_out_rows_already_as_asked(app: AppServices) -> None:
    _fill(app)
    bulk = BulkEditService(app.ctx)
    assert bulk.preview(LeadQuery(), BulkChange({"status": "contacted"})) == 8
    assert bulk.preview(LeadQuery(), BulkChange(add_tags=("vip",))) == 8
    assert bulk.preview(LeadQuery(), BulkChange(remove_tags=("vip",))) == 4
    assert bulk.preview(LeadQuery(search="lead1"), BulkChange(delete=True)) == 3


def test_tags_owner_and_delete_on_an_id_set_with_undo(app: AppServices) -> None:
    leads = _fill(app)
    ids = [lead.id for lead in leads[2:6]]
    bulk = BulkEditService(app.ctx)
    tagged = bulk.apply(ids, BulkChange(add_tags=("Hot",), remove_tags=("vip",)))
    assert tagged.changed == 4
    assert {app.leads.get(i).tags for i in ids} == {("hot",)}
    owner = bulk.apply(ids, BulkChange({"owner_id": None}))
    assert owner.changed == 4 and app.leads.get(ids[0]).owner_id is None
    deleted = bulk.apply(ids, BulkChange(delete=True))
    assert deleted.changed == 4 and app.leads.count() == 8
    changes = ChangeSetService(app.ctx)
    for change_set in (deleted, owner, tagged):
        changes.undo(change_set.change_set_id)
    assert app.leads.count() == 12
    assert app.leads.get(ids[0]).tags == ("vip",)
    assert app.leads.get(ids[0]).owner_id == app.ctx.actor.id


def test_nothing_to_change_and_bad_values_are_refused(app: AppServices) -> None:
    _fill(app)
    bulk = BulkEditService(app.ctx)
    with pytest.raises(ValidationError, match="status"):
        bulk.apply(LeadQuery(), BulkChange({"status": "sleeping"}))
    with pytest.raises(ValidationError, match="email"):
        bulk.apply(LeadQuery(), BulkChange({"email": "x@example.org"}))
    with pytest.raises(ValidationError, match="nothing"):
        bulk.apply(LeadQuery(), BulkChange())
    assert bulk.apply(LeadQuery(), BulkChange(remove_tags=("absent",))).changed == 0
    assert ChangeSetService(app.ctx).recent() == []


def test_a_filter_change_skips_deleted_leads_and_a_redo_targets_its_change_set(
        app: AppServices) -> None:
    leads = _fill(app)
    app.leads.delete(leads[1].id)  # "new", but deleted: not a target
    bulk = BulkEditService(app.ctx)
    query = LeadQuery(statuses=("new",))
    first = bulk.apply(query, BulkChange({"status": "won"}, add_tags=("done",)))
    assert first.changed == 7
    won = {lead.id for lead in leads if lead.id != leads[1].id and lead.status == "new"}
    assert {i for i in won if app.leads.get(i).status == "won"} == won
    assert all("done" in app.leads.get(i).tags for i in won)
    ChangeSetService(app.ctx).undo(first.change_set_id)
    assert app.leads.count(query) == 7 and app.leads.count(LeadQuery(tags=("done",))) == 0
    # A lead that matches the filter only now is not part of the redo.
    app.leads.update(leads[0].id, {"status": "new"})
    redo = bulk.apply(ChangeSetLeads(first.change_set_id), BulkChange({"status": "won"}))
    assert redo.changed == 7
    assert app.leads.count(LeadQuery(statuses=("won",))) == 7
    assert app.leads.get(leads[0].id).status == "new"

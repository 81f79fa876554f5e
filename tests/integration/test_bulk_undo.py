"""Undo of a bulk edit, set-based from the change set's snapshots, on SQLite and PostgreSQL:
every kind of bulk change comes back exactly as it was, in key ranges with progress, and a
lead edited since the change is left as its editor left it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import ValidationError
from leaddesk.services.leads import snapshot_restore
from leaddesk.services.leads.bulk_edit import BulkChange
from leaddesk.services.leads.query import LeadQuery
from leaddesk.store.models import Lead, LeadTag


@pytest.fixture
def app(app_any_db: AppServices) -> AppServices:
    return app_any_db


def _fill(app: AppServices) -> list:
    campaign = app.campaigns.create({"name": "Spring"})
    ids = []
    for i in range(11):
        lead = app.leads.create(
            {
                "first_name": f"Lead{i}",
                "email": f"lead{i}@example.org",
                "status": ("new", "contacted", "replied")[i % 3],
                "tags": ",".join(("vip", "warm", "cold")[: i % 4]),
            }
        )
        if i % 2:
            app.leads.update(lead.id, {"campaign_id": campaign.id, "owner_id": None})
        ids.append(lead.id)
    return ids


def _state(app: AppServices, ids: list) -> dict:
    """Every column of the leads (deleted ones too) but the edit time, and their tags."""
    leads = Lead.__table__
    columns = [c for c in leads.c if c.name != "updated_at"]
    with app.store.read() as session:
        rows = session.execute(
            select(*columns).where(leads.c.id.in_(ids)).execution_options(include_deleted=True)
        ).all()
        tags = session.execute(select(LeadTag.lead_id, LeadTag.tag).order_by(LeadTag.tag)).all()
    return {
        row.id: (tuple(row), tuple(tag for lead_id, tag in tags if lead_id == row.id))
        for row in rows
    }


CHANGES = {
    "status": BulkChange({"status": "qualified"}),
    "owner": BulkChange({"owner_id": None}),
    "campaign": BulkChange({"campaign_id": None}),
    "tags": BulkChange(add_tags=("hot", "vip"), remove_tags=("warm",)),
    "delete": BulkChange(delete=True),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_undo_restores_exactly_the_previous_values_in_key_ranges(
    app: AppServices, kind: str, monkeypatch
) -> None:
    monkeypatch.setattr(snapshot_restore, "RANGE_SIZE", 4)
    ids = _fill(app)
    before = _state(app, ids)
    result = app.bulk_edit.apply(ids, CHANGES[kind])
    assert result.changed > 4 and _state(app, ids) != before
    seen: list[tuple[int, int]] = []
    report = app.lead_changes.undo(result.change_set_id, progress=lambda d, t: seen.append((d, t)))
    assert (report.restored, report.removed, report.kept) == (result.changed, 0, 0)
    assert _state(app, ids) == before
    total = result.changed
    assert seen == [(0, total), *((d, total) for d in range(4, total, 4)), (total, total)]
    assert app.leads.count(LeadQuery(search="lead1")) == 2, "the search index still finds them"
    undo = [a for a in app.activity.recent() if a.action == "undo"]
    assert len(undo) == 1 and undo[0].changes["restored"] == total
    with pytest.raises(ValidationError, match="already undone"):
        app.lead_changes.undo(result.change_set_id)


def test_a_lead_edited_since_is_kept_as_edited(app: AppServices) -> None:
    ids = _fill(app)
    result = app.bulk_edit.apply(ids, BulkChange({"status": "won"}, add_tags=("done",)))
    app.leads.update(ids[2], {"status": "lost", "tags": "done,mine"})
    edited = app.leads.get(ids[2])
    report = app.lead_changes.undo(result.change_set_id)
    assert (report.restored, report.kept) == (len(ids) - 1, 1)
    assert app.leads.get(ids[2]) == edited
    assert app.leads.count(LeadQuery(statuses=("won",))) == 0
    assert app.leads.count(LeadQuery(tags=("done",))) == 1


def test_undoing_stacked_bulk_changes_newest_first_restores_the_start(app: AppServices) -> None:
    ids = _fill(app)
    before = _state(app, ids)
    done = [app.bulk_edit.apply(ids, change) for change in CHANGES.values()]
    for result in reversed(done):
        app.lead_changes.undo(result.change_set_id)
    assert _state(app, ids) == before

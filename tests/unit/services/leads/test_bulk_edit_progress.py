"""Bulk edit's optional progress hook: reports as the leads are written, and an exception it
raises (the GUI's cancel) rolls the whole change back."""

from __future__ import annotations

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.leads import bulk_edit, snapshot_restore
from leaddesk.services.leads.bulk_edit import BulkChange, BulkEditService
from leaddesk.services.leads.changes import ChangeSetService
from leaddesk.services.leads.query import LeadQuery


class Stop(Exception):
    pass


def _fill(app: AppServices, count: int) -> list:
    return [app.leads.create({"first_name": f"Lead{i}", "email": f"p{i}@example.org"}).id
            for i in range(count)]


def test_progress_counts_up_to_the_leads_written(app: AppServices, monkeypatch) -> None:
    monkeypatch.setattr(bulk_edit, "ID_CHUNK", 4)
    ids = _fill(app, 10)
    seen: list[tuple[int, int]] = []
    result = BulkEditService(app.ctx).apply(
        ids, BulkChange({"status": "qualified"}), progress=lambda d, t: seen.append((d, t)))
    assert result.changed == 10
    assert seen[0] == (0, 10) and seen[-1] == (10, 10)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_an_exception_from_progress_mid_way_changes_nothing(
        app: AppServices, monkeypatch) -> None:
    monkeypatch.setattr(bulk_edit, "ID_CHUNK", 4)
    ids = _fill(app, 10)
    before = {i: app.leads.get(i) for i in ids}

    def stop_mid_way(done: int, total: int) -> None:
        if done >= 8:  # two chunks written in the transaction
            raise Stop

    with pytest.raises(Stop):
        BulkEditService(app.ctx).apply(
            ids, BulkChange({"status": "won"}, add_tags=("x",)), progress=stop_mid_way)
    assert {i: app.leads.get(i) for i in ids} == before
    assert app.leads.count(LeadQuery(statuses=("won",))) == 0
    assert not [a for a in app.activity.recent() if a.action == "bulk_edit"]


def test_a_filter_change_is_written_in_key_ranges_with_progress(
        app: AppServices, monkeypatch) -> None:
    monkeypatch.setattr(bulk_edit, "ID_CHUNK", 4)
    ids = _fill(app, 10)
    for lead_id in ids[:3]:
        app.leads.update(lead_id, {"status": "won"})
    seen: list[tuple[int, int]] = []
    result = BulkEditService(app.ctx).apply(
        LeadQuery(statuses=("new",)), BulkChange({"status": "lost"}),
        progress=lambda d, t: seen.append((d, t)))
    assert result.changed == 7
    assert seen == [(0, 7), (4, 7), (7, 7)]  # ranges of 4 keys, the last one shorter
    assert {app.leads.get(i).status for i in ids[3:]} == {"lost"}
    assert {app.leads.get(i).status for i in ids[:3]} == {"won"}


def test_undo_reports_progress_per_key_range(app: AppServices, monkeypatch) -> None:
    monkeypatch.setattr(snapshot_restore, "RANGE_SIZE", 4)
    ids = _fill(app, 6)
    result = BulkEditService(app.ctx).apply(ids, BulkChange({"status": "won"}))
    seen: list[tuple[int, int]] = []
    report = ChangeSetService(app.ctx).undo(
        result.change_set_id, progress=lambda d, t: seen.append((d, t)))
    assert report.restored == 6
    assert seen == [(0, 6), (4, 6), (6, 6)]
    assert app.leads.count(LeadQuery(statuses=("new",))) == 6

"""Jumps: rows_at from sampled keys gives exactly the rows an OFFSET scan gives."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from leaddesk.services import demo_leads
from leaddesk.services.app_services import AppServices
from leaddesk.services.leads import positions as lead_positions
from leaddesk.services.leads.query import LeadQuery, LeadSort
from leaddesk.services.leads.query_sql import apply_filters, ordered_by
from leaddesk.services.leads.service import _COLUMNS


def _by_offset(app: AppServices, query: LeadQuery, sort: LeadSort, offset: int) -> list[object]:
    stmt = ordered_by(apply_filters(select(*_COLUMNS), query), sort).offset(offset).limit(5)
    with app.store.read() as session:
        return [row.id for row in session.execute(stmt)]


@pytest.mark.parametrize(
    ("query", "sort"),
    [
        (LeadQuery(), LeadSort()),
        (LeadQuery(), LeadSort("last_name", descending=False)),
        (LeadQuery(statuses=("new", "contacted")), LeadSort("score")),
        (LeadQuery(search="example"), LeadSort("status", descending=False)),
    ],
)
def test_jumps_match_offset(
    app: AppServices, monkeypatch: pytest.MonkeyPatch, query: LeadQuery, sort: LeadSort
) -> None:
    monkeypatch.setattr(lead_positions, "STEP", 7)
    demo_leads.insert_leads(app, 120, app.ctx.actor.id, [])
    total = app.leads.count(query)
    for offset in (0, 6, 7, 8, 13, 14, 50, total - 3, total + 5):
        got = [r.id for r in app.leads.rows_at(query, sort, offset, limit=5)]
        assert got == _by_offset(app, query, sort, offset), offset


def test_samples_are_rebuilt_after_a_change(
    app: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lead_positions, "STEP", 5)
    demo_leads.insert_leads(app, 40, app.ctx.actor.id, [])
    sort = LeadSort("first_name", descending=False)
    before = app.leads.rows_at(None, sort, 20, limit=3)
    app.leads.create({"first_name": "Aaron", "last_name": "First"})
    after = app.leads.rows_at(None, sort, 21, limit=3)
    assert [r.id for r in after] == [r.id for r in before]


QUERIES = [
    (LeadQuery(statuses=("new", "contacted")), "last_name"),
    (LeadQuery(score_min=30, score_max=70, countries=("DE", "US", "GB")), None),
    (LeadQuery(tags=("hot",)), None),
    (LeadQuery(search="example"), "last_name"),
    (LeadQuery(search="example", statuses=("new",)), "last_name"),
    (LeadQuery(search="jo"), None),
    (LeadQuery(search="zzzzqqq"), "nothing"),
]


@pytest.mark.parametrize(("query", "plan"), QUERIES)
def test_walking_the_sort_index_gives_the_same_pages(
    app: AppServices, monkeypatch: pytest.MonkeyPatch, query: LeadQuery, plan: str | None
) -> None:
    from leaddesk.services.leads import plan as lead_plan
    from leaddesk.services.leads import search as lead_search

    demo_leads.insert_leads(app, 150, app.ctx.actor.id, [])
    sort = LeadSort("last_name", descending=False)
    expected = _by_offset(app, query, sort, 0)
    monkeypatch.setattr(lead_plan, "SAMPLE", 20)
    monkeypatch.setattr(lead_plan, "MIN_HITS", 1)
    monkeypatch.setattr(lead_search, "DENSE_MATCHES", 3)
    if plan == "nothing":
        assert app.leads._plan(query, sort) is None
    elif plan is not None:
        assert app.leads._plan(query, sort)[0] == plan
    assert [r.id for r in app.leads.page(query, sort, limit=5).rows] == expected
    assert app.leads.count(query) == len(app.leads.page(query, sort, limit=1000).rows)


def test_a_very_common_term_is_tested_row_by_row(
    app: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaddesk.services.leads import search as lead_search

    demo_leads.insert_leads(app, 150, app.ctx.actor.id, [])
    sort = LeadSort()
    query = LeadQuery(search="example")
    expected = _by_offset(app, query, sort, 0)
    monkeypatch.setattr(lead_search, "DENSE_MATCHES", 3)
    assert app.leads._plan(query, sort) == ("updated_at", "each")
    assert [r.id for r in app.leads.page(query, sort, limit=5).rows] == expected

"""Saved views: filters, sort and columns under a name, per user, replaced by name."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import NotFoundError
from leaddesk.services.leads.query import LeadQuery, LeadSort


def test_save_get_replace_list_delete(app: AppServices) -> None:
    views = app.saved_views
    query = LeadQuery(
        search="acme", statuses=("new", "won"), score_min=10, owner_ids=(uuid.uuid4(),),
        tags=("hot",), created_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    views.save("Hot", query, LeadSort("score"), ("first_name", "score"))
    saved = views.get("Hot")
    assert (saved.query, saved.sort, saved.columns) == (query, LeadSort("score"),
                                                       ("first_name", "score"))
    views.save("Hot", LeadQuery(tags=("hot",)))
    assert views.get("Hot").query == LeadQuery(tags=("hot",))
    views.save("All", LeadQuery())
    assert [v.name for v in views.list()] == ["All", "Hot"]
    views.delete("Hot")
    with pytest.raises(NotFoundError):
        views.get("Hot")

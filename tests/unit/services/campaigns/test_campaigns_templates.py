"""Campaign, template and message CRUD through the services."""

from __future__ import annotations

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import NotFoundError, ValidationError


def test_campaign_crud(app: AppServices) -> None:
    c = app.campaigns.create({"name": "Spring push", "budget_credits": 300,
                              "icp": {"titles": ["CTO"]}})
    assert c.status == "draft" and c.icp == {"titles": ["CTO"]}
    c = app.campaigns.update(c.id, {"status": "active", "goal": "20 calls"})
    assert (c.status, c.goal) == ("active", "20 calls")
    assert [x.id for x in app.campaigns.list()] == [c.id]
    app.campaigns.delete(c.id)
    assert app.campaigns.list() == []
    with pytest.raises(NotFoundError):
        app.campaigns.get(c.id)
    actions = [a.action for a in app.activity.recent(entity_type="campaign")]
    assert actions == ["delete", "update", "create"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "status": "running"}, "status"),
        ({"name": "x", "budget_credits": -1}, "budget_credits"),
        ({"name": "x", "icp": "CTOs"}, "icp"),
    ],
)
def test_campaign_validation(app: AppServices, data: dict, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        app.campaigns.create(data)
    assert err.value.field == field


def test_template_crud_and_syntax_check(app: AppServices) -> None:
    t = app.templates.create({"channel": "email", "name": "Intro", "subject": "Hi {{ first_name }}",
                              "body": "Hello {{ first_name | default('there') }}"})
    assert app.templates.list("email")[0].id == t.id
    assert app.templates.list("sms") == []
    with pytest.raises(ValidationError) as err:
        app.templates.update(t.id, {"body": "Hello {{ first_name "})
    assert err.value.field == "body"
    with pytest.raises(ValidationError) as err:
        app.templates.create({"channel": "fax", "name": "x"})
    assert err.value.field == "channel"


def test_message_draft(app: AppServices) -> None:
    lead = app.leads.create({"first_name": "Ada", "email": "ada@example.org"})
    msg = app.messages.save_draft(lead.id, "email", "Hello", "Body text")
    assert msg.state == "draft" and msg.to_address == "ada@example.org"
    assert [m.id for m in app.messages.for_lead(lead.id)] == [msg.id]
    assert app.messages.counts_by_state() == {"draft": 1}
    with pytest.raises(ValidationError) as err:
        app.messages.save_draft(lead.id, "email", "Hello", "   ")
    assert err.value.field == "body"

"""Demo rows are told from real ones by their keys: a second run reuses the campaigns, removal
takes every demo row out (and nothing else), and free packages stop once real work exists."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from leaddesk.services import demo, demo_rows
from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import PermissionDeniedError
from leaddesk.store.ids import demo_ids, is_demo_id, new_id
from leaddesk.store.models import (
    Activity,
    Campaign,
    CreditAccount,
    CreditTransaction,
    Lead,
    Message,
    MessageTemplate,
    SavedView,
    Task,
)

DEMO_TABLES = (Lead, Campaign, MessageTemplate, Message, Task, Activity, CreditTransaction)


def _count(app: AppServices, model: type, demo_only: bool = False) -> int:
    stmt = select(func.count()).select_from(model)
    if demo_only:
        stmt = stmt.where(demo_rows.is_demo_key(model.id))
    with app.store.read() as session:
        return int(session.scalar(stmt) or 0)


def test_demo_keys_are_version_8_and_time_ordered() -> None:
    before = new_id()
    with demo_ids():
        marked = [new_id() for _ in range(3)]
    after = new_id()
    assert all(map(is_demo_id, marked)) and not is_demo_id(before) and not is_demo_id(after)
    assert marked == sorted(marked)
    assert before.int >> 80 <= marked[0].int >> 80 <= after.int >> 80  # the same clock


def test_every_demo_row_carries_a_demo_key(app: AppServices) -> None:
    demo.populate(app, 40)
    for model in DEMO_TABLES:
        total = _count(app, model)
        assert total > 0, model.__tablename__
        assert _count(app, model, demo_only=True) == total, model.__tablename__


def test_a_second_run_adds_leads_but_not_campaigns_or_templates(app: AppServices) -> None:
    first = demo.populate(app, 20)
    second = demo.populate(app, 20, seed=8)
    assert (first.campaigns, first.templates) == (3, 4)
    assert (second.campaigns, second.templates) == (0, 0)
    assert _count(app, Campaign) == 3 and _count(app, MessageTemplate) == 4
    assert _count(app, Lead) == 40


def test_remove_takes_every_demo_row_and_keeps_real_work(app: AppServices) -> None:
    demo.populate(app, 60)
    demo_campaign = app.campaigns.list()[0]
    real = app.leads.create({"first_name": "Real", "email": "real@customer.example",
                             "campaign_id": str(demo_campaign.id)})
    real_campaign = app.campaigns.create({"name": "Real outreach"})
    with demo_ids(), app.store.write() as session:  # a view the demo would have saved
        session.add(SavedView(user_id=app.ctx.actor.id, name="Demo hot leads", query={}))

    report = demo_rows.remove(app.ctx)

    assert report.leads == 60 and report.campaigns == 3 and report.templates == 4
    assert report.messages > 0 and report.tasks > 0 and report.transactions > 0
    for model in (*DEMO_TABLES, SavedView):
        assert _count(app, model, demo_only=True) == 0, model.__tablename__
    assert [lead.id for lead in app.leads.page(limit=10).rows] == [real.id]
    assert app.leads.get(real.id).campaign_id is None  # its demo campaign is gone
    assert [c.id for c in app.campaigns.list()] == [real_campaign.id]
    assert not app.credits.is_demo_database()
    balance = app.credits.balance()
    assert balance.available == 0 and not balance.unlimited
    with app.store.read() as session:
        account = session.scalars(select(CreditAccount)).one()
    assert account.plan.value == "none" and account.reserved == 0
    removal = [a.summary for a in app.activity.recent(limit=5) if a.action == "demo_remove"]
    assert removal == ["removed the demo data (60 leads)"]


def test_remove_keeps_credits_bought_with_a_real_code(app: AppServices) -> None:
    app.credits.purchase("starter")  # stands for a redeemed code: a real, non-demo line
    demo.populate(app, 10)
    demo_rows.remove(app.ctx)
    assert app.credits.balance().available == 500
    with app.store.read() as session:
        lines = session.scalar(select(func.count()).select_from(CreditTransaction))
    assert lines == 1


def test_free_packages_stop_once_real_work_exists(app: AppServices) -> None:
    demo.populate(app, 10)
    before = app.credits.balance().available
    app.credits.buy_package("starter")  # only demo data here: free packages allowed
    assert app.credits.balance().available == before + 500
    app.leads.create({"first_name": "Real", "email": "real@customer.example"})
    with pytest.raises(PermissionDeniedError, match="now holds real leads"):
        app.credits.buy_package("enterprise")
    assert not app.credits.balance().unlimited
    demo_rows.remove(app.ctx)  # the free package was a demo row too
    assert app.credits.balance().available == 0
    with pytest.raises(PermissionDeniedError, match="demo databases only"):
        app.credits.buy_package("starter")


def test_demo_refuses_real_leads_even_on_a_demo_database(app: AppServices) -> None:
    demo.populate(app, 10)
    app.leads.create({"first_name": "Real", "email": "real@customer.example"})
    with pytest.raises(PermissionDeniedError, match="holds real leads"):
        demo.populate(app, 10)


def test_only_an_admin_removes_the_demo_data(app: AppServices) -> None:
    from leaddesk.services.context import Actor, ServiceContext
    from leaddesk.services.team.users import UserService
    from leaddesk.store.enums import Role

    demo.populate(app, 10)
    rep = UserService(app.ctx).add("rep", "Rita Rep", Role.REP.value, password="rep-secret-123")
    with pytest.raises(PermissionDeniedError, match="only an admin can remove the demo data"):
        demo_rows.remove(ServiceContext(app.store, Actor(rep.id, rep.name, Role.REP)))
    assert app.credits.is_demo_database() and _count(app, Lead) == 10

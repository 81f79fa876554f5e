"""Duplicates: rules, the database scan, checks on create/edit, merge and its undo."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from leaddesk.services.app_services import AppServices
from leaddesk.services.leads.changes import ChangeSetService
from leaddesk.services.leads.duplicate_keys import DuplicateLeadError, DuplicateRules, save_rules
from leaddesk.services.leads.duplicates import DuplicateService
from leaddesk.services.leads.query import LeadQuery
from leaddesk.services.messaging.messages import create_linkedin_task
from leaddesk.store.enums import TaskKind
from leaddesk.store.models import Task


def _people(app: AppServices) -> dict[str, object]:
    create = app.leads.create
    return {
        "ada": create({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org",
                       "phone": "+442079460018", "company": "Engines", "title": "Countess",
                       "tags": "math"}),
        "ada2": create({"first_name": "ADA", "last_name": "lovelace", "email": "Ada@Example.org",
                        "company": "engines", "city": "London", "tags": "vip"}),
        "ada3": create({"first_name": "Augusta", "phone": "+442079460018",
                        "linkedin_url": "linkedin.com/in/ada-l"}),
        "grace": create({"first_name": "Grace", "last_name": "Hopper", "company": "Navy",
                         "linkedin_url": "https://www.linkedin.com/in/ADA-L"}),
        "alan": create({"first_name": "Alan", "email": "alan@example.org"}),
    }


def _groups(app: AppServices, rules: DuplicateRules) -> set[tuple[str, frozenset[object]]]:
    found = DuplicateService(app.ctx).find_duplicates(rules)
    return {(g.rule, frozenset(g.lead_ids)) for g in found}


def test_each_rule_groups_its_key(app: AppServices) -> None:
    p = _people(app)
    ids = {k: v.id for k, v in p.items()}
    assert _groups(app, DuplicateRules(("email",))) == {
        ("email", frozenset({ids["ada"], ids["ada2"]}))}
    assert _groups(app, DuplicateRules(("phone",))) == {
        ("phone", frozenset({ids["ada"], ids["ada3"]}))}
    assert _groups(app, DuplicateRules(("linkedin_url",))) == {
        ("linkedin_url", frozenset({ids["ada3"], ids["grace"]}))}
    assert _groups(app, DuplicateRules(("name_company",))) == {
        ("name_company", frozenset({ids["ada"], ids["ada2"]}))}
    assert len(_groups(app, DuplicateRules(("email", "phone", "linkedin_url")))) == 3
    assert _groups(app, DuplicateRules(("email", "name_company"), "all")) == {
        ("all", frozenset({ids["ada"], ids["ada2"]}))}
    assert _groups(app, DuplicateRules(("email", "phone"), "all")) == set()


def test_deleted_leads_are_not_duplicates(app: AppServices) -> None:
    p = _people(app)
    app.leads.delete(p["ada2"].id)
    assert _groups(app, DuplicateRules(("email",))) == set()


def test_create_and_edit_check_when_asked(app: AppServices) -> None:
    p = _people(app)
    with pytest.raises(DuplicateLeadError) as err:
        app.leads.create({"first_name": "Al", "email": "ALAN@example.org"}, check_duplicates=True)
    assert err.value.field == "email" and err.value.duplicate_ids == [p["alan"].id]
    save_rules(app.store, DuplicateRules(("phone",)))
    other = app.leads.create({"first_name": "Al", "email": "al@example.org"},
                             check_duplicates=True)
    with pytest.raises(DuplicateLeadError, match="phone"):
        app.leads.update(other.id, {"phone": "+442079460018"}, check_duplicates=True)
    app.leads.update(other.id, {"title": "ok"}, check_duplicates=True)
    save_rules(app.store, DuplicateRules(("email",)))
    assert app.leads.update(p["alan"].id, {"email": "Alan@example.org"},
                            check_duplicates=True).email == "Alan@example.org", "itself is fine"


def test_merge_chooses_fields_combines_tags_and_undoes(app: AppServices) -> None:
    p = _people(app)
    ada, ada2 = p["ada"], p["ada2"]
    service = DuplicateService(app.ctx)
    kept, change_set = service.merge(ada.id, ada2.id, {"last_name": "other"})
    assert kept.last_name == "lovelace", "chosen from the other lead"
    assert kept.title == "Countess", "kept lead's value by default"
    assert kept.city == "London", "empty on the kept lead: filled from the other"
    assert kept.tags == ("math", "vip")
    assert app.leads.count() == 4
    actions = [a.action for a in app.activity.for_lead(ada2.id)]
    assert "merged_into" in actions and "create" in actions, "the audit keeps both records"
    timeline = {(a.action, a.entity_id) for a in app.activity.for_lead(ada.id)}
    assert {("create", str(ada.id)), ("create", str(ada2.id))} <= timeline, "history merged"
    undo = ChangeSetService(app.ctx).undo(change_set)
    assert (undo.restored, undo.kept) == (2, 0)
    back = app.leads.get(ada.id)
    assert (back.last_name, back.city, back.tags) == ("Lovelace", "", ("math",))
    assert app.leads.get(ada2.id).email == "Ada@example.org"
    assert app.leads.count() == 5


def test_merge_refuses_bad_choices(app: AppServices) -> None:
    p = _people(app)
    service = DuplicateService(app.ctx)
    with pytest.raises(Exception, match="itself"):
        service.merge(p["ada"].id, p["ada"].id)
    with pytest.raises(Exception, match="id"):
        service.merge(p["ada"].id, p["ada2"].id, {"id": "other"})
    with pytest.raises(Exception, match="choose"):
        service.merge(p["ada"].id, p["ada2"].id, {"title": "both"})
    assert app.leads.count(LeadQuery()) == 5


def _task(app: AppServices, lead_id: object, title: str) -> uuid.UUID:
    with app.store.write() as session:
        task = Task(kind=TaskKind.CALL, title=title, lead_id=lead_id, owner_id=app.ctx.actor.id)
        session.add(task)
        session.flush()
        return task.id


def _on(app: AppServices, lead_id: object) -> dict[str, set[object]]:
    """What hangs off a lead: its messages, tasks and timeline entries (by id)."""
    with app.store.read() as session:
        tasks = set(session.scalars(select(Task.id).where(Task.lead_id == lead_id)))
    return {
        "messages": {m.id for m in app.messages.for_lead(lead_id)},  # type: ignore[arg-type]
        "tasks": tasks,
        "activities": {a.id for a in app.activity.for_lead(lead_id)},  # type: ignore[arg-type]
    }


def test_merge_moves_messages_tasks_timeline_tags_and_campaign_and_undo_puts_them_back(
    app: AppServices,
) -> None:
    p = _people(app)
    ada, ada2, alan = p["ada"], p["ada2"], p["alan"]
    spring = app.campaigns.create({"name": "Spring"})
    app.leads.update(ada2.id, {"campaign_id": spring.id})
    for lead, n in ((ada, 1), (ada2, 2)):
        for i in range(n):
            app.messages.save_draft(lead.id, "email", f"hi {i}", f"body {i} of {lead.first_name}")
        _task(app, lead.id, f"call {lead.first_name}")
    linkedin = app.messages.save_draft(ada2.id, "linkedin", "", "connect?")
    create_linkedin_task(app.ctx, linkedin.id, ada2.id, {"text": "connect?"})
    app.messages.save_draft(alan.id, "email", "unrelated", "stays with alan")
    before = {"ada": _on(app, ada.id), "ada2": _on(app, ada2.id), "alan": _on(app, alan.id)}
    assert (len(before["ada2"]["messages"]), len(before["ada2"]["tasks"])) == (3, 2)

    kept, change_set = DuplicateService(app.ctx).merge(ada.id, ada2.id)
    after = _on(app, ada.id)
    for kind in ("messages", "tasks", "activities"):
        assert before["ada"][kind] | before["ada2"][kind] <= after[kind], kind
    assert _on(app, ada2.id)["messages"] == set() and _on(app, ada2.id)["tasks"] == set()
    assert before["ada2"]["activities"] <= _on(app, ada2.id)["activities"], "the audit stays"
    assert _on(app, alan.id) == before["alan"], "other leads are untouched"
    assert kept.campaign_id == spring.id, "the campaign moved to the kept lead"
    assert kept.tags == ("math", "vip")
    assert app.campaigns.stats(spring.id).leads == 1

    # Rows added to the kept lead after the merge stay with it on undo.
    later = app.messages.save_draft(ada.id, "email", "later", "after the merge")
    undo = ChangeSetService(app.ctx).undo(change_set)
    assert (undo.restored, undo.kept) == (2, 0)
    assert undo.moved_back == len(before["ada2"]["messages"]) + len(before["ada2"]["tasks"])
    back = {"ada": _on(app, ada.id), "ada2": _on(app, ada2.id), "alan": _on(app, alan.id)}
    for kind in ("messages", "tasks"):
        assert back["ada2"][kind] == before["ada2"][kind], kind
        assert back["ada"][kind] - {later.id} == before["ada"][kind], kind
    assert before["ada2"]["activities"] <= back["ada2"]["activities"]
    assert not before["ada2"]["activities"] & back["ada"]["activities"]
    assert back["alan"] == before["alan"]
    restored_ada, restored_ada2 = app.leads.get(ada.id), app.leads.get(ada2.id)
    assert (restored_ada.campaign_id, restored_ada.tags) == (None, ("math",))
    assert (restored_ada2.campaign_id, restored_ada2.tags) == (spring.id, ("vip",))

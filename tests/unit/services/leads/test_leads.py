"""Lead service: validation at the boundary, audit entries, filters, sort and keyset pages."""

from __future__ import annotations

import pytest

from leaddesk.services import demo
from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.leads.query import LeadQuery, LeadSort


def test_create_normalises_and_audits(app: AppServices) -> None:
    lead = app.leads.create({
        "first_name": " Ada ", "last_name": "Example", "email": "Ada@Example.ORG",
        "phone": "020 7946 0018", "country": "gb", "status": "Qualified", "score": "72",
        "linkedin_url": "linkedin.com/in/ada-example", "tags": "Hot; conference",
    })
    assert lead.first_name == "Ada"
    assert lead.email == "Ada@example.org"
    assert lead.phone == "+442079460018"
    assert lead.country == "GB"
    assert lead.status == "qualified"
    assert lead.score == 72
    assert lead.linkedin_url == "https://www.linkedin.com/in/ada-example"
    assert lead.tags == ("conference", "hot")
    assert lead.owner_id == app.ctx.actor.id
    timeline = app.activity.for_lead(lead.id)
    assert [a.action for a in timeline] == ["create"]
    assert timeline[0].actor_id == app.ctx.actor.id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_name": "A", "email": "not-an-email"}, "email"),
        ({"first_name": "A", "phone": "12"}, "phone"),
        ({"first_name": "A", "phone": "207946"}, "phone"),
        ({"first_name": "A", "status": "asleep"}, "status"),
        ({"first_name": "A", "score": 101}, "score"),
        ({"first_name": "A", "score": "high"}, "score"),
        ({"first_name": "A", "country": "XX"}, "country"),
        ({"first_name": "A", "linkedin_url": "https://example.org/ada"}, "linkedin_url"),
        ({"first_name": "A", "favourite_colour": "blue"}, "favourite_colour"),
        ({"first_name": "A" * 101}, "first_name"),
        ({"company": "Only a company"}, "name"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    app: AppServices, data: dict, field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        app.leads.create(data)
    assert err.value.field == field
    assert field in str(err.value)
    assert app.leads.count() == 0


def test_update_bumps_version_records_diff_and_checks_version(app: AppServices) -> None:
    lead = app.leads.create({"first_name": "Ada", "email": "ada@example.org"})
    updated = app.leads.update(lead.id, {"status": "contacted", "tags": ["x"]},
                               expected_version=lead.version)
    assert updated.version == lead.version + 1
    assert updated.status == "contacted" and updated.tags == ("x",)
    change = app.activity.for_lead(lead.id)[0]
    assert change.action == "update"
    assert change.changes["status"] == ["new", "contacted"]
    with pytest.raises(ValidationError, match="changed since"):
        app.leads.update(lead.id, {"status": "won"}, expected_version=lead.version)
    assert app.leads.get(lead.id).status == "contacted"


def test_update_with_no_change_writes_no_audit(app: AppServices) -> None:
    lead = app.leads.create({"first_name": "Ada"})
    same = app.leads.update(lead.id, {"first_name": "Ada"})
    assert same.version == lead.version
    assert len(app.activity.for_lead(lead.id)) == 1


def test_delete_restore_and_missing(app: AppServices) -> None:
    lead = app.leads.create({"first_name": "Ada"})
    app.leads.delete(lead.id)
    with pytest.raises(NotFoundError):
        app.leads.get(lead.id)
    assert app.leads.restore(lead.id).id == lead.id
    assert app.leads.count() == 1


@pytest.fixture
def demo_app(app: AppServices) -> AppServices:
    demo.populate(app, 600, seed=3)
    return app


@pytest.mark.parametrize("field", ["updated_at", "last_name", "score", "status", "created_at"])
@pytest.mark.parametrize("descending", [True, False])
def test_keyset_pages_equal_offset_pages(demo_app: AppServices, field: str, descending: bool):
    sort = LeadSort(field, descending)
    query = LeadQuery(statuses=("new", "contacted", "replied"))
    total = demo_app.leads.count(query)
    walked, cursor = [], None
    while True:
        page = demo_app.leads.page(query, sort, after=cursor, limit=70)
        walked.extend(r.id for r in page.rows)
        cursor = page.next_cursor
        if cursor is None:
            break
    by_offset = [r.id for r in demo_app.leads.rows_at(query, sort, 0, total + 10)]
    assert walked == by_offset
    assert len(walked) == total
    values = [getattr(r, field) for r in demo_app.leads.rows_at(query, sort, 0, total)]
    assert values == sorted(values, reverse=descending)


def test_filters(demo_app: AppServices) -> None:
    leads = demo_app.leads
    everything = leads.rows_at(limit=10_000)
    assert leads.count() == len(everything) == 600

    def expect(query: LeadQuery, predicate) -> None:
        got = {r.id for r in leads.rows_at(query, limit=10_000)}
        assert got == {r.id for r in everything if predicate(r)}
        assert leads.count(query) == len(got)

    expect(LeadQuery(statuses=("won",)), lambda r: r.status == "won")
    expect(LeadQuery(score_min=60, score_max=80), lambda r: 60 <= r.score <= 80)
    expect(LeadQuery(countries=("de", "FR")), lambda r: r.country in ("DE", "FR"))
    expect(LeadQuery(tags=("hot",)), lambda r: "hot" in r.tags)
    expect(LeadQuery(industries=("SaaS",)), lambda r: r.industry == "SaaS")
    name = everything[0].last_name
    expect(LeadQuery(search=name.upper()),
           lambda r: any(name.lower() in v.lower()
                         for v in (r.first_name, r.last_name, r.email, r.company)))


def test_sort_on_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError, match="sort"):
        LeadSort("password_hash")

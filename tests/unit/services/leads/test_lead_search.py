"""Full-text search: substrings of name, email, company, title and notes, kept in sync."""

from __future__ import annotations

from sqlalchemy import text

from leaddesk.services import demo_leads
from leaddesk.services.app_services import AppServices
from leaddesk.services.leads import search as lead_search
from leaddesk.services.leads.query import LeadQuery


def _names(app: AppServices, search: str) -> set[str]:
    return {r.full_name for r in app.leads.page(LeadQuery(search=search), limit=100).rows}


def _fill(app: AppServices) -> dict[str, object]:
    leads = {
        "ada": app.leads.create({"first_name": "Ada", "last_name": "Lovelace",
                                 "email": "ada@analytical.example", "company": "Engines Ltd",
                                 "title": "Mathematician", "notes": "met at the 100% conference"}),
        "grace": app.leads.create({"first_name": "Grace", "last_name": "Hopper",
                                   "email": "grace@navy.example", "company": "Compilers Inc",
                                   "title": "Rear Admiral", "notes": 'said "call me in May"'}),
        "jo": app.leads.create({"first_name": "Jo", "last_name": "Nakamura",
                                "company": "Joinery Co", "title": "Founder"}),
    }
    return leads


def test_substring_of_any_searched_field_case_insensitive(app: AppServices) -> None:
    _fill(app)
    assert _names(app, "velac") == {"Ada Lovelace"}
    assert _names(app, "NAVY.EXAM") == {"Grace Hopper"}
    assert _names(app, "compil") == {"Grace Hopper"}
    assert _names(app, "admiral") == {"Grace Hopper"}
    assert _names(app, "conference") == {"Ada Lovelace"}
    assert _names(app, "ada lovelace") == {"Ada Lovelace"}, "name spans first and last"
    assert _names(app, "nowhere") == set()


def test_every_term_must_match_and_quotes_or_wildcards_are_literal(app: AppServices) -> None:
    _fill(app)
    assert _names(app, "grace compilers") == {"Grace Hopper"}
    assert _names(app, "grace engines") == set()
    assert _names(app, '"call') == {"Grace Hopper"}
    assert _names(app, "100%") == {"Ada Lovelace"}
    assert _names(app, "1_0") == set()


def test_short_terms_match_the_start_of_name_email_or_company(app: AppServices) -> None:
    _fill(app)
    assert _names(app, "jo") == {"Jo Nakamura"}
    assert _names(app, "g") == {"Grace Hopper"}
    assert _names(app, "e") == {"Ada Lovelace"}, "company Engines Ltd"
    assert _names(app, "lovelace a") == {"Ada Lovelace"}
    assert _names(app, "admiral re") == {"Grace Hopper"}, "beside a long term: a substring"
    assert _names(app, "re") == set(), "alone: the start of a name, email or company"
    assert app.leads.count(LeadQuery(search="  ")) == 3


def test_index_follows_edits_deletes_and_restores(app: AppServices) -> None:
    leads = _fill(app)
    ada = leads["ada"]
    app.leads.update(ada.id, {"company": "Difference Works", "notes": ""})
    assert _names(app, "engines") == set()
    assert _names(app, "difference") == {"Ada Lovelace"}
    assert _names(app, "conference") == set()
    app.leads.delete(ada.id)
    assert _names(app, "difference") == set()
    assert app.leads.count(LeadQuery(search="difference")) == 0
    app.leads.restore(ada.id)
    assert _names(app, "difference") == {"Ada Lovelace"}


def test_search_combines_with_filters_and_counts(app: AppServices) -> None:
    leads = _fill(app)
    app.leads.update(leads["grace"].id, {"status": "qualified"})
    assert app.leads.count(LeadQuery(search="example")) == 2
    assert app.leads.count(LeadQuery(search="example", statuses=("qualified",))) == 1


def test_lost_triggers_are_rebuilt_with_the_index(app: AppServices) -> None:
    _fill(app)
    with app.store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER leads_fts_update"))
    assert lead_search.ensure_search_index(app.store.engine)
    assert not lead_search.ensure_search_index(app.store.engine), "nothing to do the second time"
    lead = app.leads.page(LeadQuery(search="hopper")).rows[0]
    app.leads.update(lead.id, {"last_name": "Murray"})
    assert _names(app, "murray") == {"Grace Murray"}
    assert _names(app, "hopper") == set()


def test_demo_leads_are_indexed_in_bulk_and_the_trigger_is_back(app: AppServices) -> None:
    demo_leads.insert_leads(app, 300, app.ctx.actor.id, [])
    some = app.leads.page(limit=1).rows[0]
    found = app.leads.page(LeadQuery(search=some.email or some.company), limit=500).rows
    assert some.id in {r.id for r in found}
    lead = app.leads.create({"first_name": "Zebedee", "last_name": "Quokka"})
    assert _names(app, "quokka") == {"Zebedee Quokka"}
    assert lead.id

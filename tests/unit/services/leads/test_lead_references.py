"""Campaign and owner names in files resolve to the records the importing user may assign."""

from __future__ import annotations

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import ValidationError
from leaddesk.services.leads.references import load_reference_table, resolve
from leaddesk.services.leads.validation_cache import clean_bulk
from leaddesk.services.team.users import UserService
from leaddesk.services.validation import parse_flag


def test_names_resolve_without_case_and_unknown_or_ambiguous_ones_are_reported(
    app: AppServices,
) -> None:
    spring = app.campaigns.create({"name": "Spring launch"})
    app.campaigns.create({"name": "Twice"})
    app.campaigns.create({"name": "twice "})
    rep = UserService(app.ctx).add("rep-1", "A Rep", email="Rep1@Example.org")
    with app.store.read() as session:
        table = load_reference_table(session)

    values = {"first_name": "Ada", "campaign": " SPRING launch", "owner": "rep1@example.org"}
    assert resolve(values, table) == []
    assert values == {"first_name": "Ada", "campaign_id": spring.id, "owner_id": rep.id}

    values = {"first_name": "Bo", "campaign": "Twice", "owner": "nobody"}
    issues = resolve(values, table)
    assert values == {"first_name": "Bo"}, "unresolved names are dropped"
    assert [(i.field, i.message) for i in issues] == [
        ("campaign", "several campaigns are named 'Twice'; the lead was put in none"),
        ("owner", "no user 'nobody'; the lead is yours"),
    ]
    values = {"first_name": "Cy", "campaign": "", "owner": "REP-1"}
    assert resolve(values, table) == [] and values == {"first_name": "Cy", "owner_id": rep.id}
    with pytest.raises(ValidationError, match="campaign"):
        resolve({"campaign": "x" * 201}, table)


def test_bulk_validation_leaves_unresolved_names_out_and_reads_yes_no(app: AppServices) -> None:
    cleaned = clean_bulk({"first_name": "Ada", "campaign": "Spring", "owner": "ann"}, None)
    assert cleaned == {"first_name": "Ada"}
    with pytest.raises(ValidationError, match="is not a lead field"):
        app.leads.create({"first_name": "Ada", "owner": "ann"})
    for text, flag in (
        ("true", True),
        ("Yes", True),
        ("1", True),
        ("x", True),
        ("false", False),
        ("no", False),
        ("0", False),
        ("", False),
        (" FALSE ", False),
    ):
        assert parse_flag(text, "do_not_contact") is flag, text
        assert clean_bulk({"do_not_contact": text}, None) == {"do_not_contact": flag}
    assert parse_flag(True, "f") is True and parse_flag(0, "f") is False
    with pytest.raises(ValidationError, match="'maybe' is not yes or no"):
        clean_bulk({"first_name": "Ada", "do_not_contact": "maybe"}, None)
    lead = app.leads.create({"first_name": "Ada", "do_not_contact": "false"})
    assert lead.do_not_contact is False

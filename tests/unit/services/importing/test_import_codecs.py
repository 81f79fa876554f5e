"""Small reversible codecs: the formula guard, the tags cell, country names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaddesk.services.formula_guard import TRIGGER_CHARS
from leaddesk.services.importing import format_tags, neutralise, normalize_country, parse_tags


@pytest.mark.parametrize(
    ("value", "guarded"),
    [
        ("=1+1", "'=1+1"),
        ("+1 555 0100", "'+1 555 0100"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("'=already quoted", "''=already quoted"),
        ("''+two quotes", "'''+two quotes"),
        ("'plain quote", "'plain quote"),
        ("it's = fine", "it's = fine"),
        ("", ""),
        ("'", "'"),
    ],
)
def test_neutralise(value: str, guarded: str) -> None:
    assert neutralise(value) == guarded


@given(st.text())
def test_guard_round_trips_every_string(value: str) -> None:
    from leaddesk.services.importing import restore

    guarded = neutralise(value)
    assert restore(guarded) == value
    assert guarded[:1] not in TRIGGER_CHARS or guarded == ""


@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\rab")), max_size=8))
def test_guard_round_trips_quote_heavy_strings(value: str) -> None:
    from leaddesk.services.importing import restore

    assert restore(neutralise(value)) == value


@pytest.mark.parametrize(
    ("cell", "tags"),
    [
        ("vip; newsletter", ["vip", "newsletter"]),
        ("vip,newsletter , ", ["vip", "newsletter"]),
        ("Acme, Inc.;", ["Acme, Inc."]),
        ("* myContacts ::: Friends", ["* myContacts", "Friends"]),
        ("a;a;b", ["a", "b"]),
        ("  ", []),
    ],
)
def test_parse_tags(cell: str, tags: list[str]) -> None:
    assert parse_tags(cell) == tags


_TAG = (
    st.text(min_size=1, max_size=12)
    .map(str.strip)
    .filter(lambda tag: bool(tag) and ";" not in tag and ":::" not in tag)
)


@given(st.lists(_TAG, max_size=6, unique=True))
def test_tags_round_trip(tags: list[str]) -> None:
    assert parse_tags(format_tags(tags)) == tags


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Germany", "DE"),
        ("deutschland", "DE"),
        ("de", "DE"),
        ("United States of America", "US"),
        ("U.S.A.", "US"),
        ("UK", "GB"),
        ("Korea (South)", "KR"),
        ("Côte d’Ivoire", "CI"),
        ("The Netherlands", "NL"),
        ("Atlantis", "Atlantis"),
        (" Atlantis ", "Atlantis"),
        ("", ""),
    ],
)
def test_normalize_country(value: str, code: str) -> None:
    assert normalize_country(value) == code

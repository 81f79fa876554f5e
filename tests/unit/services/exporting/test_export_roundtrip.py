"""Exports re-import without loss: writer -> open_source -> guess_mapping -> same values."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leaddesk.services.exporting import EXPORT_FIELDS, cell_text, write_csv, write_vcard, write_xlsx
from leaddesk.services.importing import compile_mapping, guess_mapping, open_source, read_csv
from leaddesk.services.importing.xlsx_reader import XlsxSource

LEADS: list[dict[str, Any]] = [
    {
        "id": "0190f3a4-5b6c-7d8e-9f00-112233445566",
        "first_name": "Ada",
        "last_name": "Example",
        "email": "ada@example.com",
        "phone": "+49 30 1234567",
        "linkedin_url": "https://www.linkedin.com/in/ada-example",
        "title": "Head of R&D; Labs",
        "company": "Acme, Inc.",
        "industry": "Software",
        "company_size": "51-200",
        "website": "https://acme.example",
        "city": "Zürich",
        "country": "CH",
        "timezone": "Europe/Zurich",
        "status": "contacted",
        "score": 87,
        "tags": ["vip", "Acme, Inc. alumni", "ünïcode"],
        "source": "linkedin",
        "notes": '  indented\nsecond line with "quotes", commas; semicolons \\ backslash\n=cmd()',
        "consent": "legitimate interest",
        "do_not_contact": True,
        "campaign": "Spring; launch, 2026",
        "owner": "rep@example.org",
    },
    {
        "id": "lead-2",
        "first_name": "=1+1",
        "last_name": "'=already quoted",
        "email": "@handle",
        "phone": "-5",
        "company": "_x0041_ literal",
        "notes": "\tstarts with a tab",
        "tags": [],
        "do_not_contact": False,
        "owner": "=owner",
    },
    {"id": "lead-3", "company": "Only Company GmbH", "country": "DE"},
]


def _expected(lead: dict[str, Any]) -> dict[str, str]:
    return {field: cell_text(lead.get(field)) for field in EXPORT_FIELDS}


def _reimported(path: Path) -> list[dict[str, str]]:
    with open_source(path) as source:
        apply = compile_mapping(guess_mapping(source.headers))
        rows = list(source)
    assert all(row.ok for row in rows), [str(issue) for row in rows for issue in row.issues]
    return [{field: apply(row).get(field, "") for field in EXPORT_FIELDS} for row in rows]


@pytest.mark.parametrize(
    ("suffix", "writer"), [(".csv", write_csv), (".xlsx", write_xlsx), (".vcf", write_vcard)]
)
def test_leads_round_trip(tmp_path: Path, suffix: str, writer: Any) -> None:
    path = tmp_path / f"leads{suffix}"
    assert writer(LEADS, path).rows == len(LEADS)
    assert _reimported(path) == [_expected(lead) for lead in LEADS]


# -- random tables -----------------------------------------------------------------------------

_CHARS = st.one_of(
    st.characters(blacklist_categories=("Cs", "Cc")),
    st.sampled_from(list(",;\t|\"'\r\n =+-@_x0")),
)
_CELL = st.text(alphabet=_CHARS, max_size=25)
_HEADER = st.text(alphabet=_CHARS, min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[dict[str, str]]]:
    headers = draw(st.lists(_HEADER, min_size=1, max_size=5, unique=True))
    rows = draw(st.lists(st.fixed_dictionaries({header: _CELL for header in headers}), max_size=8))
    # A row of empty or blank cells only is a blank row, which readers skip by design.
    rows = [row for row in rows if "".join(row.values()).strip()]
    return headers, rows


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables(), delimiter=st.sampled_from([",", ";", "\t", "|"]), bom=st.booleans())
def test_random_tables_round_trip_through_csv(
    table: tuple[list[str], list[dict[str, str]]], delimiter: str, bom: bool
) -> None:
    headers, rows = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        write_csv(rows, path, fields=headers, delimiter=delimiter, bom=bom)
        source = read_csv(path)
        assert source.headers == headers
        assert [row.values for row in source] == rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables())
def test_random_tables_round_trip_through_xlsx(
    table: tuple[list[str], list[dict[str, str]]],
) -> None:
    headers, rows = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.xlsx"
        write_xlsx(rows, path, fields=headers)
        with XlsxSource(path) as source:
            assert source.headers == headers
            assert [row.values for row in source] == rows


_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from(list(",;\\:\n\"'"))
    ),
    max_size=120,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=_TEXT.map(str.strip),
    company=_TEXT.map(str.strip),
    notes=_TEXT,
    tags=st.lists(
        _TEXT.map(str.strip).filter(lambda t: t and ";" not in t and ":::" not in t),
        max_size=4,
        unique=True,
    ),
)
def test_random_text_round_trips_through_vcard(
    first: str, company: str, notes: str, tags: list[str]
) -> None:
    assume(first or company)  # a card without name, email, phone or company is skipped
    lead = {"id": "lead-1", "first_name": first, "company": company, "notes": notes, "tags": tags}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lead.vcf"
        write_vcard([lead], path)
        (fields,) = _reimported(path)
    expected = _expected(lead)
    if not expected["notes"].strip():
        expected["notes"] = ""  # a blank note is no note
    assert fields == expected

"""Column mapping: vendor export headers, applying a mapping, remembering it as JSON."""

from __future__ import annotations

import json

import pytest

from leaddesk.services.importing import (
    CANONICAL_FIELDS,
    MappingError,
    SourceRow,
    apply_mapping,
    compile_mapping,
    fingerprint,
    guess_mapping,
    mapping_from_json,
    mapping_to_json,
)
from leaddesk.services.importing.header_aliases import header_key

HUBSPOT = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Contact owner",
    "Primary Associated Company ID", "Associated Company", "Last Activity Date", "Lead Status",
    "Marketing contact status", "Create Date", "Job Title", "Company Name",
    "Mobile Phone Number", "Industry", "Number of Employees", "Website URL", "City",
    "State/Region", "Country/Region", "Time Zone", "Lifecycle Stage", "HubSpot Score",
    "Original Source", "Original Source Drill-Down 1", "Email Domain",
]  # fmt: skip
SALESFORCE_REPORT = [
    "Lead ID", "Salutation", "First Name", "Last Name", "Title", "Company / Account", "Email",
    "Phone", "Mobile", "Lead Source", "Lead Status", "Industry", "No. of Employees",
    "Website", "Street", "City", "State/Province", "Zip/Postal Code", "Country", "Rating",
    "Description", "Lead Owner", "Email Opt Out", "Create Date",
]  # fmt: skip
SALESFORCE_API = [
    "Id", "FirstName", "LastName", "Title", "Company", "Email", "Phone", "MobilePhone",
    "LeadSource", "Status", "Industry", "NumberOfEmployees", "Website", "City", "CountryCode",
    "Description", "HasOptedOutOfEmail", "OwnerId",
]  # fmt: skip
PIPEDRIVE = [
    "Person - ID", "Person - Name", "Person - First name", "Person - Last name",
    "Person - Email - Work", "Person - Email - Home", "Person - Phone - Work",
    "Person - Phone - Mobile", "Person - Organization", "Person - Job title",
    "Person - Labels", "Person - Owner", "Organization - Name", "Organization - Industry",
    "Organization - Number of employees", "Organization - Website",
    "Organization - Address - City/town/village/locality", "Organization - Address - Country",
    "Deal - Title", "Deal - Value",
]  # fmt: skip
PIPEDRIVE_SIMPLE = ["Name", "Label", "Organization", "Email", "Phone", "Open deals", "Owner"]
LINKEDIN = [
    "First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On",
]  # fmt: skip
GOOGLE_NEW = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Name Prefix",
    "Name Suffix", "Nickname", "File As", "Organization Name", "Organization Title",
    "Organization Department", "Birthday", "Notes", "Photo", "Labels", "E-mail 1 - Label",
    "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value", "Phone 1 - Label",
    "Phone 1 - Value", "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street",
    "Address 1 - City", "Address 1 - Region", "Address 1 - Postal Code",
    "Address 1 - Country", "Website 1 - Label", "Website 1 - Value",
]  # fmt: skip
GOOGLE_OLD = [
    "Name", "Given Name", "Additional Name", "Family Name", "Yomi Name", "Name Prefix",
    "Name Suffix", "Nickname", "Birthday", "Gender", "Location", "Occupation", "Notes",
    "Group Membership", "E-mail 1 - Type", "E-mail 1 - Value", "Phone 1 - Type",
    "Phone 1 - Value", "Address 1 - Type", "Address 1 - Formatted", "Address 1 - City",
    "Address 1 - Country", "Organization 1 - Type", "Organization 1 - Name",
    "Organization 1 - Title", "Website 1 - Type", "Website 1 - Value",
]  # fmt: skip
OUTLOOK = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business City", "Business State",
    "Business Postal Code", "Business Country/Region", "Home Street", "Home City",
    "Home Country/Region", "Assistant's Phone", "Business Fax", "Business Phone",
    "Business Phone 2", "Home Phone", "Mobile Phone", "Pager", "Account", "Birthday",
    "Categories", "E-mail Address", "E-mail Type", "E-mail Display Name", "E-mail 2 Address",
    "Notes", "Web Page",
]  # fmt: skip
OWN_EXPORT = ["id", *CANONICAL_FIELDS]


def _targets(mapping: dict[str, str | None]) -> dict[str, list[str]]:
    by_target: dict[str, list[str]] = {}
    for header, target in mapping.items():
        if target is not None:
            by_target.setdefault(target, []).append(header)
    return by_target


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            HUBSPOT,
            {
                "first_name": ["First Name"],
                "last_name": ["Last Name"],
                "email": ["Email"],
                "phone": ["Phone Number", "Mobile Phone Number"],
                "company": ["Associated Company", "Company Name"],
                "status": ["Lead Status"],
                "title": ["Job Title"],
                "industry": ["Industry"],
                "company_size": ["Number of Employees"],
                "website": ["Website URL"],
                "city": ["City"],
                "country": ["Country/Region"],
                "timezone": ["Time Zone"],
                "score": ["HubSpot Score"],
                "source": ["Original Source"],
                "owner": ["Contact owner"],
            },
        ),
        (
            SALESFORCE_REPORT,
            {
                "first_name": ["First Name"],
                "last_name": ["Last Name"],
                "title": ["Title"],
                "company": ["Company / Account"],
                "email": ["Email"],
                "phone": ["Phone", "Mobile"],
                "source": ["Lead Source"],
                "status": ["Lead Status"],
                "industry": ["Industry"],
                "company_size": ["No. of Employees"],
                "website": ["Website"],
                "city": ["City"],
                "country": ["Country"],
                "notes": ["Description"],
                "owner": ["Lead Owner"],
                "do_not_contact": ["Email Opt Out"],
            },
        ),
        (
            SALESFORCE_API,
            {
                "first_name": ["FirstName"],
                "last_name": ["LastName"],
                "title": ["Title"],
                "company": ["Company"],
                "email": ["Email"],
                "phone": ["Phone", "MobilePhone"],
                "source": ["LeadSource"],
                "status": ["Status"],
                "industry": ["Industry"],
                "company_size": ["NumberOfEmployees"],
                "website": ["Website"],
                "city": ["City"],
                "country": ["CountryCode"],
                "notes": ["Description"],
                "do_not_contact": ["HasOptedOutOfEmail"],
            },
        ),
        (
            PIPEDRIVE,
            {
                "full_name": ["Person - Name"],
                "first_name": ["Person - First name"],
                "last_name": ["Person - Last name"],
                "email": ["Person - Email - Work", "Person - Email - Home"],
                "phone": ["Person - Phone - Work", "Person - Phone - Mobile"],
                "company": ["Person - Organization", "Organization - Name"],
                "title": ["Person - Job title"],
                "tags": ["Person - Labels"],
                "industry": ["Organization - Industry"],
                "company_size": ["Organization - Number of employees"],
                "website": ["Organization - Website"],
                "city": ["Organization - Address - City/town/village/locality"],
                "country": ["Organization - Address - Country"],
                "owner": ["Person - Owner"],
            },
        ),
        (
            PIPEDRIVE_SIMPLE,
            {
                "full_name": ["Name"],
                "tags": ["Label"],
                "company": ["Organization"],
                "email": ["Email"],
                "phone": ["Phone"],
                "owner": ["Owner"],
            },
        ),
        (
            LINKEDIN,
            {
                "first_name": ["First Name"],
                "last_name": ["Last Name"],
                "linkedin_url": ["URL"],
                "email": ["Email Address"],
                "company": ["Company"],
                "title": ["Position"],
            },
        ),
        (
            GOOGLE_NEW,
            {
                "first_name": ["First Name"],
                "last_name": ["Last Name"],
                "company": ["Organization Name"],
                "title": ["Organization Title"],
                "notes": ["Notes"],
                "tags": ["Labels"],
                "email": ["E-mail 1 - Value", "E-mail 2 - Value"],
                "phone": ["Phone 1 - Value"],
                "city": ["Address 1 - City"],
                "country": ["Address 1 - Country"],
                "website": ["Website 1 - Value"],
            },
        ),
        (
            GOOGLE_OLD,
            {
                "full_name": ["Name"],
                "first_name": ["Given Name"],
                "last_name": ["Family Name"],
                "notes": ["Notes"],
                "tags": ["Group Membership"],
                "email": ["E-mail 1 - Value"],
                "phone": ["Phone 1 - Value"],
                "city": ["Address 1 - City"],
                "country": ["Address 1 - Country"],
                "company": ["Organization 1 - Name"],
                "title": ["Organization 1 - Title"],
                "website": ["Website 1 - Value"],
            },
        ),
        (
            OUTLOOK,
            {
                "first_name": ["First Name"],
                "last_name": ["Last Name"],
                "company": ["Company"],
                "title": ["Job Title"],
                "city": ["Business City", "Home City"],
                "country": ["Business Country/Region", "Home Country/Region"],
                "phone": ["Business Phone", "Business Phone 2", "Home Phone", "Mobile Phone"],
                "tags": ["Categories"],
                "email": ["E-mail Address", "E-mail 2 Address"],
                "notes": ["Notes"],
                "website": ["Web Page"],
            },
        ),
        (OWN_EXPORT, {field: [field] for field in OWN_EXPORT}),
    ],
    ids=[
        "hubspot",
        "salesforce-report",
        "salesforce-api",
        "pipedrive",
        "pipedrive-simple",
        "linkedin",
        "google-new",
        "google-old",
        "outlook",
        "own-export",
    ],
)
def test_vendor_headers(headers: list[str], expected: dict[str, list[str]]) -> None:
    mapping = guess_mapping(headers)
    assert list(mapping) == headers
    assert _targets(mapping) == expected


def test_matching_ignores_case_space_punctuation_and_accents() -> None:
    mapping = guess_mapping(["  FIRST_NAME ", "e-mail", "Téléphone", "Job-Title", "Prénom"])
    assert mapping == {
        "  FIRST_NAME ": "first_name",
        "e-mail": "email",
        "Téléphone": "phone",
        "Job-Title": "title",
        "Prénom": "first_name",
    }
    assert header_key("Country/Region") == "countryregion"


def test_an_id_column_of_another_system_is_not_ours() -> None:
    assert guess_mapping(["id", "Name", "Email"])["id"] is None


def test_apply_mapping_joins_columns() -> None:
    headers = GOOGLE_NEW
    mapping = guess_mapping(headers)
    values = dict.fromkeys(headers, "")
    values.update(
        {
            "First Name": " Ada ",
            "Last Name": "Example",
            "E-mail 1 - Value": "ada@example.com ::: ada.private@example.com",
            "E-mail 2 - Value": "other@example.com",
            "Labels": "* myContacts ::: Customers",
            "Address 1 - Country": "Germany",
            "Website 1 - Value": "https://www.linkedin.com/in/ada-example",
            "Notes": "  first note",
        }
    )
    fields = apply_mapping(SourceRow(2, values), mapping)
    assert fields["first_name"] == "Ada"
    assert fields["email"] == "ada@example.com"
    assert fields["tags"] == "* myContacts; Customers"
    assert fields["country"] == "DE"
    assert fields["linkedin_url"] == "https://www.linkedin.com/in/ada-example"
    assert fields["website"] == ""
    assert fields["notes"] == "  first note"  # notes keep their spacing
    assert fields["phone"] == ""  # mapped but empty: present, so the importer knows


def test_apply_mapping_merges_tags_and_notes_of_several_columns() -> None:
    mapping = {"Tags": "tags", "Labels": "tags", "Notes": "notes", "Comment": "notes"}
    row = {"Tags": "a, b", "Labels": "b;c", "Notes": "one", "Comment": "two"}
    assert apply_mapping(row, mapping) == {"tags": "a; b; c", "notes": "one\ntwo"}


@pytest.mark.parametrize(
    ("full_name", "first", "last"),
    [
        ("Ada Example", "Ada", "Example"),
        ("Ada", "Ada", ""),
        ("Ada B. Example", "Ada B.", "Example"),
    ],
)
def test_full_name_is_split_when_no_separate_names(full_name: str, first: str, last: str) -> None:
    fields = apply_mapping(
        {"Name": full_name, "Email": "x@example.com"}, guess_mapping(["Name", "Email"])
    )
    assert (fields["first_name"], fields["last_name"]) == (first, last)
    assert "full_name" not in fields


def test_separate_names_win_over_full_name() -> None:
    mapping = guess_mapping(PIPEDRIVE)
    row = dict.fromkeys(PIPEDRIVE, "")
    row.update({"Person - Name": "Ada Example", "Person - First name": "Ada"})
    fields = apply_mapping(row, mapping)
    assert (fields["first_name"], fields["last_name"]) == ("Ada", "")


def test_compiled_mapping_is_reusable() -> None:
    apply = compile_mapping(guess_mapping(LINKEDIN))
    first = apply({"First Name": "Ada", "URL": "https://www.linkedin.com/in/ada"})
    second = apply({"First Name": "Bob"})
    assert first["linkedin_url"] == "https://www.linkedin.com/in/ada"
    assert second == {
        "first_name": "Bob",
        "last_name": "",
        "linkedin_url": "",
        "email": "",
        "company": "",
        "title": "",
    }


def test_json_round_trip_and_plain_objects() -> None:
    mapping = guess_mapping(LINKEDIN)
    text = mapping_to_json(mapping)
    document = json.loads(text)
    assert document["format"] == "leaddesk-column-mapping"
    assert document["fingerprint"] == fingerprint(LINKEDIN)
    assert mapping_from_json(text) == mapping
    assert list(mapping_from_json(text)) == LINKEDIN  # order kept
    assert mapping_from_json('{"E-mail": "email", "Misc": null}') == {
        "E-mail": "email",
        "Misc": None,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"Email": "e_mail"}', "unknown field 'e_mail'"),
        ('{"Email": 3}', "unknown field 3"),
        ('{"format": "leaddesk-column-mapping", "version": 9, "columns": {}}', "version 9"),
        ('{"format": "leaddesk-column-mapping", "version": 1, "columns": []}', '"columns"'),
    ],
)
def test_bad_mapping_files(text: str, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        mapping_from_json(text)


def test_fingerprint_ignores_order_and_spaces_only() -> None:
    assert fingerprint(["A", "B"]) == fingerprint([" B", "A "])
    assert fingerprint(["A", "B"]) != fingerprint(["A", "b"])
    assert fingerprint(["A", "B"]) != fingerprint(["A", "B", "C"])
    assert fingerprint(["A"]).startswith("sha256:")

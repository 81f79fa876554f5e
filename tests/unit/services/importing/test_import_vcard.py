"""vCard reading: the shared vendor files, and each quirk on a small made-up card."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from leaddesk.services.importing import ImportFormatError, ReadLimits, VCardSource
from leaddesk.services.importing.vcard_lines import iter_cards, parse_property
from leaddesk.services.importing.vcard_reader import is_linkedin_url, split_escaped

SHARED_VCARDS = Path(__file__).resolve().parents[4].parent / "shared" / "testdata" / "vcard"
IDENTITY = ("first_name", "last_name", "email", "phone", "company")

#: Expected rows per shared file (cards that become leads).
SHARED_CARD_COUNTS = {
    "John_Doe_ANDROID.vcf": 6,
    "gmail-list.vcf": 3,
    "rfc2426-example.vcf": 2,
}


def _shared_files() -> list[Path]:
    if not SHARED_VCARDS.is_dir():
        return []
    return sorted(SHARED_VCARDS.glob("*.vcf"))


def _card(tmp_path: Path, text: str, name: str = "card.vcf", newline: str = "\r\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


@pytest.fixture
def shared_vcards() -> list[Path]:
    files = _shared_files()
    if not files:
        pytest.skip(f"shared vCard test data not found beside the repository ({SHARED_VCARDS})")
    return files


def test_every_shared_vcard_imports_or_says_why(shared_vcards: list[Path]) -> None:
    for path in shared_vcards:
        rows = list(VCardSource(path))
        assert rows, f"{path.name}: no card read"
        for row in rows:
            assert row.ok or all(str(issue) for issue in row.issues), path.name
        good = [row for row in rows if row.ok]
        assert good, (
            f"{path.name}: no card became a lead: {[str(i) for r in rows for i in r.issues]}"
        )
        for row in good:
            assert any(row.values.get(field) for field in IDENTITY), (path.name, row)
        if path.name in SHARED_CARD_COUNTS:
            assert len(good) == SHARED_CARD_COUNTS[path.name], path.name


def test_shared_vendor_quirks(shared_vcards: list[Path]) -> None:
    by_name = {path.name: path for path in shared_vcards}

    android = list(VCardSource(by_name["John_Doe_ANDROID.vcf"]))
    assert [row.line for row in android] == [1, 6, 11, 18, 36, 71]
    # quoted-printable UTF-8 with soft line breaks, then a base64 photo and a blank line
    assert android[4].values["company"] == "Ñ" * 12
    assert android[4].values["website"] == "www.company.com"
    assert android[5].values["tags"] == "My Contacts"

    (iphone,) = VCardSource(by_name["John_Doe_IPHONE.vcf"])  # \r\r\n line ends, item groups
    assert iphone.values["country"] == "US"
    assert iphone.values["website"] == "http://www.ibm.com"

    (outlook,) = VCardSource(by_name["outlook-2003.vcf"])  # 2.1 QP note with CRLFs, base64 KEY
    assert outlook.values["notes"] == (
        "This is the note field!!\nSecond line\n\nThird line is empty\n"
    )
    assert outlook.values["company"] == "Company, The"

    (dummy,) = VCardSource(by_name["issue114.vcf"])  # a LABEL parameter full of colons
    assert (dummy.values["city"], dummy.values["country"]) == ("Bad Homburg", "DE")

    (rfc6350,) = VCardSource(by_name["rfc6350-example.vcf"])
    assert rfc6350.values["phone"] == "+1-418-656-9254 ext. 102"
    assert rfc6350.values["country"] == "CA"

    (thunderbird,) = VCardSource(by_name["thunderbird-MoreFunctionsForAddressBook-extension.vcf"])
    assert thunderbird.values["tags"] == "category1; category2; category3"


def test_quoted_printable_soft_breaks_and_charset(tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\n"
        "VERSION:2.1\n"
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Exampl=C3=A9;Ad=\n"
        "a;;;\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Caf=E9 line=0D=0A=\n"
        "second line\n"
        "ORG;CHARSET=windows-1252;ENCODING=QUOTED-PRINTABLE:Acme=96Labs\n"
        "END:VCARD\n"
    )
    (row,) = VCardSource(_card(tmp_path, text))
    assert row.values["last_name"] == "Examplé"
    assert row.values["first_name"] == "Ada"
    assert row.values["notes"] == "Café line\nsecond line"
    assert row.values["company"] == "Acme–Labs"


def test_unindented_base64_block_and_bare_21_params(tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\n"
        "VERSION:2.1\n"
        "N:Example;Ada\n"
        "PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQEASABIAAD\n"
        "AAQSkZJRgABAQEASABIAADAAQSkZJRgABAQEASABIAAD+/\n"
        "AAQSkZJRgABAQEASABIAAD==\n"
        "\n"
        "TEL;HOME;VOICE:+1 555 0100\n"
        "TEL;WORK;FAX:+1 555 0199\n"
        "TEL;WORK;VOICE:+1 555 0111\n"
        "EMAIL;INTERNET:home@example.com\n"
        "EMAIL;PREF;INTERNET:ada@example.com\n"
        "END:VCARD\n"
    )
    (row,) = VCardSource(_card(tmp_path, text))
    assert row.values["phone"] == "+1 555 0111"  # work voice beats home; fax never
    assert row.values["email"] == "ada@example.com"  # PREF wins


def test_folding_groups_and_escapes_in_v3(tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\n"
        "VERSION:3.0\n"
        "FN:Ada Example\n"
        "N:Example;Ada;;;\n"
        "item1.EMAIL;type=INTERNET;type=pref:ada@exa\n"
        " mple.com\n"
        "item1.X-ABLabel:_$!<Other>!$_\n"
        "ORG:Acme\\, Inc.;Research\n"
        "TITLE:Head of R&D\\; Labs\n"
        "NOTE:first\\nsecond\\, with comma \\\\ and a path C:\\temp\n"
        'ADR;TYPE="work,pref":;;1 Main St;Zürich;;8000;Switzerland\n'
        "URL:http\\://www.linkedin.com/in/ada-example\n"
        "URL;TYPE=work:https://acme.example\n"
        "CATEGORIES:vip,newsletter\n"
        "TZ:Europe/Zurich\n"
        "END:VCARD\n"
    )
    (row,) = VCardSource(_card(tmp_path, text))
    assert row.values == {
        "first_name": "Ada",
        "last_name": "Example",
        "email": "ada@example.com",
        "company": "Acme, Inc.",
        "title": "Head of R&D; Labs",
        "notes": "first\nsecond, with comma \\ and a path C:\\temp",
        "city": "Zürich",
        "country": "CH",
        "linkedin_url": "http://www.linkedin.com/in/ada-example",
        "website": "https://acme.example",
        "tags": "vip; newsletter",
        "timezone": "Europe/Zurich",
    }


def test_line_numbers_and_cards_without_identity(tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Example\nEND:VCARD\n"
        "\n"
        "BEGIN:VCARD\nVERSION:3.0\nNOTE:only a note\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nEMAIL:bob@example.com\nEND:VCARD\n"
    )
    rows = list(VCardSource(_card(tmp_path, text, newline="\n")))
    assert [row.line for row in rows] == [1, 6, 10]
    assert rows[0].values == {"first_name": "Ada", "last_name": "Example"}
    (issue,) = rows[1].issues
    assert issue.line == 6
    assert "no name, email, phone or company" in str(issue)
    assert rows[2].ok


def test_nested_agent_card_is_skipped(tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\nVERSION:2.1\nN:Example;Ada\n"
        "AGENT:\nBEGIN:VCARD\nVERSION:2.1\nN:Assistant;Bob\nEND:VCARD\n"
        "EMAIL:ada@example.com\nEND:VCARD\n"
    )
    (row,) = VCardSource(_card(tmp_path, text))
    assert row.values["first_name"] == "Ada"
    assert row.values["email"] == "ada@example.com"


def test_cut_off_card_is_flagged(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nN:Example;Ada\nEMAIL:ada@example.com\n"
    (row,) = VCardSource(_card(tmp_path, text))
    assert row.values["email"] == "ada@example.com"
    assert "no END:VCARD" in str(row.issues[0])


def test_cr_only_and_utf16_files(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nN:Exämple;Ada\nEND:VCARD\n"
    (cr_row,) = VCardSource(_card(tmp_path, text, "mac.vcf", newline="\r"))
    assert cr_row.values["last_name"] == "Exämple"
    utf16 = tmp_path / "utf16.vcf"
    utf16.write_bytes(codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le"))
    (utf16_row,) = VCardSource(utf16)
    assert utf16_row.values["last_name"] == "Exämple"
    assert utf16_row.line == 1


def test_cp1252_bytes_without_charset(tmp_path: Path) -> None:
    path = tmp_path / "legacy.vcf"
    path.write_bytes(b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:M\xfcller;Ada\r\nEND:VCARD\r\n")
    (row,) = VCardSource(path)
    assert row.values["last_name"] == "Müller"


def test_overlong_property_is_a_card_issue(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nN:Example;Ada\nNOTE:" + "x" * 5000 + "\nEND:VCARD\n"
    (row,) = VCardSource(_card(tmp_path, text), limits=ReadLimits(max_cell_chars=1000))
    assert "NOTE is longer than 1,000 characters" in str(row.issues[0])
    assert row.issues[0].line == 1


def test_not_a_vcard(tmp_path: Path) -> None:
    path = _card(tmp_path, "Name,Email\nAda,ada@example.com\n", "leads.vcf")
    with pytest.raises(ImportFormatError, match="no BEGIN:VCARD"):
        list(VCardSource(path))
    binary = tmp_path / "photo.vcf"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    with pytest.raises(ImportFormatError, match="JPEG image"):
        list(VCardSource(binary))


def test_headers_are_the_canonical_fields(tmp_path: Path) -> None:
    source = VCardSource(_card(tmp_path, "BEGIN:VCARD\nN:Example;Ada\nEND:VCARD\n"))
    assert "first_name" in source.headers
    assert "id" in source.headers


def test_parse_property_quoted_params_and_caret_escapes() -> None:
    prop = parse_property('ADR;LABEL="1 Main St:^nBerlin";TYPE=work,pref:;;1 Main St', 3)
    assert prop is not None
    assert prop.name == "ADR"
    assert prop.params["LABEL"] == ["1 Main St:\nBerlin"]
    assert prop.types == {"work", "pref"}
    assert prop.pref
    assert prop.value == ";;1 Main St"
    assert parse_property("no colon here", 1) is None


def test_iter_cards_keeps_binary_content_out(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\nPHOTO;ENCODING=b:AAAA\n BBBB\n CCCC\nN:Example;Ada\nEND:VCARD\n"
    (card,) = iter_cards(_card(tmp_path, text))
    (photo,) = card.all("PHOTO")
    assert photo.value == ""


def test_helpers() -> None:
    assert split_escaped("a\\;b;c", ";") == ["a\\;b", "c"]
    assert is_linkedin_url("https://de.linkedin.com/in/ada-example")
    assert is_linkedin_url("linkedin.com/in/ada")
    assert not is_linkedin_url("https://notlinkedin.com/in/ada")
    assert not is_linkedin_url("https://example.com/?next=linkedin.com")

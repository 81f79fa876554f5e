"""``leaddesk dnc``: the do-not-contact list from the shell, the one the composer checks."""

from __future__ import annotations

import json

import pytest

from leaddesk.cli import main
from leaddesk.services.app_services import AppServices


def dnc(db_url: str, *args: str) -> int:
    return main(["--db", db_url, "dnc", *args])


def test_add_list_and_remove(db_url: str, app: AppServices,
                             capsys: pytest.CaptureFixture[str]) -> None:
    lead = app.leads.create({"first_name": "Ola", "email": "ola@example.org"})
    assert app.suppression.check_lead(lead.id) is None
    assert dnc(db_url, "add", "OLA@Example.org", "--note", "asked by phone") == 0
    assert capsys.readouterr().out.strip() == "ola@example.org is on the do-not-contact list"
    assert app.suppression.check_lead(lead.id) is not None
    assert dnc(db_url, "list", "--json") == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["kind"], entry["address"], entry["reason"], entry["note"]) == (
        "email", "ola@example.org", "manual", "asked by phone")
    assert dnc(db_url, "remove", "ola@EXAMPLE.org") == 0
    assert "ola@EXAMPLE.org may be contacted again" in capsys.readouterr().out
    assert dnc(db_url, "list") == 0
    assert "the do-not-contact list is empty" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "nonsense"], "error: address: 'nonsense' is not a valid phone number"),
        (["add", "a@b", "--kind", "email"], "error: address: 'a@b' is not a valid email"),
        (["add", "x@example.org", "--kind", "fax"], "error: kind: 'fax' is not one of"),
        (["remove", "nobody@example.org"],
         "error: nobody@example.org is not on the do-not-contact list"),
    ],
)
def test_bad_input_is_one_line_and_status_1(db_url: str, app: AppServices, args: list[str],
                                            message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert dnc(db_url, *args) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and message in err

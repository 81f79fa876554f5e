"""``leaddesk campaigns``: the Campaigns view's form from the shell, same service, same rules."""

from __future__ import annotations

import json

import pytest

from leaddesk.cli import main
from leaddesk.services.app_services import AppServices


def campaigns(db_url: str, *args: str) -> int:
    return main(["--db", db_url, "campaigns", *args])


def test_add_edit_list_show_and_delete(db_url: str, app: AppServices,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert campaigns(db_url, "add", "Nordics Q1", "--status", "active", "--budget-credits",
                     "200", "--industries", "SaaS, Fintech", "--goal", "Book 10 demos") == 0
    assert "added campaign 'Nordics Q1'" in capsys.readouterr().out
    campaign = app.campaigns.list()[0]
    assert (campaign.status, campaign.budget_credits) == ("active", 200)
    assert campaign.icp == {"industries": ["SaaS", "Fintech"]}
    app.leads.create({"email": "in@example.org", "campaign_id": campaign.id})

    assert campaigns(db_url, "edit", "  nordics q1 ", "--keywords", "erp", "--status",
                     "paused") == 0
    assert capsys.readouterr().out.strip() == "edited campaign 'Nordics Q1': icp, status"
    campaign = app.campaigns.get(campaign.id)
    assert campaign.icp == {"industries": ["SaaS", "Fintech"], "keywords": ["erp"]}

    assert campaigns(db_url, "list", "--json") == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["name"], row["status"], row["leads"], row["messages"]) == (
        "Nordics Q1", "paused", 1, 0)
    assert campaigns(db_url, "list") == 0
    line = capsys.readouterr().out.rstrip()
    assert line.split("  ")[-1] == "1 lead · 0 messages" and "  paused  " in line
    assert campaigns(db_url, "show", str(campaign.id)) == 0
    assert "keywords:       erp" in capsys.readouterr().out

    assert campaigns(db_url, "delete", "Nordics Q1") == 1
    assert "add --yes to confirm" in capsys.readouterr().err
    assert campaigns(db_url, "delete", "Nordics Q1", "--yes") == 0
    assert app.campaigns.list() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", " "], "error: name: is required"),
        (["add", "X", "--status", "live"], "error: status: 'live' is not one of"),
        (["add", "X", "--budget-credits", "lots"], "error: budget_credits: is not a whole number"),
        (["edit", "Nope", "--status", "active"], "error: no campaign named 'Nope'"),
        (["show", "Nope"], "error: no campaign named 'Nope'"),
    ],
)
def test_bad_input_is_one_line_and_status_1(db_url: str, app: AppServices, args: list[str],
                                            message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert campaigns(db_url, *args) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and message in err

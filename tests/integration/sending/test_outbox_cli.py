"""``compose`` quotes a capped send the way the dispatcher then sends it, records the campaign;
``send`` says why it stopped and when the rest go; ``outbox list`` shows them capped with that
time; ``outbox pause``/``resume`` stop and start every sender; ``outbox retry`` queues a failed
message again. Against aiosmtpd, in-process through ``cli.main``."""

from __future__ import annotations

import datetime as dt
import io
import sys

import pytest
from sending_kit import add_email_channel, make_leads
from sqlalchemy import select

from leaddesk.cli import main
from leaddesk.services.app_services import AppServices
from leaddesk.store.models import Message
from tests.fakes.smtp_server import FakeSmtpServer


@pytest.fixture
def cli(capsys, monkeypatch, db_url):
    def run(*args: str, code: int = 0) -> str:
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        result = main(["--db", db_url, *args])
        out, err = capsys.readouterr()
        assert result == code, err
        return out + err

    return run


@pytest.fixture
def capped(funded: AppServices, smtp: FakeSmtpServer):
    """A mailbox with a daily cap of 2, a template, a campaign and a saved view of it."""
    add_email_channel(funded, smtp.port, daily_cap=2)
    funded.templates.create({"channel": "email", "name": "Intro", "subject": "Hi {{ first_name }}",
                             "body": "Hello {{ first_name }}"})
    campaign = funded.campaigns.create({"name": "Spring"})
    make_leads(funded, 5, campaign_id=campaign.id)
    return funded, campaign


def test_a_capped_send_is_quoted_then_says_when_the_rest_go(capped, cli, smtp) -> None:
    app, campaign = capped
    from leaddesk.services.leads.query import LeadQuery

    app.saved_views.save("spring", LeadQuery(campaign_ids=(campaign.id,)))
    quote = cli("compose", "--channel", "email", "--template", "Intro", "--view", "spring",
                "--dry-run")
    assert "5 of 5 to send: 2 now, 3 later" in quote
    assert "the daily cap of 2 on 'work mail' is used up" in quote
    assert "credits: 5 (1 each" in quote
    cli("compose", "--channel", "email", "--template", "Intro", "--view", "spring")
    with app.store.read() as session:
        assert {m.campaign_id for m in session.scalars(select(Message))} == {campaign.id}
    summary = cli("send", "--no-wait")
    assert "sent 2," in summary and len(smtp.messages) == 2
    midnight = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0)
    assert (f"stopped by the daily cap of 2 on 'work mail': the rest go from "
            f"{midnight.astimezone():%Y-%m-%d %H:%M}") in summary
    listing = cli("outbox", "list", "--status", "capped")
    assert listing.startswith("capped 3  sent 2")
    # two a day: two go tomorrow, the last the day after
    assert listing.count(f"capped    {midnight.astimezone():%Y-%m-%d %H:%M}") == 2
    after = midnight + dt.timedelta(days=1)
    assert listing.count(f"capped    {after.astimezone():%Y-%m-%d %H:%M}") == 1
    assert "nothing: it goes by itself when the cap resets" in listing


def test_pause_resume_and_retry(funded, smtp, cli) -> None:
    add_email_channel(funded, smtp.port)
    funded.templates.create({"channel": "email", "name": "Intro", "subject": "Hi",
                             "body": "Hello {{ first_name }}"})
    leads = make_leads(funded, 2)
    smtp.reject("lead1@example.org", "550 5.1.1 no such mailbox")
    cli("compose", "--channel", "email", "--template", "Intro", "--lead", str(leads[0]),
        "--lead", str(leads[1]))
    assert "sending paused" in cli("outbox", "pause")
    assert "sending is paused" in cli("outbox")
    assert "sending is paused" in cli("send", "--no-wait") and smtp.messages == []
    assert "sending resumed" in cli("outbox", "resume")
    assert "sent 1, failed 1" in cli("send", "--no-wait")
    failed = [m for m in funded.messages.recent() if m.state == "failed"]
    assert "no such mailbox" in cli("outbox", "list", "--status", "failed")
    smtp.clear_failures()
    assert cli("outbox", "retry", str(failed[0].id)).strip() == "queued 1 again"
    assert "sent 1, failed 0" in cli("send", "--no-wait")
    refused = cli("outbox", "retry", str(failed[0].id), code=1)
    assert "is sent: only failed and held messages are retried" in refused
    assert "'bogus' is not one of" in cli("outbox", "list", "--status", "bogus", code=1)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_compose_at_a_terminal_asks_before_queuing(funded, smtp, db_url, capsys,
                                                   monkeypatch) -> None:
    add_email_channel(funded, smtp.port)
    funded.templates.create({"channel": "email", "name": "Intro", "subject": "Hi",
                             "body": "Hello {{ first_name }}"})
    leads = [str(i) for i in make_leads(funded, 2)]
    args = ["--db", db_url, "compose", "--channel", "email", "--template", "Intro",
            "--lead", leads[0], "--lead", leads[1]]
    monkeypatch.setattr(sys, "stdin", _Terminal("n\n"))
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert "Queue 2 messages as quoted above? [y/N]" in out
    assert "not confirmed: nothing was queued" in err
    assert funded.messages.counts_by_state() == {}
    monkeypatch.setattr(sys, "stdin", _Terminal("y\n"))
    assert main(args) == 0
    assert funded.messages.counts_by_state() == {"queued": 2}

"""The scripting commands end to end against aiosmtpd: in-process through ``cli.main`` (fast),
and ``leaddesk send`` as a real process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
from sending_kit import POSTAL, make_leads

from leaddesk.cli import main
from leaddesk.services import settings
from leaddesk.services.app_services import AppServices
from tests.fakes.smtp_server import FakeSmtpServer


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys, monkeypatch):
    def run(db_url: str, *args: str, stdin: str = "") -> Result:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["--db", db_url, *args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.fixture
def ok(run):
    def ok(db_url: str, *args: str, stdin: str = "") -> str:
        result = run(db_url, *args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout

    return ok


def test_channel_template_compose_outbox_send(db_url: str, tmp_path, ok,
                                              smtp: FakeSmtpServer) -> None:
    app = AppServices.open(db_url, backup_dir=tmp_path / "b")
    try:
        lead = make_leads(app, 1)[0]
        nameless = app.leads.create({"email": "nobody@example.org"}).id
        app.credits.purchase("starter")
        settings.put(app.store, settings.SENDER_POSTAL_ADDRESS, POSTAL)  # no profile: the setting
    finally:
        app.close()
    out = ok(db_url, "channel", "add", "email", "work", "--set", "host=127.0.0.1",
             "--set", f"port={smtp.port}", "--set", "security=none",
             "--set", "from_address=rep@example.com")
    assert "added email channel 'work'" in out
    assert "work" in ok(db_url, "channel", "list")
    assert ok(db_url, "channel", "test", "work").strip() == "work: ok"
    ok(db_url, "template", "add", "--channel", "email", "--name", "Intro", "--subject",
       "Hi {{ first_name }}", stdin="Hello {{ first_name }}, a quick question.\n")
    assert "Intro" in ok(db_url, "template", "list")

    preview = ok(db_url, "compose", "--channel", "email", "--template", "Intro",
                 "--lead", str(lead), "--lead", str(nameless), "--dry-run")
    assert "Subject: Hi Lee0" in preview and "Hello Lee0, a quick question." in preview
    assert "HELD: missing first_name" in preview
    assert "1 to send, 1 held, 0 do-not-contact; cost 1 credits" in preview
    assert "the outbox is empty" in ok(db_url, "outbox")

    ok(db_url, "compose", "--channel", "email", "--template", "Intro", "--lead", str(lead),
       "--lead", str(nameless))
    assert ok(db_url, "outbox").splitlines()[0] == "held 1  queued 1"
    proc = subprocess.run([sys.executable, "-m", "leaddesk", "--db", db_url, "send"],
                          capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr
    assert "sent 1, failed 0" in proc.stdout
    assert [m.rcpt_tos for m in smtp.messages] == [("lead0@example.org",)]
    assert POSTAL in smtp.messages[0].message.get_body(("plain",)).get_content()
    outbox = ok(db_url, "outbox")
    assert outbox.splitlines()[0] == "held 1  sent 1"
    assert "missing first_name" in outbox


def test_without_a_keyring_the_secret_goes_to_the_encrypted_file(db_url: str, run) -> None:
    settings = ["--set", "account_sid=AC" + "0" * 32, "--set", "from_number=+14155550123"]
    proc = run(db_url, "channel", "add", "twilio", "sms", *settings,
               stdin="master password\nmaster password\nthe-auth-token\n")
    assert proc.returncode == 0, proc.stderr
    assert "No system keyring is available" in proc.stderr
    assert "encrypted credentials file" in proc.stderr
    assert "the-auth-token" not in proc.stdout + proc.stderr
    assert "sms" in run(db_url, "channel", "list").stdout


def test_linkedin_task_mark_sent_cancel_and_resolve(db_url: str, tmp_path, ok, run) -> None:
    app = AppServices.open(db_url, backup_dir=tmp_path / "b")
    try:
        app.credits.purchase("starter")
        leads = [app.leads.create({"first_name": f"Li{i}",
                                   "linkedin_url": f"linkedin.com/in/li-{i}"}).id
                 for i in range(2)]
    finally:
        app.close()
    ok(db_url, "channel", "add", "linkedin", "li")
    ok(db_url, "template", "add", "--channel", "linkedin", "--name", "Hi",
       stdin="Hi {{ first_name }}")
    ok(db_url, "compose", "--channel", "linkedin", "--template", "Hi", "--lead", str(leads[0]))
    assert "LinkedIn tasks 1" in ok(db_url, "send")
    held = ok(db_url, "outbox").splitlines()
    assert held[0] == "held 1" and "manual: open the LinkedIn task" in held[1]
    message_id = held[1].split()[2]
    assert ok(db_url, "outbox", "mark-sent", message_id).strip() == f"{message_id}: sent"
    wrong = run(db_url, "outbox", "resolve", message_id, "--arrived")
    assert wrong.returncode == 1 and "not unknown" in wrong.stderr
    ok(db_url, "compose", "--channel", "linkedin", "--template", "Hi", "--lead", str(leads[1]),
       "--at", "2030-01-01T09:00")
    assert ok(db_url, "outbox", "cancel").strip() == "cancelled 1"
    assert ok(db_url, "outbox").splitlines()[0] == "sent 1  cancelled 1"

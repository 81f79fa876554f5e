"""No password, token or API key in the SQLite file (and its WAL), the log output or an export,
after a run that signs in, configures every channel (SMTP with a login, IMAP, Twilio) through
the command line and sends through the fakes."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
from leaddesk.sending.inbox import poll_inbox
from leaddesk.services.app_services import AppServices
from leaddesk.services.team import auth
from leaddesk.store.models import BusinessProfile
from tests.fakes.smtp_server import FakeSmtpServer
from tests.fakes.twilio_spec import SPEC_MISSING_REASON, spec_available
from tests.support.memory_keyring import installed

pytest.importorskip("pymap", reason="the fake IMAP server needs pymap (pip install pymap)")
pytestmark = pytest.mark.skipif(not spec_available(), reason=SPEC_MISSING_REASON)

from tests.fakes.imap_server import FakeImapServer  # noqa: E402
from tests.fakes.twilio_server import FakeTwilioServer  # noqa: E402

MAILBOX = "rep@example.com"
ADMIN_PASSWORD = "admin-Pw-4c1d8e2f"
SMTP_PASSWORD = "smtp-Pw-9a7b3c5d"
IMAP_PASSWORD = "imap-Pw-1e6f0a2b"
TWILIO_TOKEN = "f" * 8 + "0123456789abcdef" + "7" * 8
#: The fake servers' own loggers (a server may log what it received; the app's log is checked).
FAKE_SERVER_LOGGERS = ("pymap", "mail.log", "aiosmtpd", "tests.")


def test_no_secret_at_rest_in_the_database_logs_or_exports(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "leaddesk.db"
    url = f"sqlite:///{db}"
    output: list[str] = []

    def run(*args: str, stdin: str = "") -> str:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["--db", url, "-v", *args])
        out, err = capsys.readouterr()
        output.append(out + err)
        assert code == 0, err
        return out

    signed = ("--as", "boss", "--password-stdin")
    with (installed() as keyring, FakeSmtpServer(users={MAILBOX: SMTP_PASSWORD}) as smtp,
          FakeImapServer(users={MAILBOX: IMAP_PASSWORD}) as imap,
          FakeTwilioServer(auth_token=TWILIO_TOKEN) as twilio):
        run("--password-stdin", "users", "first-admin", "boss", "--name", "Boss",
            stdin=f"{ADMIN_PASSWORD}\n")
        run(*signed, "channel", "add", "email", "work mail",
            "--set", "host=127.0.0.1", "--set", f"port={smtp.port}", "--set", "security=none",
            "--set", f"username={MAILBOX}", "--set", f"from_address={MAILBOX}",
            "--set", "allow_plaintext_login=true",
            "--set", "imap_host=127.0.0.1", "--set", f"imap_port={imap.port}",
            "--set", "imap_security=none", "--set", f"imap_username={MAILBOX}",
            stdin=f"{ADMIN_PASSWORD}\n{SMTP_PASSWORD}\n{IMAP_PASSWORD}\n")
        run(*signed, "channel", "add", "twilio", "texts",
            "--set", f"account_sid={twilio.account_sid}", "--set", "from_number=+14155550123",
            "--set", f"base_url={twilio.base_url}", stdin=f"{ADMIN_PASSWORD}\n{TWILIO_TOKEN}\n")
        assert "work mail: ok" in run(*signed, "channel", "test", "work mail",
                                      stdin=f"{ADMIN_PASSWORD}\n")
        assert len(keyring.secrets) == 3

        app = AppServices.open(url, backup_dir=tmp_path / "b",
                               sign_in=lambda s: auth.LoginService(s).login("boss", ADMIN_PASSWORD))
        try:
            app.credits.purchase("starter")
            with app.store.write() as session:
                session.add(BusinessProfile(user_id=app.ctx.actor.id, company="Example Ltd",
                                            postal_address="1 Example Street, Springfield"))
            leads = [app.leads.create({"first_name": f"Lee{i}", "email": f"lead{i}@example.org",
                                       "phone": f"+1415555010{i}"}).id for i in range(3)]
            mail = app.templates.create({"channel": "email", "name": "Intro",
                                         "subject": "Hello {{ first_name }}",
                                         "body": "Hi {{ first_name }}, {{ sender.company }}."}).id
            text = app.templates.create({"channel": "sms", "name": "Ping",
                                         "body": "Hi {{ first_name }}, got a minute?"}).id
            app.compose.send("email", leads, template_id=mail)
            app.compose.send("sms", leads, template_id=text)
            progress = Dispatcher(app.ctx, app.credits, app.integrations,
                                  DispatcherConfig(workers=2)).run_until_empty()
            assert progress.sent == 6
            poll_inbox(app.ctx, app.integrations, "work mail")
        finally:
            app.close()
        run(*signed, "export", str(tmp_path / "leads.csv"), stdin=f"{ADMIN_PASSWORD}\n")
        run(*signed, "audit", "export", "--out", str(tmp_path / "audit.csv"),
            stdin=f"{ADMIN_PASSWORD}\n")

    assert len(smtp.messages) == 3 and len(twilio.messages) == 3
    assert smtp.messages[0].login == MAILBOX
    places = {
        "database": db.read_bytes(),
        "wal": db.with_name(db.name + "-wal").read_bytes()
        if db.with_name(db.name + "-wal").exists() else b"",
        "leads export": (tmp_path / "leads.csv").read_bytes(),
        "audit export": (tmp_path / "audit.csv").read_bytes(),
        "log": "\n".join(
            f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
            if not r.name.startswith(FAKE_SERVER_LOGGERS)).encode(),
        "output": "".join(output).encode(),
    }
    assert places["log"], "nothing was logged at DEBUG"
    assert b"lead0@example.org" in places["leads export"]
    assert b"channel" in places["audit export"] or b"integration" in places["audit export"]
    for secret in (ADMIN_PASSWORD, SMTP_PASSWORD, IMAP_PASSWORD, TWILIO_TOKEN):
        for where, data in places.items():
            assert secret.encode() not in data, f"{secret!r} found in the {where}"

"""A WhatsApp content template end to end: ``leaddesk template add --content-sid``, compose
(``--dry-run`` and for real), the dispatcher, and the loopback Twilio server (every request
checked against Twilio's published definition; once more through Stoplight Prism)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from sending_kit import make_leads

from leaddesk.cli import main
from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
from leaddesk.services.app_services import AppServices
from leaddesk.store.models import Message
from tests.fakes.twilio_server import FakeTwilioServer
from tests.fakes.twilio_spec import SPEC_MISSING_REASON, SPEC_PATH, spec_available
from tests.support.prism import SKIP_REASON, find_prism, prism_proxy

pytestmark = pytest.mark.skipif(not spec_available(), reason=SPEC_MISSING_REASON)

CONTENT_SID = "HX" + "0123456789abcdef" * 2
VARIABLES = {"1": "{{ first_name }}", "2": "{{ company | default('your team') }}"}


@pytest.fixture
def twilio() -> Iterator[FakeTwilioServer]:
    with FakeTwilioServer() as server:
        yield server


def _whatsapp_channel(app: AppServices, twilio: FakeTwilioServer, base_url: str) -> None:
    app.integrations.add(
        "twilio",
        "whatsapp",
        {
            "account_sid": twilio.account_sid,
            "whatsapp_from": "+14155550123",
            "base_url": base_url,
            "timeout": 20,
        },
        {"auth_token": twilio.auth_token},
    )


def _leads(app: AppServices) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    ann = make_leads(app, 1, first_name="Ann", company="Acme", phone="+14155550101")[0]
    bob = make_leads(app, 1, first_name="Bob", company="", phone="+14155550102")[0]
    nameless = app.leads.create({"email": "x@example.org", "phone": "+14155550103"}).id
    return ann, bob, nameless


def _cli(capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> str:
    code = main(["--db", db_url, *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_template_message_carries_content_sid_and_variables(
    funded: AppServices,
    twilio: FakeTwilioServer,
    keyring_backend,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = funded
    _whatsapp_channel(app, twilio, twilio.base_url)
    ann, bob, nameless = _leads(app)
    out = _cli(
        capsys,
        db_url,
        "template",
        "add",
        "--channel",
        "whatsapp",
        "--name",
        "Intro",
        "--body-file",
        "/dev/null",
        "--content-sid",
        CONTENT_SID,
        "--content-variables",
        json.dumps(VARIABLES),
    )
    assert f"content template {CONTENT_SID}, variables 2" in out

    lead_args = ["--lead", str(ann), "--lead", str(bob), "--lead", str(nameless)]
    preview = _cli(
        capsys,
        db_url,
        "compose",
        "--channel",
        "whatsapp",
        "--template",
        "Intro",
        *lead_args,
        "--dry-run",
    )
    assert f"WhatsApp content template {CONTENT_SID}" in preview
    assert "WhatsApp variable {{1}}: Ann\n  WhatsApp variable {{2}}: Acme" in preview
    assert "WhatsApp variable {{2}}: your team" in preview  # Bob: the fallback
    assert "HELD: missing first_name in WhatsApp variable {{1}}" in preview
    assert app.messages.counts_by_state() == {}  # a dry run writes nothing

    _cli(capsys, db_url, "compose", "--channel", "whatsapp", "--template", "Intro", *lead_args)
    with app.store.read() as session:
        rows = {m.lead_id: m for m in session.query(Message)}
    assert rows[ann].content_sid == CONTENT_SID
    assert rows[ann].content_variables == {"1": "Ann", "2": "Acme"}
    assert rows[nameless].state.value == "held"

    progress = Dispatcher(
        app.ctx, app.credits, app.integrations, DispatcherConfig(workers=1)
    ).run_until_empty()

    assert progress.sent == 2
    creates = [r for r in twilio.requests if r.method == "POST"]
    assert all(r.problems == [] for r in creates), [r.problems for r in creates]
    by_to = {r.param("To"): r for r in creates}
    ann_request = by_to["whatsapp:+14155550101"]
    assert ann_request.param("ContentSid") == CONTENT_SID
    assert ann_request.param("From") == "whatsapp:+14155550123"
    assert ann_request.param("Body") is None  # the approved text goes, not a body
    assert json.loads(ann_request.param("ContentVariables") or "") == {"1": "Ann", "2": "Acme"}
    bob_variables = json.loads(by_to["whatsapp:+14155550102"].param("ContentVariables") or "")
    assert bob_variables == {"1": "Bob", "2": "your team"}
    assert all(isinstance(v, str) for v in bob_variables.values())
    assert app.messages.counts_by_state() == {"sent": 2, "held": 1}


@pytest.mark.skipif(find_prism() is None, reason=SKIP_REASON)
def test_prism_accepts_the_dispatched_template_message(
    funded: AppServices, twilio: FakeTwilioServer, keyring_backend
) -> None:
    app = funded
    prism = find_prism()
    assert prism is not None
    with prism_proxy(prism, SPEC_PATH, twilio.base_url) as proxy:
        _whatsapp_channel(app, twilio, proxy.base_url)
        ann = _leads(app)[0]
        template = app.templates.create(
            {
                "channel": "whatsapp",
                "name": "Intro",
                "content_sid": CONTENT_SID,
                "content_variables": VARIABLES,
            }
        )
        app.compose.send("whatsapp", [ann], template_id=template.id)
        progress = Dispatcher(
            app.ctx, app.credits, app.integrations, DispatcherConfig(workers=1)
        ).run_until_empty()
        log = proxy.log()
    assert progress.sent == 1, log
    # Prism answers a request that breaks the definition itself (422): this one got through
    [request] = twilio.requests
    assert request.problems == []
    assert request.param("ContentSid") == CONTENT_SID
    assert json.loads(request.param("ContentVariables") or "") == {"1": "Ann", "2": "Acme"}
    assert "Violation" not in log, log

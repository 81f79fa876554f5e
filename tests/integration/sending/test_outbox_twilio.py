"""SMS through the dispatcher to the fake Twilio server (every request checked against Twilio's
published OpenAPI definition): 429 with Retry-After, 500, dropped connections, slow answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sending_kit import make_leads

from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
from leaddesk.sending.limits import Backoff
from leaddesk.sending.recovery import resolve_unknown
from tests.fakes.twilio_server import FakeTwilioServer
from tests.fakes.twilio_spec import SPEC_MISSING_REASON, spec_available

pytestmark = pytest.mark.skipif(not spec_available(), reason=SPEC_MISSING_REASON)


@pytest.fixture
def twilio() -> Iterator[FakeTwilioServer]:
    with FakeTwilioServer() as server:
        yield server


@pytest.fixture
def sms_app(funded, twilio, keyring_backend):
    funded.integrations.add(
        "twilio", "texts",
        {"account_sid": twilio.account_sid, "from_number": "+14155550123",
         "base_url": twilio.base_url, "timeout": 0.5},
        {"auth_token": twilio.auth_token},
    )
    assert not any(twilio.auth_token in v for v in map(str, keyring_backend.secrets.keys()))
    phones = [f"+1415555010{i}" for i in range(5)]
    leads = [make_leads(funded, 1, phone=p, email=f"p{i}@example.org")[0]
             for i, p in enumerate(phones)]
    template = funded.templates.create({"channel": "sms", "name": "Ping",
                                        "body": "Hi {{ first_name }}, got a minute?"}).id
    funded.compose.send("sms", leads, template_id=template)
    return funded


def test_retries_unknowns_and_status_polling(sms_app, twilio):
    app = sms_app
    twilio.rate_limit_next(retry_after=1)
    twilio.fail_next(500)
    twilio.drop_next()
    twilio.delay_next(1.5)  # longer than the 0.5 s timeout: no answer
    before = app.credits.balance()
    price = app.credits.prices.cost("sms")
    events = []
    dispatcher = Dispatcher(app.ctx, app.credits, app.integrations,
                            DispatcherConfig(workers=1, backoff=Backoff(base=0.01, cap=0.02)),
                            on_message=events.append)

    progress = dispatcher.run_until_empty()

    assert (progress.sent, progress.retried, progress.unknown) == (3, 2, 2)
    retried = [e for e in events if e.state == "retry"]
    assert "Twilio 429" in retried[0].error and "Twilio 500" in retried[1].error
    by_state = {}
    for m in app.messages.recent():
        by_state.setdefault(m.state, []).append(m)
    first = next(m for m in by_state["sent"] if m.attempts == 2 and m.id == retried[0].message_id)
    assert first.sent_at - first.created_at >= dt.timedelta(seconds=1)  # Retry-After honoured
    assert all(m.provider_id.startswith("SM") for m in by_state["sent"])
    assert all(r.problems == [] for r in twilio.requests), "a request broke the Twilio spec"
    creates = [r for r in twilio.requests if r.method == "POST"]
    assert len(creates) == 7  # 5 first tries + 2 retries; the unknowns were not re-sent
    after = app.credits.balance()
    assert before.available - after.available == 5 * price  # 3 charged + 2 held
    assert after.reserved - before.reserved == 2 * price

    assert Dispatcher(app.ctx, app.credits, app.integrations).run_until_empty().done == 0
    delivered = 0
    for _ in range(5):  # each fetch moves the fake one step: queued, sending, sent, delivered
        delivered += dispatcher.poll_statuses().delivered
    assert delivered == 3
    assert app.messages.counts_by_state() == {"delivered": 3, "unknown": 2}

    # The slow request did reach the fake (it created the SMS), the dropped one too: a person
    # checks the provider's log and settles them.
    for m in by_state["unknown"]:
        resolve_unknown(app.ctx, app.credits, m.id, arrived=True)
    final = app.credits.balance()
    assert final.reserved == before.reserved
    assert before.available - final.available == 5 * price
    assert app.credits.ledger_sum() == final.available

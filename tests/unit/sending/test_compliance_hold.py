"""An email without the sender's postal address is held, at compose and again at send time;
the sender setting stands in for a missing business profile."""

from __future__ import annotations

from sqlalchemy import delete

from leaddesk.services import settings
from leaddesk.services.messaging.compliance import NO_POSTAL_ADDRESS, postal_address
from leaddesk.store.models import BusinessProfile


def _drop_profiles(harness) -> None:
    with harness.app.store.write() as session:
        session.execute(delete(BusinessProfile))


def test_compose_holds_an_email_without_a_postal_address(harness, states) -> None:
    _drop_profiles(harness)
    result = harness.app.compose.send("email", harness.leads(2), subject="Hi",
                                      body="Hello {{ first_name }}")
    assert (result.queued, result.held) == (0, 2)
    held = harness.app.messages.get(result.message_ids[0])
    assert held.state == "held" and held.hold_reason == NO_POSTAL_ADDRESS


def test_sms_needs_no_postal_address(harness) -> None:
    _drop_profiles(harness)
    lead = harness.app.leads.create({"first_name": "Sam", "phone": "+14155550199"}).id
    plan = harness.app.compose.plan("sms", [lead], body="Hi, reply STOP to opt out",
                                    integration=harness.channel)
    assert plan.previews[0].held_reason == ""


def test_the_sender_setting_stands_in_for_the_profile(harness) -> None:
    _drop_profiles(harness)
    settings.put(harness.app.store, settings.SENDER_POSTAL_ADDRESS, "  2 Sample Lane\nTown  ")
    with harness.app.store.read() as session:
        assert postal_address(session, harness.app.ctx.actor.id) == "2 Sample Lane\nTown"
    harness.queue(1)
    harness.dispatcher().run_until_empty()
    assert len(harness.sent) == 1
    assert harness.sent[0].sender_postal_address == "2 Sample Lane\nTown"


def test_the_profile_wins_over_the_setting(harness) -> None:
    settings.put(harness.app.store, settings.SENDER_POSTAL_ADDRESS, "2 Sample Lane")
    with harness.app.store.read() as session:
        assert postal_address(session, harness.app.ctx.actor.id) == "1 Example Street"


def test_the_dispatcher_holds_when_the_address_went_away_while_queued(harness, states) -> None:
    ids = harness.queue(2)
    _drop_profiles(harness)
    harness.dispatcher().run_until_empty()
    assert harness.sent == []
    assert states().get("held") == 2
    assert harness.app.messages.get(ids[0]).hold_reason == NO_POSTAL_ADDRESS
    assert harness.app.credits.balance().reserved == 0  # the reservations were released

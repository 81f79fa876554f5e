"""A campaign's counts come from the leads and messages tables: messages queued for the
campaign and messages to its leads queued without one (the composer writes to leads)."""

from __future__ import annotations

from leaddesk.services.app_services import AppServices
from leaddesk.services.campaigns.service import CampaignStats


def test_counts_follow_the_messages_table(app: AppServices) -> None:
    campaign = app.campaigns.create({"name": "Spring"})
    other = app.campaigns.create({"name": "Autumn"})
    ada = app.leads.create({"email": "ada@example.org", "campaign_id": campaign.id})
    bob = app.leads.create({"email": "bob@example.org", "campaign_id": campaign.id})
    eve = app.leads.create({"email": "eve@example.org", "campaign_id": other.id})
    assert app.campaigns.stats(campaign.id) == _stats(leads=2)

    tagged = app.messages.save_draft(ada.id, "email", "Hi", "Hello Ada", campaign_id=campaign.id)
    untagged = app.messages.save_draft(bob.id, "email", "Hi", "Hello Bob")
    app.messages.save_draft(eve.id, "email", "Hi", "Hello Eve")
    assert app.campaigns.stats(campaign.id) == _stats(leads=2), "drafts are not messages yet"

    app.compose.queue([tagged.id, untagged.id])
    assert app.campaigns.stats(campaign.id) == _stats(leads=2, messages=2, waiting=2)
    assert app.campaigns.stats(other.id) == _stats(leads=1)

    app.messages.cancel([untagged.id])
    assert app.campaigns.stats(campaign.id) == _stats(leads=2, messages=1, waiting=1)


def _stats(
    leads: int, messages: int = 0, sent: int = 0, waiting: int = 0, failed: int = 0
) -> CampaignStats:
    return CampaignStats(leads, messages, sent, waiting, failed)

"""A database still marked demo pays for demo leads only: a real lead's message is held until
the demo data (and its free credits) are removed, so demo credits never pay for real work."""

from __future__ import annotations

from leaddesk.services import demo_rows, settings
from leaddesk.services.messaging.compliance import DEMO_CREDITS_ONLY
from leaddesk.store.ids import demo_ids


def test_real_leads_wait_while_demo_data_is_here(harness) -> None:
    real = harness.app.leads.create({"first_name": "Rae", "email": "rae@example.org"}).id
    with demo_ids():
        demo = harness.app.leads.create({"first_name": "Dee", "email": "dee@example.org"}).id
    settings.put(harness.app.store, settings.DEMO_DATABASE, True)

    plan = harness.app.compose.plan("email", [real, demo], subject="Hi", body="Hello",
                                    integration=harness.channel)
    held = {p.lead_id: p.held_reason for p in plan.previews}
    assert held == {real: DEMO_CREDITS_ONLY, demo: ""}
    assert plan.quote.to_send == 1  # the quote, the dialog and the charge count one message

    demo_rows.remove(harness.app.ctx)
    plan = harness.app.compose.plan("email", [real], subject="Hi", body="Hello",
                                    integration=harness.channel)
    assert plan.previews[0].held_reason == ""


def test_an_unmarked_database_holds_nobody_for_demo_reasons(harness) -> None:
    real = harness.app.leads.create({"first_name": "Rae", "email": "rae@example.org"}).id
    plan = harness.app.compose.plan("email", [real], subject="Hi", body="Hello",
                                    integration=harness.channel)
    assert plan.previews[0].held_reason == ""

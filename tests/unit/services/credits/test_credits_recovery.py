"""Crash recovery: reservations left unsettled are released at the next start, live ones kept."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import update

from leaddesk.services.app_services import AppServices
from leaddesk.services.credits import holders as credit_holders
from leaddesk.store.enums import MessageState
from leaddesk.store.models import Message
from leaddesk.store.models.credit import CreditHold

HOUR = dt.timedelta(hours=1)


def _set_holder(app: AppServices, holder: str, age: dt.timedelta = dt.timedelta()) -> None:
    with app.store.write() as session:
        session.execute(
            update(CreditHold).values(holder=holder, created_at=dt.datetime.now(dt.UTC) - age)
        )


def test_a_live_process_keeps_its_reservations(app: AppServices) -> None:
    app.credits.purchase("starter")
    app.credits.reserve(5, "voice")
    assert app.credits.release_stale_reservations(HOUR) == []
    assert app.credits.balance().reserved == 5


def test_a_dead_local_process_loses_them_at_once(app: AppServices) -> None:
    app.credits.purchase("starter")
    res = app.credits.reserve(5, "voice")
    _set_holder(app, credit_holders.this_process().rsplit("|", 1)[0] + f"|{2**22 + 17}")
    released = app.credits.release_stale_reservations(HOUR)
    assert [r.reservation_id for r in released] == [res.id]
    assert "process ended" in released[0].meta["reason"]
    bal = app.credits.balance()
    assert (bal.available, bal.reserved) == (500, 0) and app.credits.audit().ok


def test_another_machine_is_trusted_until_the_age_limit(app: AppServices) -> None:
    app.credits.purchase("starter")
    app.credits.reserve(5, "voice")
    _set_holder(app, f"elsewhere|boot|{os.getpid()}", age=dt.timedelta(minutes=5))
    assert app.credits.release_stale_reservations(HOUR) == []
    _set_holder(app, f"elsewhere|boot|{os.getpid()}", age=2 * HOUR)
    assert len(app.credits.release_stale_reservations(HOUR)) == 1
    assert app.credits.balance().available == 500


@pytest.mark.parametrize("state", [MessageState.SENDING, MessageState.UNKNOWN])
def test_a_reservation_whose_message_is_in_flight_is_left_to_the_outbox(
    app: AppServices, state: MessageState
) -> None:
    app.credits.purchase("starter")
    lead = app.leads.create({"first_name": "Ada", "email": "ada@example.com"})
    res = app.credits.reserve(1, "email", "message", "m")
    with app.store.write() as session:
        message = Message(
            channel="email",
            lead_id=lead.id,
            body="hi",
            state=state,
            reservation_id=res.id,
        )
        session.add(message)
    _set_holder(app, "gone|boot|1", age=3 * HOUR)
    assert app.credits.release_stale_reservations(HOUR) == []
    with app.store.write() as session:
        session.execute(update(Message).values(state=MessageState.FAILED))
    assert len(app.credits.release_stale_reservations(HOUR)) == 1


def test_the_app_releases_a_dead_process_reservation_when_it_opens(
    app: AppServices, db_url: str, tmp_path: Path
) -> None:
    app.credits.purchase("starter")
    app.credits.reserve(5, "voice")
    _set_holder(app, credit_holders.this_process().rsplit("|", 2)[0] + "|other-boot|1")
    reopened = AppServices.open(db_url, backup_dir=tmp_path / "backups")
    try:
        assert reopened.credits.balance().reserved == 0
        assert reopened.credits.held() == []
    finally:
        reopened.close()


def test_holders_that_cannot_be_read_count_as_alive() -> None:
    assert not credit_holders.is_certainly_dead("")
    assert not credit_holders.is_certainly_dead("nonsense")
    assert not credit_holders.is_certainly_dead(credit_holders.this_process())

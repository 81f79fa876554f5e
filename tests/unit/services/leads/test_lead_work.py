"""Tasks, notes and logged contacts from the detail panel's services, on a real database."""

from __future__ import annotations

import datetime as dt

import pytest

from leaddesk.services import settings
from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import ValidationError
from leaddesk.services.leads.contact_log import ContactLogService
from leaddesk.services.validation import normalize_phone, phone_placeholder


def test_task_create_complete_snooze(app: AppServices) -> None:
    lead = app.leads.create({"first_name": "Ada", "email": "ada@example.com"})
    due = dt.datetime(2030, 1, 2, 9, 0, tzinfo=dt.UTC)
    task = app.tasks.create(lead.id, "call", "Call about pricing", due)
    assert (task.kind, task.title, task.due_at, task.done) == ("call", "Call about pricing",
                                                               due, False)
    later = due + dt.timedelta(days=3)
    snoozed = app.tasks.snooze(task.id, later)
    assert snoozed.due_at == later
    done = app.tasks.complete(task.id)
    assert done.done and app.tasks.for_lead(lead.id)[0].done
    with pytest.raises(ValidationError, match="is done; it cannot be snoozed"):
        app.tasks.snooze(task.id, later)
    actions = [a.action for a in app.activity.for_lead(lead.id)]
    assert actions[:3] == ["complete", "snooze", "create"]


def test_task_needs_a_title_and_a_known_kind(app: AppServices) -> None:
    lead = app.leads.create({"first_name": "Ada"})
    with pytest.raises(ValidationError, match="title: is required"):
        app.tasks.create(lead.id, "call", "  ")
    with pytest.raises(ValidationError, match="kind: 'fax' is not one of"):
        app.tasks.create(lead.id, "fax", "Send a fax")


def test_note_and_logged_call(app: AppServices) -> None:
    lead = app.leads.create({"first_name": "Ada", "notes": "Met at the fair"})
    log = ContactLogService(app.ctx)
    notes = log.add_note(lead.id, "Wants a demo in March").notes
    assert notes.splitlines()[0].endswith("UTC — Wants a demo in March")
    assert notes.endswith("Met at the fair")
    log.log_contact(lead.id, "call", "Left voicemail", "back Monday")
    after = app.leads.get(lead.id)
    assert after.notes == notes and after.last_contacted_at is not None
    summaries = [a.summary for a in app.activity.for_lead(lead.id)]
    assert summaries[:2] == ["call logged — left voicemail: back Monday",
                             "note: Wants a demo in March"]
    with pytest.raises(ValidationError, match="outcome: 'great' is not one of"):
        log.log_contact(lead.id, "call", "great")


def test_national_phone_numbers_use_the_default_region(app: AppServices) -> None:
    settings.put(app.store, settings.PHONE_DEFAULT_REGION, "GB")
    lead = app.leads.create({"first_name": "Ada", "phone": "020 7946 0018"})
    assert lead.phone == "+442079460018"
    with pytest.raises(ValidationError, match=r"'12345' is not a valid phone number for GB$"):
        app.leads.update(lead.id, {"phone": "12345"})


def test_phone_messages_are_human() -> None:
    with pytest.raises(ValidationError, match="has no country code: start it with \\+"):
        normalize_phone("020 7946 0018", None)
    with pytest.raises(ValidationError, match="starts with an unknown country code"):
        normalize_phone("+999 1234", None)
    placeholder = phone_placeholder("GB")
    assert placeholder.endswith("(GB) or +44…")
    assert normalize_phone(placeholder.removeprefix("e.g. ").split(" (")[0], "GB")


def test_without_a_setting_the_os_locale_names_the_region(app: AppServices, monkeypatch) -> None:
    import locale

    from leaddesk.services.validation import default_phone_region, locale_region

    monkeypatch.setattr(locale, "getlocale", lambda *a: ("de_DE", "UTF-8"))
    assert locale_region() == "DE"
    assert default_phone_region(app.store) == "DE"
    lead = app.leads.create({"first_name": "Jan", "phone": "030 901820"})
    assert lead.phone == "+4930901820"
    settings.put(app.store, settings.PHONE_DEFAULT_REGION, "GB")
    assert default_phone_region(app.store) == "GB"

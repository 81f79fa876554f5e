"""Editing a configured channel: settings merged and checked as a whole, secrets replaced,
the change audited without them."""

from __future__ import annotations

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import ValidationError
from leaddesk.services.messaging.integrations import IntegrationService

EMAIL = {"host": "smtp.example.org", "port": 587, "from_address": "sales@example.org",
         "username": "sales", "daily_cap": 300}


def test_update_merges_checks_and_audits(app: AppServices, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    service = IntegrationService(app.ctx)
    record = service.add("email", "work", EMAIL, {"smtp_password": "old-pw"})
    service.set_status(record.id, "error")
    updated = service.update("work", {"port": "465", "security": "ssl", "daily_cap": None},
                             {"smtp_password": "new-pw"})
    assert updated.settings["port"] == 465 and updated.settings["security"] == "ssl"
    assert "daily_cap" not in updated.settings  # None removes an optional setting
    assert updated.status == "configured"  # to be tested again
    assert service.secrets.get(record.id, "smtp_password") == "new-pw"
    entry = app.activity.recent(limit=1)[0]
    assert entry.summary == "changed email channel work"
    assert "new-pw" not in str(entry.changes) and entry.changes["port"] == [587, 465]


def test_update_refuses_what_add_refuses(app: AppServices, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    service = IntegrationService(app.ctx)
    service.add("email", "work", EMAIL, {"smtp_password": "pw"})
    with pytest.raises(ValidationError, match="host: is required"):
        service.update("work", {"host": ""})
    with pytest.raises(ValidationError, match="security: 'tls9' is not one of"):
        service.update("work", {"security": "tls9"})
    with pytest.raises(ValidationError, match="auth_token: is not a secret of a email"):
        service.update("work", {}, {"auth_token": "x"})
    assert service.get("work").settings["host"] == "smtp.example.org"

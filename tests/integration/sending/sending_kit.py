"""Helpers shared by the outbox tests (a uniquely named module: ``conftest`` is ambiguous
when the unit and integration suites run together)."""

from __future__ import annotations

import uuid
from typing import Any

from leaddesk.services.app_services import AppServices
from leaddesk.services.messaging.integrations import IntegrationRecord

POSTAL = "Example Ltd, 1 Example Street, Springfield"


def add_email_channel(app: AppServices, port: int, secrets: dict[str, str] | None = None,
                      **settings: Any) -> IntegrationRecord:
    values = {"host": "127.0.0.1", "port": port, "security": "none",
              "from_address": "rep@example.com", "from_name": "Rita Rep",
              "message_id_domain": "mail.example.com", "daily_cap": 100_000} | settings
    return app.integrations.add("email", "work mail", values, secrets)


def make_leads(app: AppServices, count: int, **extra: Any) -> list[uuid.UUID]:
    ids = []
    for i in range(count):
        data = {"first_name": f"Lee{i}", "last_name": "Example", "email": f"lead{i}@example.org",
                "company": f"Company {i}"} | extra
        ids.append(app.leads.create(data).id)
    return ids


def email_template(app: AppServices) -> uuid.UUID:
    return app.templates.create({
        "channel": "email", "name": "Intro",
        "subject": "Hello {{ first_name }}",
        "body": "Hi {{ first_name }},\n\n{{ company }} could use {{ sender.company }}.\n"
                "{{ sender.name }}",
    }).id

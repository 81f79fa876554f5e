"""Fixtures for the outbox tests: a fake SMTP server, a configured email channel, leads with
credits, and dispatchers with a fast backoff (retries wait milliseconds, not minutes)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
from leaddesk.sending.limits import Backoff
from leaddesk.services.app_services import AppServices
from leaddesk.services.integrations import IntegrationRecord
from leaddesk.store.models import BusinessProfile
from tests.fakes.smtp_server import FakeSmtpServer
from tests.support.memory_keyring import MemoryKeyring, installed

POSTAL = "Example Ltd, 1 Example Street, Springfield"
FAST = Backoff(base=0.005, cap=0.02, rng=random.Random(7))


@pytest.fixture
def keyring_backend() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    with installed(backend):
        yield backend


@pytest.fixture
def smtp() -> Iterator[FakeSmtpServer]:
    with FakeSmtpServer() as server:
        yield server


@pytest.fixture
def funded(app: AppServices) -> AppServices:
    """The app with a Starter package (500 credits) and a business profile with an address."""
    app.credits.purchase("starter")
    with app.store.write() as session:
        session.add(BusinessProfile(user_id=app.ctx.actor.id, company="Example Ltd",
                                    postal_address=POSTAL, offer="faster follow-ups"))
    return app


def add_email_channel(app: AppServices, port: int, secrets: dict[str, str] | None = None,
                      **settings: Any) -> IntegrationRecord:
    values = {"host": "127.0.0.1", "port": port, "security": "none",
              "from_address": "rep@example.com", "from_name": "Rita Rep",
              "message_id_domain": "mail.example.com", "daily_cap": 100_000} | settings
    return app.integrations.add("email", "work mail", values, secrets)


@pytest.fixture
def email_channel(funded: AppServices, smtp: FakeSmtpServer) -> IntegrationRecord:
    return add_email_channel(funded, smtp.port)


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


@pytest.fixture
def dispatcher_for(funded: AppServices) -> Callable[..., Dispatcher]:
    def make(**config: Any) -> Dispatcher:
        values = {"workers": 2, "backoff": FAST} | config
        return Dispatcher(funded.ctx, funded.credits, funded.integrations,
                          DispatcherConfig(**values))

    return make

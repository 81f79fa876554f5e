"""Fixtures for the outbox tests: a fake SMTP server, a configured email channel, leads with
credits, and dispatchers with a fast backoff (retries wait milliseconds, not minutes)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sending_kit import POSTAL, add_email_channel

from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
from leaddesk.sending.limits import Backoff
from leaddesk.services.app_services import AppServices
from leaddesk.services.messaging.integrations import IntegrationRecord
from leaddesk.store.models import BusinessProfile
from tests.fakes.smtp_server import FakeSmtpServer
from tests.support.memory_keyring import MemoryKeyring, installed

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


@pytest.fixture
def email_channel(funded: AppServices, smtp: FakeSmtpServer) -> IntegrationRecord:
    return add_email_channel(funded, smtp.port)


@pytest.fixture
def dispatcher_for(funded: AppServices) -> Callable[..., Dispatcher]:
    def make(**config: Any) -> Dispatcher:
        values = {"workers": 2, "backoff": FAST} | config
        return Dispatcher(funded.ctx, funded.credits, funded.integrations,
                          DispatcherConfig(**values))

    return make

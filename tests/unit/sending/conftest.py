"""The dispatcher's rules on a real database with a scripted channel (no network)."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from leaddesk.channels.base import ChannelKind, DeliveryState, OutgoingMessage, SendResult
from leaddesk.sending.dispatcher import Dispatcher, DispatcherConfig
from leaddesk.sending.limits import Backoff
from leaddesk.services.app_services import AppServices
from leaddesk.store.models import BusinessProfile


class ScriptedChannel:
    """Takes every message unless told to raise: ``script`` is a list of errors (or None for
    success) consumed one per send, shared by every instance made for one test."""

    kind = ChannelKind.EMAIL

    def __init__(self, script: list[Exception | None], sent: list[OutgoingMessage],
                 lock: threading.Lock, gate: threading.Event | None = None,
                 entered: threading.Event | None = None,
                 on_send: Callable[[OutgoingMessage], None] | None = None) -> None:
        self._script, self.sent, self._lock, self._gate = script, sent, lock, gate
        self._entered = entered
        self._on_send = on_send

    def send(self, msg: OutgoingMessage) -> SendResult:
        if self._on_send is not None:
            self._on_send(msg)
        if self._entered is not None:
            self._entered.set()
        if self._gate is not None:
            self._gate.wait(10)
        with self._lock:
            error = self._script.pop(0) if self._script else None
            if error is None:
                self.sent.append(msg)
        if error is not None:
            raise error
        return SendResult(provider_id=f"<{msg.message_id}@mail.example.com>",
                          status=DeliveryState.SENT)

    def fetch_status(self, provider_id: str) -> str | None:
        return None

    def test_connection(self) -> None:
        return None


class Harness:
    def __init__(self, app: AppServices) -> None:
        self.app = app
        self.script: list[Exception | None] = []
        self.sent: list[OutgoingMessage] = []
        self.gate: threading.Event | None = None
        self.entered = threading.Event()  # set when a send starts
        self.on_send: Callable[[OutgoingMessage], None] | None = None  # called as it starts
        self._lock = threading.Lock()
        self.channel = app.integrations.add("email", "mail", {
            "host": "127.0.0.1", "port": 2525, "security": "none",
            "from_address": "rep@example.com", "daily_cap": 1000})

    def factory(self, record: Any, channel: str) -> ScriptedChannel:
        return ScriptedChannel(self.script, self.sent, self._lock, self.gate, self.entered,
                               self.on_send)

    def dispatcher(self, **config: Any) -> Dispatcher:
        values = {"workers": 2, "backoff": Backoff(0.001, 0.002, random.Random(1))} | config
        return Dispatcher(self.app.ctx, self.app.credits, self.app.integrations,
                          DispatcherConfig(**values), channel_factory=self.factory)

    def leads(self, count: int, **extra: Any) -> list[uuid.UUID]:
        return [self.app.leads.create({"first_name": f"Ann{i}", "email": f"ann{i}@example.org",
                                       **extra}).id for i in range(count)]

    def queue(self, count: int, **kwargs: Any) -> list[uuid.UUID]:
        result = self.app.compose.send("email", self.leads(count), subject="Hi {{ first_name }}",
                                       body="Hello {{ first_name }}", **kwargs)
        return list(result.message_ids)


@pytest.fixture
def harness(app: AppServices) -> Harness:
    app.credits.purchase("starter")
    with app.store.write() as session:
        session.add(BusinessProfile(user_id=app.ctx.actor.id, company="Example Ltd",
                                    postal_address="1 Example Street"))
    return Harness(app)


@pytest.fixture
def states(app: AppServices) -> Callable[[], dict[str, int]]:
    return app.messages.counts_by_state

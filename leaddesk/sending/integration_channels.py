"""The dispatcher's view of the configured integrations: their records and the sender's postal
address (business profile, else the sender setting) as of the last
:meth:`IntegrationChannels.load`, and one channel object per worker thread and integration (so an
SMTP connection is kept between messages)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping

from leaddesk.channels.base import Channel
from leaddesk.sending.claims import Cap, Claimed
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.messaging import compliance
from leaddesk.services.messaging.integrations import (
    DEFAULT_DAILY_CAP,
    IntegrationRecord,
    IntegrationService,
)

log = logging.getLogger(__name__)

ChannelFactory = Callable[[IntegrationRecord, str], Channel]


class IntegrationChannels:
    """Thread-safe: the worker threads share one."""

    def __init__(
        self, ctx: ServiceContext, integrations: IntegrationService, factory: ChannelFactory
    ) -> None:
        self._ctx = ctx
        self._integrations = integrations
        self._factory = factory
        self._lock = threading.Lock()
        self._open_channels: dict[tuple[int, uuid.UUID, str], Channel] = {}
        self.records: dict[uuid.UUID, IntegrationRecord] = {}
        self.postal_address = ""

    def load(self) -> None:
        """The channels and the sender's postal address, as of now."""
        self.records = {r.id: r for r in self._integrations.list()}
        with self._ctx.store.read() as session:
            self.postal_address = compliance.postal_address(session, self._ctx.actor.id)

    def record(self, integration_id: uuid.UUID | None) -> IntegrationRecord | None:
        """The loaded integration ``integration_id`` (None for none, or one not loaded)."""
        return self.records.get(integration_id) if integration_id else None

    def record_for(self, msg: Claimed) -> IntegrationRecord | None:
        """The message's own integration, else the one configured for its channel."""
        if msg.integration_id is not None:
            record = self.records.get(msg.integration_id)
            if record is not None:
                return record
        try:
            return self._integrations.for_channel(msg.channel)
        except (ValidationError, NotFoundError):
            return None

    def caps(self, integration_id: uuid.UUID | None, channel: str,
             channel_daily_caps: Mapping[str, int]) -> list[Cap]:
        """The caps a claim counts a message against: its integration's daily (by default for
        its kind) and hourly caps, and the daily cap of its kind of channel."""
        caps = []
        record = self.record(integration_id)
        if record is not None:
            daily = record.settings.get("daily_cap", DEFAULT_DAILY_CAP.get(record.kind))
            if daily:
                caps.append(Cap(f"integration:{record.id}", "day", int(daily)))
            if record.settings.get("hourly_cap"):
                caps.append(Cap(f"integration:{record.id}", "hour",
                                int(record.settings["hourly_cap"])))
        if channel_daily_caps.get(channel):
            caps.append(Cap(f"channel:{channel}", "day", channel_daily_caps[channel]))
        return caps

    def channel(self, record: IntegrationRecord, channel: str) -> Channel:
        """One channel object per worker thread and integration (SMTP connections are kept)."""
        key = (threading.get_ident(), record.id, channel)
        with self._lock:
            found = self._open_channels.get(key)
        if found is None:
            found = self._factory(record, channel)
            with self._lock:
                self._open_channels[key] = found
        return found

    def close(self) -> None:
        """Close every channel object opened so far (best effort)."""
        with self._lock:
            channels, self._open_channels = list(self._open_channels.values()), {}
        for channel in channels:
            close = getattr(channel, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # closing is best effort
                    log.debug("closing a channel failed", exc_info=True)

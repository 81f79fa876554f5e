"""The fake Twilio server with an inbox: messages people send to our numbers
(:meth:`FakeTwilioInbox.inbound`), listed by ``GET .../Messages.json`` the way Twilio lists them:
newest first, filtered by ``To``, ``From`` and ``DateSent>`` (a day), in pages whose
``next_page_uri`` carries the filters on. Requests are validated against the OpenAPI definition
like every other request of :class:`~tests.fakes.twilio_server.FakeTwilioServer`."""

from __future__ import annotations

import datetime as dt
import secrets
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

from tests.fakes.twilio_server import (
    API_VERSION,
    FakeTwilioServer,
    RecordedRequest,
    _public,
    segments,
)
from tests.fakes.twilio_spec import Validation


class FakeTwilioInbox(FakeTwilioServer):
    """See the module docstring."""

    def inbound(self, from_: str, to: str, body: str, sent: dt.datetime | None = None) -> str:
        """A message someone sent to our number ``to`` at ``sent`` (default now); its SID."""
        sid = "SM" + secrets.token_hex(16)
        sent = sent or dt.datetime.now(dt.UTC)
        when = format_datetime(sent)
        with self._lock:
            self.messages[sid] = {
                "account_sid": self.account_sid, "api_version": API_VERSION, "body": body,
                "date_created": when, "date_sent": when, "date_updated": when,
                "direction": "inbound", "error_code": None, "error_message": None,
                "from": from_, "messaging_service_sid": None, "num_media": "0",
                "num_segments": str(segments(body)), "price": None, "price_unit": "USD",
                "sid": sid, "status": "received", "subresource_uris": {}, "to": to,
                "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json",
                "_sent": sent,
            }
        return sid

    def _handle(
        self, request: RecordedRequest, check: Validation, auth: str | None
    ) -> tuple[int, dict[str, Any]]:
        if (request.operation == "ListMessage" and check.ok and self._authorized(auth)
                and check.path_params.get("AccountSid") == self.account_sid):
            return self._list_messages(request)
        return super()._handle(request, check, auth)

    def _list_messages(self, request: RecordedRequest) -> tuple[int, dict[str, Any]]:
        query = {k: v[0] for k, v in request.query.items()}
        after = dt.date.fromisoformat(query["DateSent>"][:10]) if "DateSent>" in query else None
        now = dt.datetime.now(dt.UTC)
        with self._lock:
            found = [m for m in self.messages.values()
                     if query.get("To") in (None, m["to"])
                     and query.get("From") in (None, m["from"])
                     and (after is None or m.get("_sent", now).date() >= after)]
        found.sort(key=lambda m: m.get("_sent", now), reverse=True)
        size, page = int(query.get("PageSize", "50")), int(query.get("Page", "0"))
        chunk = found[page * size : (page + 1) * size]
        base = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"
        keep = urlencode([(k, v) for k, values in request.query.items() if k != "Page"
                          for v in values])
        more = (page + 1) * size < len(found)
        return 200, {
            "messages": [_public(m) for m in chunk], "page": page, "page_size": size,
            "start": page * size, "end": page * size + len(chunk),
            "first_page_uri": f"{base}?{keep}&Page=0", "uri": f"{base}?{keep}&Page={page}",
            "next_page_uri": f"{base}?{keep}&Page={page + 1}" if more else None,
            "previous_page_uri": f"{base}?{keep}&Page={page - 1}" if page else None,
        }

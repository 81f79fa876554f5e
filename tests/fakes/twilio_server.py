"""A Twilio-compatible REST server on 127.0.0.1 for tests (a real HTTP/1.1 server in a thread).

It speaks the Messages, Calls and Account resources of the 2010-04-01 API the way Twilio does:
201 with JSON bodies and real-looking SIDs (``SM``/``CA`` + 32 hex), statuses that move on each
fetch (messages queued -> sent -> delivered, calls queued -> ringing -> in-progress -> completed),
JSON errors ``{"code", "message", "more_info", "status"}``, 401 on bad credentials. Every request
is validated against Twilio's OpenAPI definition (see :mod:`tests.fakes.twilio_spec`) and answered
400 with the reason when invalid; every request is recorded, valid or not.

Usage::

    with FakeTwilioServer() as twilio:          # FakeTwilioServer(tls_context=...) for HTTPS
        settings = TwilioSettings(account_sid=twilio.account_sid, base_url=twilio.base_url, ...)
        ...TwilioSmsChannel(settings, twilio.auth_token)...
        twilio.requests[-1].form["Body"]

Failure injection (each applies to the next request(s), in the order injected):

- ``rate_limit_next(retry_after=2)``: 429 with ``Retry-After`` and Twilio's code 20429
- ``fail_next(status=500)``: a 5xx (or any status) with a JSON error
- ``delay_next(seconds)``: wait, then answer normally (the resource *is* created: a client that
  timed out meanwhile cannot know)
- ``drop_next()``: read the request, then close the connection without answering
- ``block_number("+1415...")``: sends to it fail with 400 / 21610 (recipient unsubscribed)

If the spec file is absent, constructing the server raises :class:`SpecUnavailable`; tests skip
with :data:`tests.fakes.twilio_spec.SPEC_MISSING_REASON` (``spec_available()`` tells beforehand).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import math
import secrets
import socket
import ssl
import threading
from collections import deque
from dataclasses import dataclass, field
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.twilio_spec import (
    SPEC_MISSING_REASON,
    SpecValidator,
    Validation,
    default_validator,
    spec_available,
)

DEFAULT_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
DEFAULT_AUTH_TOKEN = "test-auth-token-" + "5" * 16
API_VERSION = "2010-04-01"

MESSAGE_FLOW = ["accepted", "queued", "sent", "delivered"]
CALL_FLOW = ["queued", "ringing", "in-progress", "completed"]
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


class SpecUnavailable(RuntimeError):
    """The OpenAPI definition the fake validates against is not there."""


@dataclass
class RecordedRequest:
    """One request as the fake saw it, with what it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, list[str]]
    query: dict[str, list[str]]
    operation: str | None = None
    problems: list[str] = field(default_factory=list)
    status: int | None = None  # None when the connection was dropped

    def param(self, name: str) -> str | None:
        values = self.form.get(name)
        return values[0] if values else None


@dataclass
class _Fault:
    kind: str  # "status", "delay", "drop"
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0
    code: int = 20500
    message: str = "Internal Server Error"


def segments(body: str) -> int:
    """SMS segments for ``body``: GSM-7 160/153 characters, else UCS-2 70/67."""
    single, multi = (160, 153) if set(body) <= GSM7 else (70, 67)
    return 1 if len(body) <= single else math.ceil(len(body) / multi)


def error_body(status: int, code: int, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class FakeTwilioServer:
    """See the module docstring."""

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        validator: SpecValidator | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if validator is None:
            if not spec_available():
                raise SpecUnavailable(SPEC_MISSING_REASON)
            validator = default_validator()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.validator = validator
        self.requests: list[RecordedRequest] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.calls: dict[str, dict[str, Any]] = {}
        self.blocked_numbers: set[str] = set()
        self._faults: deque[_Fault] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server((self.host, 0), _Handler)
        self._httpd.fake = self
        self.scheme = "http"
        if tls_context is not None:  # HTTPS: the handshake runs when a connection is accepted
            self._httpd.socket = tls_context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        host = "localhost" if self.scheme == "https" else self.host  # the certificate's name
        return f"{self.scheme}://{host}:{self.port}"

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeTwilioServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-twilio"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(5)
            self._thread = None
        self._httpd.close_all()
        self._httpd.server_close()

    def __enter__(self) -> FakeTwilioServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- failure injection ------------------------------------------------------------------

    def rate_limit_next(self, retry_after: int | str = 1, times: int = 1) -> None:
        for _ in range(times):
            self._faults.append(
                _Fault("status", 429, str(retry_after), code=20429, message="Too Many Requests")
            )

    def fail_next(
        self, status: int = 500, times: int = 1, *, code: int = 20500, message: str | None = None
    ) -> None:
        for _ in range(times):
            self._faults.append(
                _Fault("status", status, code=code, message=message or HTTPStatus(status).phrase)
            )

    def delay_next(self, seconds: float, times: int = 1) -> None:
        for _ in range(times):
            self._faults.append(_Fault("delay", delay=seconds))

    def drop_next(self, times: int = 1) -> None:
        for _ in range(times):
            self._faults.append(_Fault("drop"))

    def block_number(self, number: str) -> None:
        self.blocked_numbers.add(number)

    def set_status(self, sid: str, status: str) -> None:
        """Force a resource's status (e.g. "undelivered"); it then stays there."""
        with self._lock:
            resource = self.messages.get(sid) or self.calls[sid]
            resource["status"] = status
            resource["_frozen"] = True

    # -- request handling (called from handler threads) -------------------------------------

    def _next_fault(self) -> _Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return secrets.compare_digest(f"{user}:{password}", f"{self.account_sid}:{self.auth_token}")

    def _validate(self, request: RecordedRequest) -> Validation:
        check = self.validator.validate(
            request.method,
            request.path,
            request.headers.get("content-type"),
            request.form,
            request.query,
        )
        request.operation = check.operation.operation_id if check.operation else None
        request.problems = [text for _, text in check.problems]
        return check

    def _handle(
        self, request: RecordedRequest, check: Validation, auth: str | None
    ) -> tuple[int, dict[str, Any]]:
        if not self._authorized(auth):
            return 401, error_body(401, 20003, "Authenticate")
        if not check.ok:
            status = check.http_status
            return status, error_body(status, check.problems[0][0], "; ".join(request.problems))
        account = check.path_params.get("AccountSid", check.path_params.get("Sid"))
        if request.operation == "FetchAccount":
            account = check.path_params["Sid"]
        if account != self.account_sid:
            return 404, error_body(
                404, 20404, f"The requested resource {request.path} was not found"
            )
        handler = {
            "CreateMessage": self._create_message,
            "FetchMessage": self._fetch_message,
            "CreateCall": self._create_call,
            "FetchCall": self._fetch_call,
            "FetchAccount": self._fetch_account,
        }.get(request.operation or "")
        if handler is None:
            return 501, error_body(
                501, 20501, f"{request.operation} is not implemented by the fake"
            )
        return handler(request, check.path_params)

    def _now(self) -> str:
        return format_datetime(dt.datetime.now(dt.UTC))

    def _create_message(
        self, request: RecordedRequest, _: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        to = request.param("To") or ""
        bare = to.removeprefix("whatsapp:")
        if not bare.startswith("+") or not bare[1:].isdigit() or not 8 <= len(bare) <= 16:
            return 400, error_body(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if bare in self.blocked_numbers:
            return 400, error_body(400, 21610, "Attempt to send to unsubscribed recipient")
        sid = "SM" + secrets.token_hex(16)
        body = request.param("Body") or ""
        service = request.param("MessagingServiceSid")
        resource = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": self._now(),
            "date_sent": None,
            "date_updated": self._now(),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": request.param("From"),
            "messaging_service_sid": service,
            "num_media": str(len(request.form.get("MediaUrl", []))),
            "num_segments": str(segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if service else "queued",
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
            "to": to,
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        with self._lock:
            self.messages[sid] = resource
        return 201, _public(resource)

    def _create_call(
        self, request: RecordedRequest, _: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        to = request.param("To") or ""
        if to in self.blocked_numbers:
            return 400, error_body(
                400, 13224, "The phone number you are attempting to call is blocked"
            )
        sid = "CA" + secrets.token_hex(16)
        resource = {
            "account_sid": self.account_sid,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": self._now(),
            "date_updated": self._now(),
            "direction": "outbound-api",
            "duration": None,
            "end_time": None,
            "forwarded_from": None,
            "from": request.param("From"),
            "from_formatted": request.param("From"),
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": "PN" + secrets.token_hex(16),
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": sid,
            "start_time": None,
            "status": "queued",
            "subresource_uris": {},
            "to": to,
            "to_formatted": to,
            "trunk_sid": None,
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{sid}.json",
        }
        with self._lock:
            self.calls[sid] = resource
        return 201, _public(resource)

    def _fetch(
        self, store: dict[str, dict[str, Any]], sid: str, flow: list[str]
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            resource = store.get(sid)
            if resource is None:
                return 404, error_body(404, 20404, f"The requested resource /{sid} was not found")
            if not resource.get("_frozen") and resource["status"] in flow:
                position = flow.index(resource["status"])
                resource["status"] = flow[min(position + 1, len(flow) - 1)]
                resource["date_updated"] = self._now()
            return 200, _public(resource)

    def _fetch_message(
        self, _: RecordedRequest, params: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        return self._fetch(self.messages, params["Sid"], MESSAGE_FLOW)

    def _fetch_call(self, _: RecordedRequest, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        return self._fetch(self.calls, params["Sid"], CALL_FLOW)

    def _fetch_account(
        self, _: RecordedRequest, params: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        return 200, {
            "sid": self.account_sid,
            "friendly_name": "LeadDesk test account",
            "status": "active",
            "type": "Full",
            "date_created": self._now(),
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}.json",
        }


def _public(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if not k.startswith("_")}


class _Server(ThreadingHTTPServer):
    """Tracks its connections so ``stop()`` can close keep-alive ones and join every thread."""

    daemon_threads = True
    fake: FakeTwilioServer

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._workers: list[threading.Thread] = []
        self._conn_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self._connections.add(request)
        worker = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self._conn_lock:
            self._workers = [w for w in self._workers if w.is_alive()] + [worker]
        worker.start()

    def shutdown_request(self, request: Any) -> None:
        with self._conn_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_all(self) -> None:
        with self._conn_lock:
            connections, workers = list(self._connections), list(self._workers)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for worker in workers:
            worker.join(5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeTwilio/1.0"
    timeout = 10  # idle keep-alive connections end by themselves
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read fake.requests instead of stderr

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        content_type = self.headers.get("Content-Type", "")
        form = (
            parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            if content_type.startswith("application/x-www-form-urlencoded")
            else {}
        )
        request = RecordedRequest(
            method=self.command,
            path=split.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            form=form,
            query=parse_qs(split.query, keep_blank_values=True),
        )
        check = fake._validate(request)
        fake._record(request)
        fault = fake._next_fault()
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            return
        if fault is not None and fault.kind == "delay" and fake._stopping.wait(fault.delay):
            self.close_connection = True
            return
        extra: dict[str, str] = {}
        if fault is not None and fault.kind == "status":
            status, payload = fault.status, error_body(fault.status, fault.code, fault.message)
            if fault.retry_after is not None:
                extra["Retry-After"] = fault.retry_after
        else:
            status, payload = fake._handle(request, check, self.headers.get("Authorization"))
            if status == 401:
                extra["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        request.status = status
        self._send_json(status, payload, extra)

    def _send_json(self, status: int, payload: dict[str, Any], extra: dict[str, str]) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timed out) meanwhile
            self.close_connection = True

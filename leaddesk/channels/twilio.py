"""SMS, WhatsApp and voice calls through a Twilio-compatible REST API (2010-04-01).

The same client talks to Twilio, to any provider that copies its API, and to the fake server in
the tests: only ``base_url`` changes. Requests are form-encoded with HTTP Basic auth
(AccountSid:AuthToken). Creating a message or call is not idempotent on Twilio's side, so a
timeout or a dropped connection after the request went out is reported as
:class:`AmbiguousSendError`, never as something safe to retry.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import httpx
import phonenumbers

from leaddesk import __version__
from leaddesk.channels.base import (
    AmbiguousSendError,
    ChannelConfigurationError,
    ChannelKind,
    DeliveryState,
    InvalidRecipientError,
    OutgoingMessage,
    PermanentChannelError,
    SendResult,
    TemporaryChannelError,
    require_secure_url,
)

API = "/2010-04-01"
ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")
CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
#: Twilio's limit on one content variable's value.
MAX_CONTENT_VARIABLE = 1600
MAX_BODY = 1600  # Twilio's limit for one message body, in characters
MAX_TWIML = 4000  # Twilio's limit for the Twiml parameter

MESSAGE_STATES: dict[str, DeliveryState] = {
    "accepted": DeliveryState.QUEUED,
    "scheduled": DeliveryState.QUEUED,
    "queued": DeliveryState.QUEUED,
    "sending": DeliveryState.QUEUED,
    "sent": DeliveryState.SENT,
    "partially_delivered": DeliveryState.SENT,
    "delivered": DeliveryState.DELIVERED,
    "read": DeliveryState.DELIVERED,
    "undelivered": DeliveryState.FAILED,
    "failed": DeliveryState.FAILED,
    "canceled": DeliveryState.FAILED,
}
CALL_STATES: dict[str, DeliveryState] = {
    "queued": DeliveryState.QUEUED,
    "ringing": DeliveryState.SENT,
    "in-progress": DeliveryState.SENT,
    "completed": DeliveryState.DELIVERED,
    "busy": DeliveryState.FAILED,
    "no-answer": DeliveryState.FAILED,
    "failed": DeliveryState.FAILED,
    "canceled": DeliveryState.FAILED,
}


@dataclass(frozen=True, slots=True)
class TwilioSettings:
    """Non-secret settings of one Twilio(-compatible) account; the auth token is separate.

    SMS goes from ``messaging_service_sid`` when set (Twilio picks the sender), else from
    ``from_number``. Calls say the message with inline TwiML unless ``voice_url`` points at
    TwiML of your own.
    """

    account_sid: str
    from_number: str | None = None
    messaging_service_sid: str | None = None
    whatsapp_from: str | None = None
    voice_from: str | None = None
    voice_url: str | None = None
    voice_language: str = "en-US"
    voice: str | None = None
    status_callback_url: str | None = None
    base_url: str = "https://api.twilio.com"
    timeout: float = 15.0
    connect_timeout: float = 5.0
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False, repr=False)


# -- pure helpers: numbers, TwiML, request parameters -----------------------------------------


def normalize_e164(number: str, what: str = "To") -> str:
    """``number`` in E.164 (``+14155550100``); spaces and dashes are tolerated, a missing
    country code or an impossible number is an :class:`InvalidRecipientError`."""
    raw = number.strip()
    if raw.lower().startswith("whatsapp:"):
        raw = raw[len("whatsapp:") :].strip()
    example = "e.g. +14155550100"
    if not raw.startswith("+"):
        raise InvalidRecipientError(
            f"{what} number {number!r} is not in E.164 format: it must start with + and the "
            f"country code ({example})"
        )
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidRecipientError(f"{what} number {number!r} cannot be read: {exc}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidRecipientError(
            f"{what} number {number!r} is not a valid phone number ({example})"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def say_twiml(text: str, *, language: str = "en-US", voice: str | None = None) -> str:
    """TwiML that reads ``text`` aloud once (escaped; characters XML cannot carry removed)."""
    attrs = f" language={quoteattr(language)}"
    if voice:
        attrs += f" voice={quoteattr(voice)}"
    clean = _XML_INVALID.sub("", text).strip()
    return f"<Response><Say{attrs}>{escape(clean)}</Say></Response>"


def _check_body(body: str) -> str:
    if not body.strip():
        raise PermanentChannelError("the message body is empty", code="empty_body")
    if len(body) > MAX_BODY:
        raise PermanentChannelError(
            f"the message body has {len(body)} characters; the limit is {MAX_BODY}",
            code="body_too_long",
        )
    return body


def _status_callback(msg: OutgoingMessage, settings: TwilioSettings) -> dict[str, str]:
    url = msg.status_callback_url or settings.status_callback_url
    return {"StatusCallback": url} if url else {}


def sms_params(msg: OutgoingMessage, settings: TwilioSettings) -> dict[str, str]:
    """Form fields for ``POST .../Messages.json`` sending an SMS."""
    params = {"To": normalize_e164(msg.to), "Body": _check_body(msg.body_text)}
    if settings.messaging_service_sid:
        if not MESSAGING_SERVICE_SID.match(settings.messaging_service_sid):
            raise ChannelConfigurationError(
                "the Messaging Service SID must be MG followed by 32 hex digits", code="config"
            )
        params["MessagingServiceSid"] = settings.messaging_service_sid
    elif settings.from_number:
        params["From"] = normalize_e164(settings.from_number, "From")
    else:
        raise ChannelConfigurationError(
            "set a sender number or a messaging service for SMS", code="config"
        )
    return params | _status_callback(msg, settings)


def whatsapp_params(msg: OutgoingMessage, settings: TwilioSettings) -> dict[str, str]:
    """Form fields for a WhatsApp message: the Messages resource with ``whatsapp:`` addresses."""
    sender = settings.whatsapp_from or settings.from_number
    if not sender:
        raise ChannelConfigurationError("set a WhatsApp sender number", code="config")
    params = {
        "To": "whatsapp:" + normalize_e164(msg.to),
        "From": "whatsapp:" + normalize_e164(sender, "From"),
    }
    if msg.content_sid is not None:
        params |= content_params(msg.content_sid, msg.content_variables)
    else:
        params["Body"] = _check_body(msg.body_text)
    return params | _status_callback(msg, settings)


def content_params(content_sid: str, variables: Mapping[str, str]) -> dict[str, str]:
    """``ContentSid`` and ``ContentVariables`` (a JSON object of strings) for a WhatsApp
    template message; the template's text replaces the body, so no ``Body`` goes with them."""
    if not CONTENT_SID.match(content_sid):
        raise PermanentChannelError(
            f"{content_sid!r} is not a content template SID (HX followed by 32 hex digits)",
            code="bad_content_sid",
        )
    params = {"ContentSid": content_sid}
    if variables:
        values: dict[str, str] = {}
        for key, value in variables.items():
            if not isinstance(key, str) or not key or not isinstance(value, str):
                raise PermanentChannelError(
                    f"template variable {key!r}: names and values must be text",
                    code="bad_content_variables",
                )
            if not value.strip():
                raise PermanentChannelError(
                    f"template variable {key!r} is empty (WhatsApp refuses empty values)",
                    code="bad_content_variables",
                )
            if len(value) > MAX_CONTENT_VARIABLE:
                raise PermanentChannelError(
                    f"template variable {key!r} is too long ({len(value)} characters)",
                    code="bad_content_variables",
                )
            values[key] = value
        params["ContentVariables"] = json.dumps(values, ensure_ascii=False,
                                                separators=(",", ":"))
    return params


def call_params(msg: OutgoingMessage, settings: TwilioSettings) -> dict[str, str]:
    """Form fields for ``POST .../Calls.json``: a call that says the message (or runs
    ``voice_url``)."""
    sender = settings.voice_from or settings.from_number
    if not sender:
        raise ChannelConfigurationError("set a caller number for voice calls", code="config")
    params = {"To": normalize_e164(msg.to), "From": normalize_e164(sender, "From")}
    if settings.voice_url:
        require_secure_url(settings.voice_url, "the TwiML URL")
        params["Url"] = settings.voice_url
    else:
        twiml = say_twiml(
            _check_body(msg.body_text), language=settings.voice_language, voice=settings.voice
        )
        if len(twiml) > MAX_TWIML:
            raise PermanentChannelError(
                f"the spoken message is too long ({len(twiml)} of {MAX_TWIML} characters)",
                code="body_too_long",
            )
        params["Twiml"] = twiml
    return params | _status_callback(msg, settings)


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


# -- the HTTP client ------------------------------------------------------------------------------


class TwilioClient:
    """The REST calls LeadDesk needs, with errors mapped to channel errors. Thread-safe (one
    httpx connection pool); share one client between the SMS, WhatsApp and voice channels."""

    def __init__(self, settings: TwilioSettings, auth_token: str) -> None:
        if not ACCOUNT_SID.match(settings.account_sid):
            raise ChannelConfigurationError(
                "the Account SID must be AC followed by 32 hex digits", code="config"
            )
        if not auth_token:
            raise ChannelConfigurationError("the Twilio auth token is missing", code="auth")
        require_secure_url(settings.base_url, "the Twilio API base URL")
        self.settings = settings
        self._http = httpx.Client(
            base_url=settings.base_url.rstrip("/"),
            auth=(settings.account_sid, auth_token),
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            verify=settings.ssl_context or True,
            follow_redirects=False,
            headers={"User-Agent": f"LeadDesk/{__version__}", "Accept": "application/json"},
        )

    @property
    def _account(self) -> str:
        return f"{API}/Accounts/{self.settings.account_sid}"

    def create_message(self, params: Mapping[str, str]) -> dict[str, Any]:
        return self._request("POST", f"{self._account}/Messages.json", params)

    def create_call(self, params: Mapping[str, str]) -> dict[str, Any]:
        return self._request("POST", f"{self._account}/Calls.json", params)

    def fetch_message(self, sid: str) -> dict[str, Any]:
        if not MESSAGE_SID.match(sid):
            raise PermanentChannelError(f"{sid!r} is not a message SID", code="bad_sid")
        return self._request("GET", f"{self._account}/Messages/{sid}.json")

    def fetch_call(self, sid: str) -> dict[str, Any]:
        if not CALL_SID.match(sid):
            raise PermanentChannelError(f"{sid!r} is not a call SID", code="bad_sid")
        return self._request("GET", f"{self._account}/Calls/{sid}.json")

    def fetch_account(self) -> dict[str, Any]:
        return self._request("GET", f"{self._account}.json")

    def list_messages(self, query: Mapping[str, str]) -> dict[str, Any]:
        """One page of ``GET .../Messages.json`` (filters: To, From, DateSent>, PageSize)."""
        return self._request("GET", f"{self._account}/Messages.json", query=query)

    def next_page(self, uri: str) -> dict[str, Any]:
        """The page a list's ``next_page_uri`` names (only ever this account's resources)."""
        if not uri.startswith(f"{self._account}/"):
            raise PermanentChannelError(f"unexpected next page {uri!r}", code="bad_page")
        return self._request("GET", uri)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TwilioClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(
        self, method: str, path: str, form: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        creates = method == "POST"
        try:
            response = self._http.request(method, path, data=dict(form) if form else None,
                                          params=dict(query) if query else None)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if _is_certificate_error(exc):
                raise ChannelConfigurationError(
                    f"TLS certificate of {self.settings.base_url} not trusted: {exc}", code="tls"
                ) from exc
            raise TemporaryChannelError(
                f"cannot connect to {self.settings.base_url}: {exc}"
            ) from exc
        except (httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout) as exc:
            # The request was not fully written, so the server cannot have acted on it.
            raise TemporaryChannelError(f"request to Twilio not sent: {exc!r}") from exc
        except httpx.TransportError as exc:  # read timeout, dropped connection, ...
            if creates:
                raise AmbiguousSendError(
                    f"no answer from {self.settings.base_url} after the request was sent "
                    f"({type(exc).__name__}); it may have been accepted"
                ) from exc
            raise TemporaryChannelError(f"no answer from Twilio: {exc!r}") from exc
        return self._result(response, creates)

    def _result(self, response: httpx.Response, creates: bool) -> dict[str, Any]:
        status = response.status_code
        body = _json(response)
        if 200 <= status < 300:
            if body is None or (creates and not body.get("sid")):
                if creates:
                    raise AmbiguousSendError(
                        f"Twilio answered {status} without a resource; it may have been accepted"
                    )
                raise TemporaryChannelError(f"Twilio answered {status} without JSON")
            return body
        code = (body or {}).get("code")
        text = (body or {}).get("message") or response.reason_phrase or "error"
        more = (body or {}).get("more_info")
        message = f"Twilio {status}: {text}" + (f" (code {code}, {more})" if more else "")
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 429 or status >= 500:
            raise TemporaryChannelError(message, retry_after=retry_after)
        if status in (401, 403):
            raise ChannelConfigurationError(message, code=code or status)
        raise PermanentChannelError(message, code=code or status)


def _json(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _is_certificate_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


# -- the channels -------------------------------------------------------------------------------


class _TwilioChannel:
    kind: ChannelKind

    def __init__(
        self,
        settings: TwilioSettings,
        auth_token: str | None = None,
        *,
        client: TwilioClient | None = None,
    ) -> None:
        """Pass the auth token, or a ``client`` shared with the account's other channels."""
        self.settings = settings
        self._own_client = client is None
        self.client = client or TwilioClient(settings, auth_token or "")

    def fetch_status(self, provider_id: str) -> str | None:
        """The :class:`DeliveryState` of a message (``SM``/``MM`` SID) or call (``CA``)."""
        if CALL_SID.match(provider_id):
            return CALL_STATES.get(str(self.client.fetch_call(provider_id).get("status")))
        return MESSAGE_STATES.get(str(self.client.fetch_message(provider_id).get("status")))

    def test_connection(self) -> None:
        """Fetch the account: checks URL, TLS and credentials without sending anything."""
        self.client.fetch_account()

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> _TwilioChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _result(data: dict[str, Any], states: Mapping[str, DeliveryState]) -> SendResult:
        status = states.get(str(data.get("status")), DeliveryState.QUEUED)
        return SendResult(provider_id=str(data["sid"]), status=status, raw=data)


class TwilioSmsChannel(_TwilioChannel):
    kind = ChannelKind.SMS

    def send(self, msg: OutgoingMessage) -> SendResult:
        return self._result(
            self.client.create_message(sms_params(msg, self.settings)), MESSAGE_STATES
        )


class TwilioWhatsAppChannel(_TwilioChannel):
    kind = ChannelKind.WHATSAPP

    def send(self, msg: OutgoingMessage) -> SendResult:
        params = whatsapp_params(msg, self.settings)
        return self._result(self.client.create_message(params), MESSAGE_STATES)


class TwilioVoiceChannel(_TwilioChannel):
    kind = ChannelKind.VOICE

    def send(self, msg: OutgoingMessage) -> SendResult:
        return self._result(self.client.create_call(call_params(msg, self.settings)), CALL_STATES)

"""Email over SMTP: STARTTLS, implicit TLS, or plain text on loopback only.

The SMTP transaction is run step by step (MAIL, RCPT, DATA, body, final reply) rather than through
``smtplib.sendmail`` so every failure can be placed: before the body was sent it is safe to retry,
while waiting for the server's answer to the body it is not (the server may have queued the mail).
"""

from __future__ import annotations

import enum
import logging
import re
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass, field

from leaddesk.channels.base import (
    AmbiguousSendError,
    ChannelConfigurationError,
    ChannelKind,
    DeliveryState,
    OutgoingMessage,
    PermanentChannelError,
    SendResult,
    TemporaryChannelError,
    require_tls_unless_loopback,
)
from leaddesk.channels.email_mime import WireEmail, wire_email

log = logging.getLogger(__name__)


class SmtpSecurity(enum.StrEnum):
    STARTTLS = "starttls"  # usually port 587
    SSL = "ssl"  # implicit TLS, usually port 465
    NONE = "none"  # only for a server on this machine (tests, a local relay)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The non-secret settings of one SMTP account (the password is passed separately).

    ``max_messages_per_connection`` > 1 keeps the connection open between sends (mail servers
    dislike a new TLS handshake per message); a connection idle longer than ``idle_timeout``
    seconds is closed and reopened before the next send.
    """

    host: str
    port: int
    message_id_domain: str
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    username: str | None = None
    timeout: float = 30.0
    max_messages_per_connection: int = 50
    idle_timeout: float = 60.0
    local_hostname: str | None = None
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False, repr=False)
    #: Log in over a connection without TLS (the password crosses in clear text): only for a
    #: relay on this machine that has no TLS, and only when the channel's settings say so.
    allow_plaintext_login: bool = False
    #: The configured channel's name, for messages a person reads.
    channel_name: str = ""


def _code_error(code: int, message: bytes | str, what: str) -> Exception:
    """Map an SMTP reply code to a channel error (4xx temporary, 5xx permanent)."""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    text = f"{what}: {code} {text}".strip()
    if 400 <= code < 500:
        return TemporaryChannelError(text)
    if code in (530, 535):  # authentication required / failed: the account, not the message
        return ChannelConfigurationError(text, code=code)
    return PermanentChannelError(text, code=code)


class SmtpEmailChannel:
    """Sends email through one SMTP account. Thread-safe: sends share one connection under a
    lock, so give each worker thread its own instance for parallel sending."""

    kind = ChannelKind.EMAIL

    def __init__(self, settings: SmtpSettings, password: str | None = None) -> None:
        require_tls_unless_loopback(
            settings.security is not SmtpSecurity.NONE, settings.host, "SMTP"
        )
        if settings.username and password is None:
            raise ChannelConfigurationError("SMTP password missing", code="auth")
        self.settings = settings
        self._password = password
        self._lock = threading.Lock()
        self._conn: smtplib.SMTP | None = None
        self._sent_on_conn = 0
        self._last_used = 0.0
        self._context: ssl.SSLContext | None = None

    # -- public API -------------------------------------------------------------------------

    def send(self, msg: OutgoingMessage) -> SendResult:
        """Send one message; returns its Message-ID as ``provider_id``."""
        return self.send_wire(wire_email(msg, self.settings.message_id_domain), msg.message_id)

    def send_wire(self, email: WireEmail, envelope_id: str) -> SendResult:
        """Send an email already built (see ``sending.prebuild``); ``envelope_id`` is our
        message id, given to the server for bounces (DSN ``ENVID``)."""
        with self._lock:
            try:
                code, reply = self._send_with_reconnect(
                    email.sender, email.recipient, email.data, envelope_id
                )
            finally:
                self._last_used = time.monotonic()
        return SendResult(
            provider_id=email.message_id,
            status=DeliveryState.SENT,
            raw={"smtp_code": code, "smtp_reply": reply, "message_id": email.message_id},
        )

    def fetch_status(self, provider_id: str) -> str | None:
        """SMTP cannot say; bounces and replies arrive over IMAP."""
        return None

    def test_connection(self) -> None:
        """Connect, negotiate TLS, log in and say goodbye."""
        with self._lock:
            self._close()
            conn = self._open()
            self._quit(conn)

    def close(self) -> None:
        """Close the kept connection, if any."""
        with self._lock:
            self._close()

    def __enter__(self) -> SmtpEmailChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connection handling ----------------------------------------------------------------

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.security is SmtpSecurity.SSL:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, s.local_hostname, timeout=s.timeout, context=self._tls()
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, s.local_hostname, timeout=s.timeout)
        except ssl.SSLError as exc:
            raise ChannelConfigurationError(f"TLS with {s.host} failed: {exc}", code="tls") from exc
        except smtplib.SMTPConnectError as exc:
            raise _code_error(exc.smtp_code, exc.smtp_error, "SMTP greeting") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryChannelError(f"cannot connect to {s.host}:{s.port}: {exc}") from exc
        try:
            self._handshake(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _handshake(self, conn: smtplib.SMTP) -> None:
        s = self.settings
        try:
            conn.ehlo()
            if s.security is SmtpSecurity.STARTTLS:
                if not conn.has_extn("starttls"):
                    raise ChannelConfigurationError(
                        f"{s.host} does not offer STARTTLS; refusing to send in clear text",
                        code="tls",
                    )
                conn.starttls(context=self._tls())
                conn.ehlo()
            if s.username:
                self._refuse_plaintext_login(conn)
                conn.login(s.username, self._password or "")
        except ssl.SSLError as exc:
            raise ChannelConfigurationError(f"TLS with {s.host} failed: {exc}", code="tls") from exc
        except smtplib.SMTPAuthenticationError as exc:
            if 400 <= exc.smtp_code < 500:
                raise _code_error(exc.smtp_code, exc.smtp_error, "SMTP login") from exc
            raise ChannelConfigurationError(
                f"SMTP login failed: {exc.smtp_code} {exc.smtp_error.decode('utf-8', 'replace')}",
                code=exc.smtp_code,
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise ChannelConfigurationError(f"{s.host}: {exc}", code="auth") from exc
        except smtplib.SMTPResponseException as exc:
            raise _code_error(exc.smtp_code, exc.smtp_error, "SMTP handshake") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryChannelError(f"SMTP handshake with {s.host} failed: {exc}") from exc

    def _refuse_plaintext_login(self, conn: smtplib.SMTP) -> None:
        """No password over a connection without TLS unless the channel allows it."""
        s = self.settings
        encrypted = isinstance(getattr(conn, "sock", None), ssl.SSLSocket)
        if encrypted or s.allow_plaintext_login:
            return
        who = f"channel {s.channel_name!r}" if s.channel_name else f"SMTP {s.host}"
        raise ChannelConfigurationError(
            f"{who}: refusing to send the SMTP password over an unencrypted connection; use "
            "security starttls or ssl, or set allow_plaintext_login=true for a local relay",
            code="insecure_login",
        )

    def _tls(self) -> ssl.SSLContext:
        """The settings' context, else the system's, made once: loading the system's CA
        certificates costs ~17 ms, which every reconnection paid before."""
        if self._context is None:
            self._context = self.settings.ssl_context or ssl.create_default_context()
        return self._context

    def _connection(self) -> smtplib.SMTP:
        """The kept connection if still usable, else a new one."""
        s = self.settings
        conn = self._conn
        if conn is not None and (
            self._sent_on_conn >= s.max_messages_per_connection
            or time.monotonic() - self._last_used > s.idle_timeout
        ):
            self._close()
            conn = None
        if conn is None:
            conn = self._conn = self._open()
            self._sent_on_conn = 0
        return conn

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._quit(conn)

    @staticmethod
    def _quit(conn: smtplib.SMTP) -> None:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            pass
        finally:
            conn.close()

    # -- the transaction --------------------------------------------------------------------

    def _send_with_reconnect(
        self, sender: str, recipient: str, data: bytes, envelope_id: str
    ) -> tuple[int, str]:
        """Send over the kept connection; if the server had dropped it, reconnect once.

        A dropped connection shows up before the body is sent (a disconnect, or a 421 at
        MAIL FROM from a server closing an idle session), so the retry cannot duplicate mail.
        """
        reused = self._conn is not None
        try:
            return self._transaction(self._connection(), sender, recipient, data, envelope_id)
        except _StaleConnection as exc:
            self._close()
            if not reused:
                raise exc.as_channel_error() from exc
            log.debug("kept SMTP connection was closed by the server; reconnecting")
        try:
            return self._transaction(self._connection(), sender, recipient, data, envelope_id)
        except _StaleConnection as exc:
            self._close()
            raise exc.as_channel_error() from exc

    def _transaction(
        self, conn: smtplib.SMTP, sender: str, recipient: str, data: bytes, envelope_id: str
    ) -> tuple[int, str]:
        try:
            self._envelope(conn, sender, recipient, envelope_id)
        except _Refused as refused:
            if refused.code == 421:  # the server is closing the connection
                if refused.stage == "MAIL FROM":
                    raise _StaleConnection(refused.as_channel_error()) from None
                self._close()
            else:
                self._rset()
            raise refused.as_channel_error() from None
        except (OSError, smtplib.SMTPException) as exc:
            raise _StaleConnection(TemporaryChannelError(f"SMTP connection lost: {exc}")) from exc

        try:
            conn.send(_dot_stuff(data))
        except (OSError, smtplib.SMTPException) as exc:
            # The terminating "." never reached the server, so it discards the partial message.
            self._close()
            raise TemporaryChannelError(f"SMTP connection lost while sending: {exc}") from exc
        try:
            code, reply = conn.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self._close()
            raise AmbiguousSendError(
                f"no answer from {self.settings.host} after the message was sent: {exc}"
            ) from exc
        self._sent_on_conn += 1
        text = reply.decode("utf-8", "replace")
        if code != 250:
            if code == 421:
                self._close()
            else:
                self._rset()
            raise _code_error(code, text, "SMTP end of DATA")
        return code, text

    @staticmethod
    def _envelope(conn: smtplib.SMTP, sender: str, recipient: str, envelope_id: str) -> None:
        """MAIL FROM, RCPT TO, DATA; raises :class:`_Refused` when the server says no."""
        options: list[str] = []
        if conn.has_extn("dsn"):
            # Bounces then carry our id and only the headers of the message, not its body.
            options = ["RET=HDRS", f"ENVID={_xtext(envelope_id)}"]
        code, reply = conn.mail(sender, options)
        if code != 250:
            raise _Refused("MAIL FROM", code, reply)
        code, reply = conn.rcpt(recipient)
        if code not in (250, 251):
            raise _Refused(f"RCPT TO <{recipient}>", code, reply)
        code, reply = conn.docmd("DATA")
        if code != 354:
            raise _Refused("DATA", code, reply)

    def _rset(self) -> None:
        """Reset the kept connection after a refused transaction so the next one starts clean."""
        if self._conn is None:
            return
        try:
            self._conn.rset()
        except (OSError, smtplib.SMTPException):
            self._close()


class _Refused(Exception):
    """The server answered a command of the envelope with an error code."""

    def __init__(self, stage: str, code: int, reply: bytes) -> None:
        super().__init__(stage, code)
        self.stage, self.code, self.reply = stage, code, reply

    def as_channel_error(self) -> Exception:
        return _code_error(self.code, self.reply, f"SMTP {self.stage}")


class _StaleConnection(Exception):
    """The connection failed before any of the message body was sent."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error

    def as_channel_error(self) -> Exception:
        return self.error


def _dot_stuff(data: bytes) -> bytes:
    """The DATA body: leading dots doubled, CRLF line ends, terminated by ``.``."""
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _xtext(value: str) -> str:
    """RFC 3461 xtext: printable ASCII except ``+`` and ``=``, everything else as ``+HH``."""
    return "".join(c if 33 <= ord(c) <= 126 and c not in "+=" else f"+{ord(c):02X}" for c in value)


__all__ = ["SmtpEmailChannel", "SmtpSecurity", "SmtpSettings"]

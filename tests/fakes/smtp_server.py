"""A real SMTP server on 127.0.0.1 (aiosmtpd in a thread) that records what it receives.

Usage::

    with FakeSmtpServer() as smtp:               # plain SMTP on a free port
        ...send to ("127.0.0.1", smtp.port)...
        smtp.messages[0].message["Subject"]

    FakeSmtpServer(users={"rep@example.com": "secret"})       # AUTH LOGIN/PLAIN required
    FakeSmtpServer(tls_context=certs.server_context())        # offers STARTTLS
    FakeSmtpServer(ssl_context=certs.server_context())        # implicit TLS (port 465 style)
    FakeSmtpServer(idle_timeout=0.2)    # answers 421 and hangs up on a client idle that long

Failure injection, per recipient address (lower-case compared):

- ``smtp.reject(addr, "550 5.1.1 <addr>: Recipient address rejected: User unknown")`` answers
  RCPT TO with that reply (4xx/5xx); ``stage="data"`` answers the end of DATA instead. A 421
  reply also closes the connection, as real servers do.
- ``smtp.drop_after_data(addr)`` reads the whole message, then closes the connection without an
  answer (the client cannot know whether the mail was taken: ambiguous).
- ``smtp.delay_data(addr, seconds)`` waits before answering the end of DATA (client timeouts).

``smtp.messages`` lists every accepted message (:class:`ReceivedMail`, with the parsed message
and the client's peer address, so tests can tell whether messages shared one connection).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

SERVER_NAME = "mx.example.org"


class _DropDeprecationNoise(logging.Filter):
    """aiosmtpd logs a deprecation warning of its own on every successful AUTH."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Session.login_data is deprecated")


logging.getLogger("mail.log").addFilter(_DropDeprecationNoise())


@dataclass(frozen=True)
class ReceivedMail:
    """One message the fake accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    peer: tuple[str, int]
    login: str | None

    @property
    def message(self) -> EmailMessage:
        msg = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(msg, EmailMessage)
        return msg


class _Handler:
    def __init__(self, server: FakeSmtpServer) -> None:
        self.fake = server

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.fake.users is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        reply = self.fake._replies.get(("rcpt", address.lower()))
        if reply:
            if reply.startswith("421"):
                asyncio.get_running_loop().call_soon(_close_transport, server)
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        rcpts = [a.lower() for a in envelope.rcpt_tos]
        for rcpt in rcpts:
            if delay := self.fake._delays.get(rcpt):
                await asyncio.sleep(delay)
        if any(r in self.fake._drop_after_data for r in rcpts):
            # Record it (a real server may well have queued it), then vanish without an answer.
            self.fake._record(envelope, session)
            _close_transport(server)
            return "250 2.0.0 never seen by the client"
        for rcpt in rcpts:
            reply = self.fake._replies.get(("data", rcpt))
            if reply:
                if reply.startswith("421"):
                    asyncio.get_running_loop().call_soon(_close_transport, server)
                return reply
        self.fake._record(envelope, session)
        return "250 2.0.0 Ok: queued"


def _close_transport(server: SMTP) -> None:
    if server.transport is not None:
        server.transport.close()


class _Authenticator:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            user = data.login.decode()
            if self.users.get(user) == data.password.decode():
                return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)


class _Controller(Controller):
    """aiosmtpd's controller, bound to a free port chosen by the OS."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class FakeSmtpServer:
    """See the module docstring. Use as a context manager or call ``start()``/``stop()``."""

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        tls_context: ssl.SSLContext | None = None,
        ssl_context: ssl.SSLContext | None = None,
        idle_timeout: float = 300.0,
    ) -> None:
        self.users = users
        self.messages: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._replies: dict[tuple[str, str], str] = {}
        self._drop_after_data: set[str] = set()
        self._delays: dict[str, float] = {}
        # idle_timeout: like real servers, say "421 timeout" and hang up on an idle client.
        kwargs: dict[str, Any] = {
            "server_hostname": SERVER_NAME,
            "ready_timeout": 5.0,
            "timeout": idle_timeout,
        }
        if users is not None:
            # AUTH is enforced in handle_MAIL (aiosmtpd warns about AUTH without TLS, which is
            # deliberate on loopback); a TLS server still requires STARTTLS before AUTH.
            kwargs |= {
                "authenticator": _Authenticator(users),
                "auth_require_tls": tls_context is not None,
            }
        if tls_context is not None:
            kwargs |= {"tls_context": tls_context, "require_starttls": True}
        if ssl_context is not None:
            kwargs["ssl_context"] = ssl_context
        self._controller = _Controller(_Handler(self), hostname="127.0.0.1", port=0, **kwargs)

    host = "127.0.0.1"

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def start(self) -> FakeSmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> FakeSmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- failure injection ------------------------------------------------------------------

    def reject(self, recipient: str, reply: str, *, stage: str = "rcpt") -> None:
        """Answer RCPT TO (``stage="rcpt"``) or the end of DATA (``"data"``) with ``reply``."""
        if stage not in ("rcpt", "data"):
            raise ValueError(stage)
        self._replies[(stage, recipient.lower())] = reply

    def drop_after_data(self, recipient: str) -> None:
        """Read the whole message for ``recipient``, then hang up without answering."""
        self._drop_after_data.add(recipient.lower())

    def delay_data(self, recipient: str, seconds: float) -> None:
        """Wait ``seconds`` before answering the end of DATA for ``recipient``."""
        self._delays[recipient.lower()] = seconds

    def clear_failures(self) -> None:
        self._replies.clear()
        self._drop_after_data.clear()
        self._delays.clear()

    # -- recording --------------------------------------------------------------------------

    def _record(self, envelope: Envelope, session: Session) -> None:
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode()
        peer = session.peer if isinstance(session.peer, tuple) else ("", 0)
        login = session.auth_data if isinstance(session.auth_data, str) else None
        with self._lock:
            self.messages.append(
                ReceivedMail(
                    mail_from=envelope.mail_from or "",
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    data=bytes(data),
                    peer=(str(peer[0]), int(peer[1])),
                    login=login,
                )
            )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for tests of refused connections)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

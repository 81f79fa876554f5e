"""Reading new mail over IMAP and classifying it (replies, bounces, out-of-office).

Incremental by UID: the caller stores the returned :class:`SyncState` and passes it back next
time. UIDs are only meaningful together with the mailbox's UIDVALIDITY; when that changes, the
mailbox was rebuilt and the sync starts over (from ``since`` if given). Messages are fetched with
``BODY.PEEK[]`` so reading them never marks the user's mail as seen.
"""

from __future__ import annotations

import datetime as dt
import email
import enum
import imaplib
import re
import ssl
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import Message

from leaddesk.channels.base import (
    ChannelConfigurationError,
    ChannelError,
    TemporaryChannelError,
    require_tls_unless_loopback,
)
from leaddesk.channels.inbox_classify import (
    AutoReply,
    Bounce,
    Classification,
    Reply,
    Unsubscribe,
    classify_message,
    normalize_message_id,
)

__all__ = [
    "AutoReply",
    "Bounce",
    "FetchResult",
    "ImapInbox",
    "ImapSecurity",
    "ImapSettings",
    "InboxItem",
    "Reply",
    "SyncState",
    "Unsubscribe",
    "classify_message",
    "normalize_message_id",
]


class ImapSecurity(enum.StrEnum):
    SSL = "ssl"  # implicit TLS, usually port 993
    STARTTLS = "starttls"  # usually port 143
    NONE = "none"  # only for a server on this machine


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """Non-secret settings of one mailbox (the password is passed separately)."""

    host: str
    port: int
    username: str
    security: ImapSecurity = ImapSecurity.SSL
    mailbox: str = "INBOX"
    timeout: float = 30.0
    batch_size: int = 50
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SyncState:
    """Where the last sync stopped: store it and pass it to the next :meth:`ImapInbox.fetch_new`."""

    uidvalidity: int
    last_uid: int


@dataclass(frozen=True, slots=True)
class InboxItem:
    uid: int
    message: Message
    classification: Classification | None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """``more`` is true when ``limit`` cut the batch short: call again to continue."""

    items: list[InboxItem]
    state: SyncState
    more: bool


_UID = re.compile(rb"\bUID (\d+)")


class ImapInbox:
    """One IMAP mailbox. Opens a connection per call: syncing runs every few minutes, and a
    long-lived IMAP connection would only go stale in between."""

    def __init__(self, settings: ImapSettings, password: str) -> None:
        require_tls_unless_loopback(
            settings.security is not ImapSecurity.NONE, settings.host, "IMAP"
        )
        self.settings = settings
        self._password = password

    def test_connection(self) -> None:
        """Log in and open the mailbox read-only."""
        with self._session() as conn:
            self._select(conn)

    def fetch_new(
        self,
        state: SyncState | None,
        known_ids: Container[str],
        *,
        since: dt.date | None = None,
        limit: int = 500,
        unsubscribe_addresses: Container[str] = (),
    ) -> FetchResult:
        """Messages that arrived after ``state``, each classified against ``known_ids`` (the
        Message-IDs we sent, see :func:`normalize_message_id`). With no state (or after a
        UIDVALIDITY change) it starts at ``since``, or at the beginning when that is ``None``.
        ``unsubscribe_addresses``: see :func:`classify_message`.
        """
        with self._session() as conn:
            uidvalidity = self._select(conn)
            last_uid = state.last_uid if state and state.uidvalidity == uidvalidity else 0
            uids = self._new_uids(conn, last_uid, since if last_uid == 0 else None)
            more = len(uids) > limit
            uids = uids[:limit]
            items: list[InboxItem] = []
            for start in range(0, len(uids), self.settings.batch_size):
                batch = uids[start : start + self.settings.batch_size]
                for uid, raw in self._fetch(conn, batch):
                    msg = email.message_from_bytes(raw, policy=policy.compat32)
                    found = classify_message(msg, known_ids,
                                             unsubscribe_addresses=unsubscribe_addresses)
                    items.append(InboxItem(uid, msg, found))
        new_last = max(uids, default=last_uid)
        return FetchResult(items=items, state=SyncState(uidvalidity, new_last), more=more)

    # -- protocol -------------------------------------------------------------------------

    @contextmanager
    def _session(self) -> Iterator[imaplib.IMAP4]:
        conn = self._connect()
        try:
            yield conn
        except imaplib.IMAP4.abort as exc:
            raise TemporaryChannelError(f"IMAP connection lost: {exc}") from exc
        except imaplib.IMAP4.error as exc:
            raise TemporaryChannelError(f"IMAP error: {_error_text(exc)}") from exc
        except ssl.SSLError as exc:
            raise TemporaryChannelError(f"IMAP TLS error: {exc}") from exc
        except OSError as exc:
            raise TemporaryChannelError(f"IMAP connection lost: {exc}") from exc
        finally:
            try:
                conn.logout()
            except (OSError, imaplib.IMAP4.error):
                conn.shutdown()

    def _connect(self) -> imaplib.IMAP4:
        s = self.settings
        context = s.ssl_context or ssl.create_default_context()
        try:
            if s.security is ImapSecurity.SSL:
                conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    s.host, s.port, ssl_context=context, timeout=s.timeout
                )
            else:
                conn = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
        except ssl.SSLError as exc:
            raise ChannelConfigurationError(f"TLS with {s.host} failed: {exc}", code="tls") from exc
        except (OSError, imaplib.IMAP4.error) as exc:
            raise TemporaryChannelError(f"cannot connect to {s.host}:{s.port}: {exc}") from exc
        try:
            if s.security is ImapSecurity.STARTTLS:
                if "STARTTLS" not in conn.capabilities:
                    raise ChannelConfigurationError(
                        f"{s.host} does not offer STARTTLS; refusing to log in in clear text",
                        code="tls",
                    )
                conn.starttls(ssl_context=context)
            conn.login(s.username, self._password)
        except ChannelError:
            conn.shutdown()
            raise
        except ssl.SSLError as exc:
            conn.shutdown()
            raise ChannelConfigurationError(f"TLS with {s.host} failed: {exc}", code="tls") from exc
        except imaplib.IMAP4.abort as exc:
            conn.shutdown()
            raise TemporaryChannelError(f"IMAP connection lost: {exc}") from exc
        except imaplib.IMAP4.error as exc:
            conn.shutdown()
            raise ChannelConfigurationError(
                f"IMAP login failed: {_error_text(exc)}", code="auth"
            ) from exc
        except OSError as exc:
            conn.shutdown()
            raise TemporaryChannelError(f"IMAP connection lost: {exc}") from exc
        return conn

    def _select(self, conn: imaplib.IMAP4) -> int:
        status, data = conn.select(_quote(self.settings.mailbox), readonly=True)
        if status != "OK":
            raise ChannelConfigurationError(
                f"cannot open mailbox {self.settings.mailbox!r}: {_text(data)}", code="mailbox"
            )
        _, values = conn.response("UIDVALIDITY")
        if not values or values[0] is None:
            raise TemporaryChannelError("the IMAP server did not report UIDVALIDITY")
        return int(values[0])

    @staticmethod
    def _new_uids(conn: imaplib.IMAP4, last_uid: int, since: dt.date | None) -> list[int]:
        criteria = [f"UID {last_uid + 1}:*"]
        if since is not None:
            criteria.append(f"SINCE {imap_date(since)}")
        status, data = conn.uid("SEARCH", *criteria)
        if status != "OK":
            raise TemporaryChannelError(f"IMAP SEARCH failed: {_text(data)}")
        found = {int(n) for chunk in data if chunk for n in chunk.split()}
        # "N:*" always matches the highest UID, even when it is below N.
        return sorted(uid for uid in found if uid > last_uid)

    @staticmethod
    def _fetch(conn: imaplib.IMAP4, uids: list[int]) -> list[tuple[int, bytes]]:
        status, data = conn.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
        if status != "OK":
            raise TemporaryChannelError(f"IMAP FETCH failed: {_text(data)}")
        out: list[tuple[int, bytes]] = []
        for index, item in enumerate(data):
            if not isinstance(item, tuple):
                continue
            match = _UID.search(item[0])
            if match is None:  # some servers put the UID after the literal
                trailer = data[index + 1] if index + 1 < len(data) else b""
                match = _UID.search(trailer if isinstance(trailer, bytes) else b"")
            if match is not None:
                out.append((int(match.group(1)), item[1]))
        return sorted(out)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def imap_date(day: dt.date) -> str:
    """RFC 3501 date ("1-Jul-2025"): English month names whatever the process locale (Qt sets
    the user's locale, which would change ``strftime('%b')``)."""
    return f"{day.day}-{_MONTHS[day.month - 1]}-{day.year}"


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(data: list[object]) -> str:
    return " ".join(d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in data)


def _error_text(exc: Exception) -> str:
    """imaplib errors carry the server's bytes; show them as text."""
    arg = exc.args[0] if exc.args else ""
    return arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(arg)

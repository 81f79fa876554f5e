"""A real IMAP4rev1 server on 127.0.0.1: pymap's in-memory (dict) backend in a thread.

Usage::

    with FakeImapServer(users={"rep@example.org": "secret"}) as imap:
        imap.append("rep@example.org", raw_message_bytes)     # deliver into INBOX
        ...imaplib.IMAP4("127.0.0.1", imap.port)...

    FakeImapServer(users=..., tls=certs.server_context())             # offers STARTTLS
    FakeImapServer(users=..., tls=certs.server_context(), implicit_tls=True)   # IMAPS

``recreate_mailbox(user)`` deletes and recreates INBOX, so it gets a new UIDVALIDITY (what a
server does when it rebuilds a mailbox). Needs the ``pymap`` package (test dependency).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import threading
from argparse import Namespace
from collections.abc import Coroutine
from typing import Any

from proxyprotocol.reader import ProxyProtocolReader
from pymap.backend.dict import Config, Identity, Login
from pymap.backend.dict.mailbox import MailboxData
from pymap.concurrent import Subsystem
from pymap.imap import IMAPServer
from pymap.parsing.message import AppendMessage
from pymap.user import Passwords, UserMetadata
from pysasl.hashing import BuiltinHash


class _Config(Config):
    @property
    def greeting(self) -> bytes:
        return b"LeadDesk test IMAP ready"  # the default looks up this machine's FQDN


class FakeImapServer:
    """See the module docstring."""

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        users: dict[str, str],
        tls: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
    ) -> None:
        self.users = dict(users)
        self._tls = tls
        self._implicit_tls = implicit_tls
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None
        self._login: Login | None = None
        self._error: BaseException | None = None
        self.port = 0

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeImapServer:
        self._thread = threading.Thread(target=self._run, name="fake-imap", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise TimeoutError("fake IMAP server did not start")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        stopped = self._stopped
        if stopped is not None:
            self._loop.call_soon_threadsafe(stopped.set)
        self._thread.join(10)
        self._thread = None

    def __enter__(self) -> FakeImapServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    async def _serve(self) -> None:
        args = Namespace(passlib_cfg=None, proxy_protocol=None, debug=False)
        config = _Config(
            args,
            host=self.host,
            port=0,
            demo_data=False,
            demo_user="nobody",
            demo_password="",
            ssl_context=self._tls,
            tls_enabled=self._tls is not None and not self._implicit_tls,
            invalid_user_sleep=0.0,
            hash_context=BuiltinHash(rounds=1000),  # fast logins in tests
            reject_dnsbl=False,
            cpu_subsystem=Subsystem.for_asyncio(),  # no thread pool left behind after stop()
        )
        config.apply_context()
        login = self._login = Login(config)
        passwords = Passwords(config)
        for name, password in self.users.items():
            hashed = await passwords.hash_password(password)
            await Identity(name, login, None, frozenset()).set(
                UserMetadata(config, name, password=hashed)
            )
        callback = ProxyProtocolReader(config.proxy_protocol).get_callback(
            IMAPServer(login, config)
        )
        server = await asyncio.start_server(
            callback, self.host, 0, ssl=self._tls if self._implicit_tls else None
        )
        self.port = server.sockets[0].getsockname()[1]
        self._stopped = asyncio.Event()
        self._ready.set()
        async with server:
            await self._stopped.wait()
            server.close()
            await server.wait_closed()
        current = asyncio.current_task()
        others = [t for t in asyncio.all_tasks() if t is not current]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    # -- mailbox content --------------------------------------------------------------------

    def append(
        self, user: str, raw: bytes, *, mailbox: str = "INBOX", when: dt.datetime | None = None
    ) -> None:
        """Deliver ``raw`` (a whole RFC 5322 message) into ``user``'s mailbox."""
        self._call(self._append(user, raw, mailbox, when or dt.datetime.now(dt.UTC)))

    def recreate_mailbox(self, user: str, mailbox: str = "INBOX") -> None:
        """Empty the mailbox under a new UIDVALIDITY."""
        self._call(self._recreate(user, mailbox))

    def _call(self, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _append(self, user: str, raw: bytes, mailbox: str, when: dt.datetime) -> None:
        async with self._identity(user).new_session() as session:
            box = await session.mailbox_set.get_mailbox(mailbox)
            await box.append(AppendMessage(raw, when, frozenset()), recent=True)

    async def _recreate(self, user: str, mailbox: str) -> None:
        async with self._identity(user).new_session() as session:
            boxes = session.mailbox_set
            if mailbox.upper() == "INBOX":
                # pymap never deletes INBOX: swap in a fresh one (new UIDVALIDITY, UIDs anew).
                boxes._inbox = MailboxData(boxes._content_cache, boxes._thread_cache)
            else:
                await boxes.delete_mailbox(mailbox)
                await boxes.add_mailbox(mailbox)

    def _identity(self, user: str) -> Identity:
        assert self._login is not None, "server not started"
        return Identity(user, self._login, None, frozenset())

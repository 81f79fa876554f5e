"""An in-memory keyring backend, so tests never touch the OS keyring or the user's files.

Use the ``memory_keyring`` fixture (via ``pytest_plugins`` or a conftest import), or install it
yourself with :func:`installed`::

    with installed() as backend:
        SecretStore().set("smtp-1", "password", "s3cret")
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict keyed by ``(service, username)``."""

    @properties.classproperty
    def priority(cls) -> float:
        # Not viable for keyring's own discovery: only a test that installs it gets it.
        raise RuntimeError("test-only backend; install it explicitly")

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.secrets[(service, username)]
        except KeyError:
            raise PasswordDeleteError("not found") from None


@contextmanager
def installed(backend: KeyringBackend | None = None) -> Iterator[KeyringBackend]:
    """Make ``backend`` (a fresh :class:`MemoryKeyring` by default) keyring's global backend."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring() if backend is None else backend
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A fresh in-memory keyring installed as keyring's global backend for one test."""
    backend = MemoryKeyring()
    with installed(backend):
        yield backend

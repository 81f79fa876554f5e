"""Channel credentials, kept only in the OS keyring (or, where there is none, an encrypted file).

Secrets never go to the database, logs or exports: an ``Integration`` row stores settings, and its
passwords and tokens live here under the service name ``leaddesk:<integration id>``.

``keyring`` picks a backend by itself, and with ``keyrings.cryptfile`` installed (it is, for the
fallback below) its automatic choice on a machine without a keyring service is a chain of *file*
keyrings: one asks for a password on the terminal and another stores plain text. So we accept
only backends that are not file-based; otherwise :class:`KeyringUnavailable` tells the caller to
offer :meth:`SecretStore.use_encrypted_file_store`, which encrypts every secret with a key
derived (Argon2) from a master password the user types.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import (
    InitError,
    KeyringError,
    KeyringLocked,
    NoKeyringError,
    PasswordDeleteError,
)

SERVICE_PREFIX = "leaddesk:"

# Backends keyring may pick by itself that we refuse: they write files we do not control.
_FILE_BACKEND_MODULES = ("keyrings.alt", "keyrings.cryptfile")


class SecretStoreError(Exception):
    """The keyring failed in a way the user has to know about."""


class KeyringUnavailable(SecretStoreError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"No system keyring is available to store credentials ({reason}). Use an encrypted "
            "credentials file protected by a master password instead."
        )
        self.reason = reason


class WrongMasterPassword(SecretStoreError):
    def __init__(self) -> None:
        super().__init__("The master password for the encrypted credentials file is wrong.")


def service_name(service_key: str | uuid.UUID) -> str:
    """The keyring service name of one integration: ``leaddesk:<integration id>``."""
    key = str(service_key)
    if not key or key.isspace():
        raise ValueError("service_key must not be empty")
    return SERVICE_PREFIX + key


class SecretStore:
    """Get, set and delete the secrets of integrations.

    By default it uses whatever OS keyring ``keyring`` resolves at call time (tests install their
    own backend with ``keyring.set_keyring`` or pass ``backend``).
    """

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend

    def use_encrypted_file_store(self, path: str | os.PathLike[str], master_password: str) -> None:
        """Keep secrets in an encrypted file at ``path`` (created if missing, mode 0600).

        Raises :class:`WrongMasterPassword` if the file exists and was made with another one.
        Opening costs about half a second on purpose (Argon2 key derivation), as does each read.
        """
        from keyrings.cryptfile.cryptfile import CryptFileKeyring

        if not master_password or master_password.isspace():
            raise ValueError("the master password must not be empty")
        store = CryptFileKeyring()
        store.file_path = os.fspath(path)  # instance override of a class default
        try:
            store.keyring_key = master_password  # unlocks, or creates the file
        except ValueError:
            raise WrongMasterPassword() from None
        self._backend = store

    @property
    def backend_name(self) -> str:
        """For the settings page: which store is in use (never includes a secret)."""
        return type(self._resolve()).__name__

    def is_available(self) -> bool:
        try:
            self._resolve()
        except KeyringUnavailable:
            return False
        return True

    def get(self, service_key: str | uuid.UUID, name: str) -> str | None:
        """The secret, or ``None`` if none is stored."""
        service, name = service_name(service_key), _checked_name(name)
        backend = self._resolve()
        with _translated_errors():
            return backend.get_password(service, name)

    def set(self, service_key: str | uuid.UUID, name: str, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("a secret must be a str")
        service, name = service_name(service_key), _checked_name(name)
        backend = self._resolve()
        with _translated_errors():
            backend.set_password(service, name, value)

    def delete(self, service_key: str | uuid.UUID, name: str) -> bool:
        """Remove the secret; ``False`` if there was none (deleting twice is fine)."""
        service, name = service_name(service_key), _checked_name(name)
        backend = self._resolve()
        with _translated_errors():
            try:
                backend.delete_password(service, name)
            except PasswordDeleteError:
                return False
        return True

    def _resolve(self) -> KeyringBackend:
        if self._backend is not None:
            return self._backend
        return os_keyring()


def os_keyring() -> KeyringBackend:
    """The keyring ``keyring`` resolves, if it is a real one; else :class:`KeyringUnavailable`."""
    resolved = keyring.get_keyring()
    candidates = resolved.backends if isinstance(resolved, chainer.ChainerBackend) else [resolved]
    usable = [backend for backend in candidates if _is_os_keyring(backend)]
    if not usable:
        found = ", ".join(type(backend).__name__ for backend in candidates) or "none"
        raise KeyringUnavailable(f"no keyring service found; backends present: {found}")
    return usable[0]  # a chainer lists its backends by priority


def _is_os_keyring(backend: KeyringBackend) -> bool:
    if isinstance(backend, fail.Keyring | null.Keyring | chainer.ChainerBackend):
        return False
    return not type(backend).__module__.startswith(_FILE_BACKEND_MODULES)


def _checked_name(name: str) -> str:
    if not isinstance(name, str) or not name or name.isspace():
        raise ValueError("a secret's name must be a non-empty str")
    return name


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Turn the backends' errors into ours, so that callers catch one family."""
    try:
        yield
    except (NoKeyringError, InitError) as exc:
        raise KeyringUnavailable(str(exc) or type(exc).__name__) from exc
    except KeyringLocked as exc:
        raise KeyringUnavailable("the keyring is locked; unlock it and try again") from exc
    except KeyringError as exc:
        raise SecretStoreError(f"the keyring refused: {exc}") from exc
    except ValueError as exc:  # the encrypted file: an entry fails its authentication tag
        raise SecretStoreError("a stored secret could not be decrypted") from exc

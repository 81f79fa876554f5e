"""Credentials in the OS keyring only; an encrypted file where there is none; never plaintext."""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import chainer, fail
from keyring.errors import KeyringLocked, NoKeyringError, PasswordSetError
from keyrings.cryptfile.cryptfile import CryptFileKeyring
from keyrings.cryptfile.file import PlaintextKeyring

from leaddesk.channels.secrets import (
    KeyringUnavailable,
    SecretStore,
    SecretStoreError,
    WrongMasterPassword,
    os_keyring,
    service_name,
)
from tests.support.memory_keyring import MemoryKeyring, installed

SECRET = "p4ss-w0rd-\u00e9-never-in-plaintext"


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    with installed(backend):
        yield backend


def test_secrets_round_trip_under_a_namespaced_service(memory: MemoryKeyring) -> None:
    store = SecretStore()

    store.set("smtp-1", "password", SECRET)

    assert store.get("smtp-1", "password") == SECRET
    assert memory.secrets == {("leaddesk:smtp-1", "password"): SECRET}
    assert store.get("smtp-1", "token") is None
    assert store.get("smtp-2", "password") is None


def test_delete_is_idempotent(memory: MemoryKeyring) -> None:
    store = SecretStore()
    store.set("twilio", "auth_token", SECRET)

    assert store.delete("twilio", "auth_token") is True
    assert store.delete("twilio", "auth_token") is False
    assert store.get("twilio", "auth_token") is None


def test_integration_ids_may_be_uuids(memory: MemoryKeyring) -> None:
    integration = uuid.UUID("01890a5d-ac96-774b-bcce-b302099a8057")
    SecretStore().set(integration, "password", SECRET)

    assert service_name(integration) == "leaddesk:01890a5d-ac96-774b-bcce-b302099a8057"
    assert (service_name(integration), "password") in memory.secrets


@pytest.mark.parametrize(("key", "name"), [("", "password"), ("smtp", ""), ("smtp", "  ")])
def test_empty_keys_and_names_are_refused(memory: MemoryKeyring, key: str, name: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        SecretStore().set(key, name, SECRET)


def test_secrets_must_be_text(memory: MemoryKeyring) -> None:
    with pytest.raises(TypeError):
        SecretStore().set("smtp", "password", b"bytes")  # type: ignore[arg-type]


def test_an_explicit_backend_wins_over_the_global_one(memory: MemoryKeyring) -> None:
    own = MemoryKeyring()
    SecretStore(own).set("smtp", "password", SECRET)

    assert own.secrets
    assert not memory.secrets


# --- no keyring ---------------------------------------------------------------------------------


def test_the_fail_backend_means_no_keyring() -> None:
    with installed(fail.Keyring()):
        store = SecretStore()
        assert not store.is_available()
        with pytest.raises(KeyringUnavailable, match="encrypted credentials file") as caught:
            store.get("smtp", "password")

    assert "Keyring" in caught.value.reason


class _FileOnlyChainer(chainer.ChainerBackend):
    """What keyring picks by itself here: a chain of file keyrings (one of them plaintext)."""

    backends = [PlaintextKeyring()]


class _EmptyChainer(chainer.ChainerBackend):
    backends: list[object] = []


@pytest.mark.parametrize("backend", [_FileOnlyChainer(), _EmptyChainer(), PlaintextKeyring()])
def test_file_keyrings_picked_by_keyring_are_refused(
    backend: keyring.backend.KeyringBackend,
) -> None:
    with installed(backend), pytest.raises(KeyringUnavailable):
        SecretStore().set("smtp", "password", SECRET)


def test_a_chainer_with_a_real_keyring_uses_it() -> None:
    real = MemoryKeyring()

    class Mixed(chainer.ChainerBackend):
        backends = [real, PlaintextKeyring()]

    with installed(Mixed()):
        assert os_keyring() is real


class _Broken(MemoryKeyring):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    set_password = get_password  # type: ignore[assignment]


@pytest.mark.parametrize(
    ("error", "expected", "says"),
    [
        (NoKeyringError("no backend"), KeyringUnavailable, "no backend"),
        (KeyringLocked("locked"), KeyringUnavailable, "locked"),
        (PasswordSetError("denied"), SecretStoreError, "refused: denied"),
        (ValueError("MAC check failed"), SecretStoreError, "could not be decrypted"),
    ],
)
def test_backend_errors_become_ours(error: Exception, expected: type[Exception], says: str) -> None:
    store = SecretStore(_Broken(error))

    with pytest.raises(expected, match=says):
        store.get("smtp", "password")


def test_the_backend_name_names_no_secret(memory: MemoryKeyring) -> None:
    assert SecretStore().backend_name == "MemoryKeyring"


# --- encrypted file -----------------------------------------------------------------------------


def test_the_encrypted_file_keeps_secrets_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "credentials.cfg"
    store = SecretStore()
    with installed(fail.Keyring()):  # as on a machine without a keyring service
        store.use_encrypted_file_store(path, "master password")
        store.set("smtp-1", "password", SECRET)
        assert store.is_available()

    content = path.read_bytes()
    assert SECRET.encode() not in content
    assert SECRET.encode("utf-16-le") not in content
    assert b"master password" not in content
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    reopened = SecretStore()
    reopened.use_encrypted_file_store(path, "master password")
    assert reopened.get("smtp-1", "password") == SECRET
    assert reopened.delete("smtp-1", "password") is True
    assert reopened.get("smtp-1", "password") is None
    assert reopened.backend_name == CryptFileKeyring.__name__


def test_the_wrong_master_password_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "credentials.cfg"
    SecretStore().use_encrypted_file_store(path, "right one")

    with pytest.raises(WrongMasterPassword, match="master password"):
        SecretStore().use_encrypted_file_store(path, "wrong one")


def test_a_blank_master_password_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        SecretStore().use_encrypted_file_store(tmp_path / "c.cfg", "   ")
    assert not (tmp_path / "c.cfg").exists()

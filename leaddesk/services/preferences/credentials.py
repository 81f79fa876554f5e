"""Where channel secrets are kept: the OS keyring, else the encrypted credentials file.

The file is unlocked by a master password. A *new* file takes the password twice, so a typo
does not lock the user out of their own secrets (and a secret meant for a channel is never
taken for the master password by mistake: callers ask for it by name, before anything else).
"""

from __future__ import annotations

from pathlib import Path

from leaddesk.channels.secrets import KeyringUnavailable, SecretStore, os_keyring
from leaddesk.config import data_dir
from leaddesk.services.errors import ValidationError

CREDENTIALS_FILE = "credentials.cfg"


def credentials_path() -> Path:
    return data_dir() / CREDENTIALS_FILE


def keyring_problem() -> str | None:
    """Why no OS keyring can be used, or None when one can."""
    try:
        os_keyring()
    except KeyringUnavailable as exc:
        return exc.reason
    return None


def needs_master_password(force_file: bool = False) -> bool:
    """True when secrets would go to (or come from) the encrypted file."""
    return force_file or keyring_problem() is not None


def master_password_is_new(path: Path | None = None) -> bool:
    """No credentials file yet: the master password about to be given creates it."""
    return not (path or credentials_path()).exists()


def open_secret_store(
    master_password: str | None = None, confirmation: str | None = None,
    force_file: bool = False, path: Path | None = None,
) -> SecretStore:
    """The keyring, or the encrypted file unlocked (or created) with ``master_password``;
    creating it needs ``confirmation`` equal to it."""
    if not needs_master_password(force_file):
        return SecretStore()
    path = path or credentials_path()
    if not master_password or master_password.isspace():
        raise ValidationError("master password", "is required to use the encrypted credentials "
                                                 f"file {path}")
    if master_password_is_new(path) and confirmation != master_password:
        raise ValidationError("master password", "the two entries differ; type the new master "
                                                 "password twice the same")
    store = SecretStore()
    store.use_encrypted_file_store(path, master_password)
    return store

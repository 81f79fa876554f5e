"""Database-wide settings stored in the database itself (so a team shares them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leaddesk.store.database import Store
from leaddesk.store.models import AppSetting

DEMO_DATABASE = "demo_database"
#: The sender identity every outgoing email carries (the Settings dialog and ``leaddesk settings``
#: write them; compliance reads the postal address into each email's footer).
SENDER_NAME = "sender.name"
SENDER_SIGNATURE = "sender.signature"
SENDER_POSTAL_ADDRESS = "sender.postal_address"
#: The region national phone numbers are read in (ISO 3166 alpha-2, e.g. "GB").
PHONE_DEFAULT_REGION = "phone.default_region"


def get(store: Store, key: str, default: Any = None) -> Any:
    with store.read() as session:
        return get_in(session, key, default)


def get_in(session: Session, key: str, default: Any = None) -> Any:
    """:func:`get` inside a session the caller already holds (one transaction, one read)."""
    row = session.get(AppSetting, key)
    return default if row is None or not row.value else row.value.get("value", default)


def put(store: Store, key: str, value: Any) -> None:
    with store.write() as session:
        put_in(session, key, value)


def put_in(session: Session, key: str, value: Any) -> None:
    """:func:`put` inside a write session the caller already holds."""
    row = session.get(AppSetting, key)
    if row is None:
        session.add(AppSetting(key=key, value={"value": value}))
    else:
        row.value = {"value": value}

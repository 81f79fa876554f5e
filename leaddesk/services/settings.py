"""Database-wide settings stored in the database itself (so a team shares them)."""

from __future__ import annotations

from typing import Any

from leaddesk.store.database import Store
from leaddesk.store.models import AppSetting

DEMO_DATABASE = "demo_database"


def get(store: Store, key: str, default: Any = None) -> Any:
    with store.read() as session:
        row = session.get(AppSetting, key)
        return default if row is None else row.value.get("value", default)


def put(store: Store, key: str, value: Any) -> None:
    with store.write() as session:
        row = session.get(AppSetting, key)
        if row is None:
            session.add(AppSetting(key=key, value={"value": value}))
        else:
            row.value = {"value": value}

"""Who is acting, against which database: passed to every service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from leaddesk.store.database import Store
from leaddesk.store.enums import Role


@dataclass(frozen=True, slots=True)
class Actor:
    id: uuid.UUID
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class ServiceContext:
    store: Store
    actor: Actor

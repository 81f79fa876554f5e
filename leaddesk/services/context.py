"""Who is acting, against which database: passed to every service.

The context's store is bound to the actor, so every session a service opens carries the actor's
scope (``leaddesk.store.scoping``) and a refused write surfaces as ``PermissionDeniedError``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from leaddesk.services.errors import PermissionDeniedError
from leaddesk.store.database import Store
from leaddesk.store.enums import Role
from leaddesk.store.scoping import ScopeViolation


@dataclass(frozen=True, slots=True)
class Actor:
    id: uuid.UUID
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class ServiceContext:
    store: Store
    actor: Actor

    def __post_init__(self) -> None:
        object.__setattr__(self, "store", self.store.as_user(self.actor.id, _denied))


def _denied(violation: ScopeViolation) -> PermissionDeniedError:
    return PermissionDeniedError(str(violation))

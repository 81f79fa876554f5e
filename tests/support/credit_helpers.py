"""Helpers the credit tests share: members of a team and a seller key pair for top-up codes."""

from __future__ import annotations

import datetime as dt

from leaddesk.services.context import Actor, ServiceContext
from leaddesk.services.credits import topup_codes
from leaddesk.services.credits.ledger import CreditService
from leaddesk.store.database import Store
from leaddesk.store.enums import Role
from leaddesk.store.models import User

_PRIVATE_PEM, PUBLIC_PEM = topup_codes.generate_keypair()
SELLER_KEY = topup_codes.private_key_from_pem(_PRIVATE_PEM)
PUBLIC_KEY = topup_codes.public_key_from_pem(PUBLIC_PEM)
PRIVATE_PEM = _PRIVATE_PEM


def add_member(store: Store, username: str, role: Role = Role.REP) -> Actor:
    with store.write() as session:
        user = User(
            name=username.title(), username=username, role=role, email=f"{username}@example.test"
        )
        session.add(user)
        session.flush()
        return Actor(user.id, user.name, role)


def credits_for(store: Store, actor: Actor) -> CreditService:
    return CreditService(ServiceContext(store, actor))


def code(grant: topup_codes.Plan | str | int, days: int = 30, **kwargs: object) -> str:
    """A code signed with the test seller key, valid for ``days`` (negative: already expired)."""
    now = dt.datetime.now(dt.UTC)
    issued = now - dt.timedelta(days=max(-days, 0) + 1)
    return topup_codes.issue_code(
        SELLER_KEY, grant, now + dt.timedelta(days=days), issued_at=issued, **kwargs
    )  # type: ignore[arg-type]

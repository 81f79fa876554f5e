"""Users. Until team login exists, a desktop install acts as one local admin user."""

from __future__ import annotations

from sqlalchemy import select

from leaddesk.services.context import Actor
from leaddesk.store.database import Store
from leaddesk.store.enums import Role
from leaddesk.store.models import User

LOCAL_USERNAME = "local"


def ensure_local_user(store: Store) -> Actor:
    """The OS account's user ("no login on this computer" mode), created on first start."""
    stmt = select(User).where(User.username == LOCAL_USERNAME)
    with store.read() as session:
        user = session.scalar(stmt)
        if user is not None:
            return Actor(user.id, user.name, user.role)
    with store.write() as session:
        user = session.scalar(stmt)
        if user is None:
            user = User(name="Local user", username=LOCAL_USERNAME, role=Role.ADMIN)
            session.add(user)
            session.flush()
        return Actor(user.id, user.name, user.role)

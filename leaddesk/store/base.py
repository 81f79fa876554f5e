"""The declarative base, naming convention and the mixins every synced row shares."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from leaddesk.store.ids import new_id
from leaddesk.store.types import JSONType, UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SoftDeleteMixin:
    """Rows are never removed at once: a marker keeps them for undo, audit and sync.

    Queries leave marked rows out centrally (see ``leaddesk.store.scoping``).
    """

    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class SyncedMixin(IdMixin, TimestampMixin, SoftDeleteMixin):
    """What every row that an offline copy may merge with a team database carries."""

"""Column helpers shared by the model modules."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Enum, ForeignKey, String, Uuid
from sqlalchemy.orm import mapped_column


def enum_type(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint, storing the values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


def text_column(length: int, *, index: bool = False) -> Any:
    """A NOT NULL text column that is '' when unknown, so keyset paging never meets NULL."""
    return mapped_column(String(length), default="", server_default="", index=index)


def owner_column(*, index: bool = True) -> Any:
    return mapped_column(Uuid(), ForeignKey("users.id"), default=None, index=index)

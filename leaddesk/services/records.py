"""Turning ORM rows into plain frozen records, one helper for every entity service."""

from __future__ import annotations

import enum
from dataclasses import fields
from typing import Any, TypeVar

R = TypeVar("R")


def to_record(record_cls: type[R], row: Any) -> R:
    """Copy the record's fields from an ORM object, enums as their string values."""
    values = {}
    for f in fields(record_cls):  # type: ignore[arg-type]
        value = getattr(row, f.name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, dict):
            value = dict(value)
        values[f.name] = value
    return record_cls(**values)

"""Errors of the store that callers catch, kept apart from the modules that raise them (which
import Alembic and SQLAlchemy) so that catching one costs nothing."""

from __future__ import annotations


class DatabaseTooNewError(RuntimeError):
    """The database was written by a newer LeadDesk."""

"""The one place that decides which rows a query may see.

Soft-deleted rows are left out of every ORM query unless the statement asks for them with
``execution_options(include_deleted=True)``. Team isolation (who may see whose rows) hooks in
here as well, so that no service ever filters by owner by hand.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from leaddesk.store.base import SoftDeleteMixin

INCLUDE_DELETED = "include_deleted"


def _not_deleted(cls: Any) -> Any:
    return cls.deleted_at.is_(None)


def _add_criteria(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return
    if state.execution_options.get(INCLUDE_DELETED, False):
        return
    state.statement = state.statement.options(
        with_loader_criteria(SoftDeleteMixin, _not_deleted, include_aliases=True)
    )


def install(factory: sessionmaker[Session]) -> None:
    if not event.contains(factory, "do_orm_execute", _add_criteria):
        event.listen(factory, "do_orm_execute", _add_criteria)

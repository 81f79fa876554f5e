"""Every session factory gets the scope hooks, however many stores came and went before it."""

from __future__ import annotations

import gc

from sqlalchemy import create_engine

from leaddesk.store import scoping
from leaddesk.store.base import Base
from leaddesk.store.database import Store


def test_every_new_store_is_hooked_even_when_old_ones_were_collected() -> None:
    # event.contains() keyed on a collected factory's reused id once skipped most new stores.
    unhooked = 0
    for _ in range(30):
        store = Store(create_engine("sqlite://"))
        for factory in (store._read, store._write):
            with factory() as session:
                hooks = list(session.dispatch.before_flush) + list(session.dispatch.do_orm_execute)
                unhooked += not (
                    scoping._before_flush in hooks and scoping._add_criteria in hooks
                )
        store.dispose()
        del store
        gc.collect()

    assert unhooked == 0


def test_every_table_is_either_scoped_or_declared_team_wide() -> None:
    assert scoping.unclassified_tables() == []


def test_owner_bearing_tables_are_scoped_by_their_owner() -> None:
    for table in Base.metadata.sorted_tables:
        if "owner_id" in table.c and table.name not in scoping.SHARED_TABLES:
            assert scoping.rule_for(table) == scoping.Owned("owner_id"), table.name

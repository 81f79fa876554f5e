"""Group commit: shared transactions for many threads, refusals apart, failures retried alone."""

from __future__ import annotations

import gc
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from leaddesk.services.credits import group_commit
from leaddesk.services.credits.group_commit import GroupCommit
from leaddesk.store import migrate
from leaddesk.store.database import Store


class Refused(Exception):
    pass


@pytest.fixture
def store(db_url: str):
    store = Store.open(db_url)
    migrate.upgrade(store.engine)
    with store.write() as session:
        session.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    yield store
    store.dispose()


def _insert(n: int, refuse: bool = False):
    def work(session):
        if refuse:
            raise Refused(n)
        session.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
        return n

    return work


def _rows(store: Store) -> list[int]:
    with store.read() as session:
        return list(session.scalars(text("SELECT n FROM t ORDER BY n")))


def test_many_threads_each_get_their_own_committed_result(store: Store) -> None:
    combiner = GroupCommit()
    barrier = threading.Barrier(8)

    def worker(k: int) -> list[int]:
        barrier.wait()
        out = []
        for i in range(50):
            n = k * 1000 + i
            if i % 7 == 0:
                with pytest.raises(Refused, match=f"^{n}$"):
                    combiner.run(store, _insert(n, refuse=True), (Refused,))
            else:
                out.append(combiner.run(store, _insert(n), (Refused,)))
        return out

    with ThreadPoolExecutor(8) as pool:
        results = [n for part in pool.map(worker, range(8)) for n in part]
    assert sorted(results) == _rows(store)
    assert len(results) == 8 * (50 - 8)


def test_an_unexpected_error_rolls_back_the_batch_and_the_others_run_alone(store: Store) -> None:
    combiner = GroupCommit()
    started, queued = threading.Event(), threading.Event()

    def gate(session):  # holds the lead until three more operations wait: they form one batch
        started.set()
        while len(combiner._queue) < 3:
            queued.wait(0.01)
        return 0

    def boom(session):
        session.execute(text("INSERT INTO t (n) VALUES (99)"))
        raise RuntimeError("not a refusal")

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(combiner.run, store, gate)
        started.wait()
        futures = [
            pool.submit(combiner.run, store, _insert(1)),
            pool.submit(combiner.run, store, boom),
            pool.submit(combiner.run, store, _insert(2)),
        ]
        assert first.result() == 0
        assert futures[0].result() == 1 and futures[2].result() == 2
        with pytest.raises(RuntimeError, match="not a refusal"):
            futures[1].result()
    assert _rows(store) == [1, 2], "the failed operation's write is gone, the others' stay"


def test_a_closed_database_leaves_no_combiner_behind(tmp_path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'gone.db'}")
    group_commit.for_store(store)
    engine_id = id(store.engine)
    store.dispose()
    del store
    gc.collect()
    assert all(id(engine) != engine_id for engine in group_commit._COMBINERS)


def test_stores_of_one_user_share_a_combiner_and_users_never_share(store: Store) -> None:
    """A database opened for several users has one store per user over one engine; a batch
    runs in its leader's scoped session, so each user has a combiner of their own."""
    user = uuid.uuid4()
    scoped = store.as_user(user)
    combiner = group_commit.for_store(scoped)
    assert combiner.run(scoped, _insert(1)) == 1
    del scoped
    gc.collect()
    again = store.as_user(user)
    assert group_commit.for_store(again) is combiner
    assert group_commit.for_store(store.as_user(uuid.uuid4())) is not combiner
    assert group_commit.for_store(store) is not combiner
    assert group_commit.for_store(again).run(again, _insert(2)) == 2
    assert _rows(store) == [1, 2]


def test_raw_operations_commit_alone_or_with_the_others(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("raw operations are for SQLite")
    combiner = GroupCommit()

    def raw(n: int):
        return lambda conn: conn.execute("INSERT INTO t (n) VALUES (?)", (n,)).rowcount

    assert combiner.run_raw(store, raw(1)) == 1
    with ThreadPoolExecutor(8) as pool:  # raw and Session operations mixed
        results = list(pool.map(
            lambda n: combiner.run_raw(store, raw(n)) if n % 2 else combiner.run(store,
                                                                                 _insert(n)),
            range(2, 42)))
    assert results == [1 if n % 2 else n for n in range(2, 42)]
    with store.read() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 41


def _raw_insert(n: int):
    """A raw operation adding ``n`` to ``t``; it returns the connection it ran on."""

    def work(conn):
        conn.execute("INSERT INTO t (n) VALUES (?)", (n,))
        return conn

    return work


def test_raw_operations_share_one_connection_given_back_when_the_database_closes(tmp_path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'raw.db'}")
    with store.write() as session:
        session.execute(text("CREATE TABLE t (n INTEGER)"))
    combiner = group_commit.for_store(store)

    first = combiner.run_raw(store, _raw_insert(1))
    assert combiner.run_raw(store, _raw_insert(2)) is first, "one kept connection, not one per call"
    assert _rows(store) == [1, 2], "each raw statement committed on its own"
    store.dispose()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        first.execute("SELECT 1")


def test_a_kept_raw_connection_is_replaced_after_its_pool_was_disposed(tmp_path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'raw.db'}")
    with store.write() as session:
        session.execute(text("CREATE TABLE t (n INTEGER)"))
    combiner = GroupCommit()  # no dispose listener: it notices the new pool itself
    first = combiner.run_raw(store, _raw_insert(1))
    store.engine.dispose()
    second = combiner.run_raw(store, _raw_insert(2))
    assert second is not first
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        first.execute("SELECT 1")
    assert _rows(store) == [1, 2]
    combiner.close_raw()
    store.dispose()

"""The throwaway PostgreSQL cluster: it starts, serves, isolates roles with RLS, and cleans up."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine, text

if TYPE_CHECKING:
    from tests.support.pgcluster import PgServer

# Loads the fixtures (tests/conftest.py may load them too). Being a plugin, the module must not be
# imported before pytest does, so the helpers below are imported inside the tests.
pytest_plugins = ["tests.support.pgcluster"]

REPO = Path(__file__).resolve().parents[2]


def test_the_fixture_serves_a_database(pg_server: PgServer, pg_url: str) -> None:
    assert pg_url.startswith("postgresql+psycopg://")

    with psycopg.connect(pg_server.conninfo()) as conn:
        conn.execute("CREATE TABLE probe (id serial PRIMARY KEY, note text NOT NULL)")
        conn.execute("INSERT INTO probe (note) VALUES (%s), (%s)", ["a", "b"])
        rows = conn.execute("SELECT note FROM probe ORDER BY id").fetchall()
        conn.execute("DROP TABLE probe")

    assert rows == [("a",), ("b",)]


def test_sqlalchemy_connects_with_the_url(pg_url: str) -> None:
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert (
                conn.execute(text("SELECT current_setting('server_encoding')")).scalar() == "UTF8"
            )
    finally:
        engine.dispose()


def test_pg_tests_are_marked(request: pytest.FixtureRequest, pg_url: str) -> None:
    assert request.node.get_closest_marker("postgres") is not None


def test_each_test_can_have_a_fresh_database(pg_server: PgServer, pg_database: str) -> None:
    name = pg_database.rsplit("/", 1)[1]

    with psycopg.connect(pg_server.conninfo(name)) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)


def test_login_roles_are_isolated_by_row_level_security(
    pg_server: PgServer, pg_database: str
) -> None:
    """What the team-server isolation tests need: LOGIN roles with passwords, and forced RLS."""
    database = pg_database.rsplit("/", 1)[1]
    suffix = secrets.token_hex(4)
    roles = {f"rep_a_{suffix}": secrets.token_hex(8), f"rep_b_{suffix}": secrets.token_hex(8)}
    with psycopg.connect(pg_server.conninfo(database), autocommit=True) as admin:
        for role, password in roles.items():
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
        admin.execute("CREATE TABLE lead (id serial PRIMARY KEY, owner name NOT NULL, name text)")
        admin.execute("ALTER TABLE lead ENABLE ROW LEVEL SECURITY")
        admin.execute("ALTER TABLE lead FORCE ROW LEVEL SECURITY")
        admin.execute("CREATE POLICY own_rows ON lead USING (owner = current_user)")
        admin.execute(
            "INSERT INTO lead (owner, name) SELECT unnest(%s::name[]), 'x'", [list(roles)]
        )
        for role in roles:
            admin.execute(
                sql.SQL("GRANT SELECT, INSERT ON lead TO {}").format(sql.Identifier(role))
            )
        flags = admin.execute(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'lead'"
        ).fetchone()
    try:
        assert flags == (True, True)
        for role, password in roles.items():
            with psycopg.connect(pg_server.conninfo(database, user=role, password=password)) as c:
                assert c.execute("SELECT owner FROM lead").fetchall() == [(role,)]
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    c.execute("INSERT INTO lead (owner) VALUES ('someone_else')")
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(pg_server.conninfo(database, user=next(iter(roles)), password="no"))
    finally:
        with psycopg.connect(pg_server.conninfo(), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database)))
            for role in roles:
                admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


# --- the cluster's life cycle (needs the binaries, whatever the fixture uses) -------------------


@pytest.fixture
def bindir() -> Path:
    from tests.support.pgcluster import SKIP_REASON, find_bindir

    found = find_bindir()
    if found is None:
        pytest.skip(SKIP_REASON)
    return found


def test_a_cluster_starts_and_stops_quickly_and_leaves_nothing(bindir: Path) -> None:
    from tests.support.pgcluster import LocalCluster

    started = time.perf_counter()
    cluster = LocalCluster(bindir)
    server = cluster.start()
    up = time.perf_counter()
    base = cluster.base
    assert base is not None
    with psycopg.connect(server.conninfo()) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)

    cluster.stop()
    cluster.stop()  # twice is fine
    done = time.perf_counter()

    assert not base.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.conninfo())
    print(f"start {up - started:.2f} s, stop {done - up:.2f} s")
    assert done - started < 30


def test_the_server_listens_on_loopback_only(pg_server: PgServer) -> None:
    if os.environ.get("LEADDESK_TEST_PG_URL"):
        pytest.skip("an external server decides for itself")
    with psycopg.connect(pg_server.conninfo()) as conn:
        listen = conn.execute("SHOW listen_addresses").fetchone()
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert superuser.fetchone() == (True,)
    assert listen == ("127.0.0.1",)


_KILLED_OWNER = """
import os, signal, sys
from pathlib import Path
from tests.support.pgcluster import LocalCluster
cluster = LocalCluster(Path(sys.argv[1]))
server = cluster.start()
print(cluster.base, server.port, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_test_process_does_not_leave_its_server_running(bindir: Path) -> None:
    owner = subprocess.run(
        [sys.executable, "-c", _KILLED_OWNER, str(bindir)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert owner.returncode == -signal.SIGKILL, owner.stderr
    base, port = owner.stdout.split()

    deadline = time.monotonic() + 20
    while Path(base).exists() and time.monotonic() < deadline:
        time.sleep(0.1)

    assert not Path(base).exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(port)), timeout=2).close()


# --- helpers without a server -------------------------------------------------------------------


def test_an_external_url_is_used_as_is_with_the_psycopg_driver() -> None:
    from tests.support.pgcluster import PgServer

    server = PgServer.from_url("postgresql://app:s%40cret@db.example:5433/crm")

    assert (server.host, server.port, server.user, server.password) == (
        "db.example",
        5433,
        "app",
        "s@cret",
    )
    assert server.url == "postgresql+psycopg://app:s%40cret@db.example:5433/crm"
    assert server.url_for("other", user="bob", password="pw") == (
        "postgresql+psycopg://bob:pw@db.example:5433/other"
    )
    assert "password=s@cret" in server.conninfo()


def test_the_binaries_can_be_pointed_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for tool in ("initdb", "pg_ctl", "postgres"):
        (tmp_path / tool).write_text("#!/bin/sh\n")
        (tmp_path / tool).chmod(0o755)
    monkeypatch.setenv("LEADDESK_PG_BINDIR", str(tmp_path))
    from tests.support.pgcluster import find_bindir

    assert find_bindir() == tmp_path

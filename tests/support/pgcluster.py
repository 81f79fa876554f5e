"""A throwaway PostgreSQL server for tests, and the pytest fixtures that hand it out.

``pg_server`` (session) starts one cluster in a temporary directory, listening on 127.0.0.1 only,
on a free port, with password (SCRAM) authentication and durability switched off for speed. It is
stopped and deleted at the end of the session; if the test process exits without tearing down it
is stopped at exit, and if it is killed outright a small guardian process notices and cleans up.

- ``LEADDESK_TEST_PG_URL`` set: use that server instead (any ``postgresql://`` URL).
- ``LEADDESK_PG_BINDIR``: where ``initdb``/``pg_ctl``/``postgres`` are, if not found by itself
  (PATH, Debian's ``/usr/lib/postgresql/<version>/bin``, ``/usr/pgsql-<version>/bin``).
- No binaries: tests using the fixtures are skipped, saying so.
- Run as root, PostgreSQL refuses to start, so the server runs as the ``postgres`` user if there is
  one, else ``nobody`` (or ``LEADDESK_TEST_PG_OSUSER``).

Tests using these fixtures get the ``postgres`` marker, so ``-m "not postgres"`` leaves them out.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL, make_url

ENV_URL = "LEADDESK_TEST_PG_URL"
ENV_BINDIR = "LEADDESK_PG_BINDIR"
ENV_OS_USER = "LEADDESK_TEST_PG_OSUSER"
TOOLS = ("initdb", "pg_ctl", "postgres")
SUPERUSER = "postgres"
DATABASE = "leaddesk_test"
PG_FIXTURES = frozenset({"pg_server", "pg_url", "pg_database"})

SKIP_REASON = (
    "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH, in "
    f"${ENV_BINDIR}, /usr/lib/postgresql/*/bin or /usr/pgsql-*/bin: run `bash .ci/postgres.sh` "
    f"or set {ENV_URL}"
)

# Speed over durability: the cluster lives for one test session.
_SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",  # TCP only: no socket file in a directory we may not own
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "log_min_messages": "warning",
}


class ClusterError(RuntimeError):
    """The binaries are there but the cluster would not start (the message has the log)."""


@dataclass(frozen=True)
class PgServer:
    """How to reach the test server. ``url`` is for SQLAlchemy, ``conninfo()`` for psycopg."""

    host: str
    port: int
    user: str
    password: str | None
    database: str

    @classmethod
    def from_url(cls, url: str) -> PgServer:
        parsed = make_url(url)
        return cls(
            host=parsed.host or "localhost",
            port=parsed.port or 5432,
            user=parsed.username or SUPERUSER,
            password=parsed.password,
            database=parsed.database or "postgres",
        )

    @property
    def url(self) -> str:
        return self.url_for()

    def url_for(
        self, database: str | None = None, *, user: str | None = None, password: str | None = None
    ) -> str:
        """A ``postgresql+psycopg://`` URL, for another database or role if given."""
        return URL.create(
            "postgresql+psycopg",
            username=user or self.user,
            password=password if user else self.password,
            host=self.host,
            port=self.port,
            database=database or self.database,
        ).render_as_string(hide_password=False)

    def conninfo(
        self, database: str | None = None, *, user: str | None = None, password: str | None = None
    ) -> str:
        """A libpq connection string, for ``psycopg.connect``."""
        params: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": user or self.user,
            "dbname": database or self.database,
            "connect_timeout": 10,
        }
        secret = password if user else self.password
        if secret is not None:
            params["password"] = secret
        return psycopg.conninfo.make_conninfo(**params)

    def create_database(self, name: str) -> str:
        """Create an empty database (needs CREATEDB) and return its URL."""
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def _admin(self, statement: sql.Composed) -> None:
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(statement)


# --- finding the binaries -----------------------------------------------------------------------


def find_bindir() -> Path | None:
    """The first directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or ``None``."""
    candidates: list[Path] = []
    if os.environ.get(ENV_BINDIR):
        candidates.append(Path(os.environ[ENV_BINDIR]))
    for tool in ("pg_ctl", "initdb"):
        found = shutil.which(tool)
        if found:
            candidates.append(Path(found).resolve().parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    candidates += sorted(Path("/usr").glob("pgsql-*/bin"), key=_version_key, reverse=True)
    for directory in candidates:
        if all(_executable(directory, tool) for tool in TOOLS):
            return directory
    return None


def _executable(directory: Path, tool: str) -> bool:
    return any(
        (directory / name).is_file() and os.access(directory / name, os.X_OK)
        for name in (tool, tool + ".exe")
    )


def _version_key(bindir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name)) or (0,)


# --- running a cluster --------------------------------------------------------------------------


@dataclass(frozen=True)
class _OsUser:
    name: str
    uid: int
    gid: int


def _unprivileged_user() -> _OsUser | None:
    """``None`` when not root; else an unprivileged account to run PostgreSQL as."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    wanted = os.environ.get(ENV_OS_USER)
    for name in [wanted] if wanted else ["postgres", "nobody"]:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if entry.pw_uid != 0:
            return _OsUser(name, entry.pw_uid, entry.pw_gid)
    raise ClusterError(
        "running as root, and PostgreSQL will not: no unprivileged user to run it as "
        f"(tried {wanted or 'postgres, nobody'}; set {ENV_OS_USER})"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Watches the test process through a pipe: EOF means it is gone (or done); then stop whatever
# server is still running from the data directory and delete the directory.
_GUARDIAN = """
import os, shutil, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
base, pidfile = sys.argv[1], sys.argv[2]
sys.stdin.buffer.read()
try:
    with open(pidfile) as f:
        pid = int(f.readline())
except (OSError, ValueError):
    pid = 0
if pid > 0:
    try:
        os.kill(pid, getattr(signal, "SIGQUIT", signal.SIGTERM))  # immediate shutdown
        for _ in range(100):
            time.sleep(0.1)
            os.kill(pid, 0)
        os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    except OSError:
        pass
shutil.rmtree(base, ignore_errors=True)
"""


class LocalCluster:
    """One PostgreSQL cluster in a temporary directory; ``start()`` once, ``stop()`` any time."""

    def __init__(self, bindir: Path, database: str = DATABASE) -> None:
        self.bindir = bindir
        self.database = database
        self.password = secrets.token_hex(16)
        self.base: Path | None = None
        self.server: PgServer | None = None
        self._os_user = _unprivileged_user()
        self._guardian: subprocess.Popen[bytes] | None = None

    @property
    def datadir(self) -> Path:
        assert self.base is not None, "not started"
        return self.base / "data"

    def start(self, attempts: int = 3) -> PgServer:
        self.base = Path(tempfile.mkdtemp(prefix="leaddesk-pg-"))
        atexit.register(self.stop)
        try:
            self._own(self.base)
            self._start_guardian()
            self._initdb()
            port = self._start_server(attempts)
            self.server = PgServer("127.0.0.1", port, SUPERUSER, self.password, self.database)
            PgServer("127.0.0.1", port, SUPERUSER, self.password, "postgres").create_database(
                self.database
            )
        except BaseException:
            self.stop()
            raise
        return self.server

    def stop(self) -> None:
        """Stop the server and delete its directory; safe to call twice, or after a failed start."""
        atexit.unregister(self.stop)
        if self.base is None:
            return
        if (self.datadir / "postmaster.pid").exists():
            result = self._run("pg_ctl", "stop", "-D", self.datadir, "-m", "fast", "-w", "-t", "30")
            if result.returncode != 0:
                self._run("pg_ctl", "stop", "-D", self.datadir, "-m", "immediate", "-w")
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = self.server = None
        if self._guardian is not None:
            assert self._guardian.stdin is not None
            self._guardian.stdin.close()
            self._guardian.wait(timeout=30)
            self._guardian = None

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _initdb(self) -> None:
        assert self.base is not None
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        self._own(pwfile)
        try:
            self._check(
                "initdb",
                "-D", self.datadir,
                "-U", SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )  # fmt: skip
        finally:
            pwfile.unlink()
        settings = "".join(f"{key} = {value}\n" for key, value in _SERVER_SETTINGS.items())
        with (self.datadir / "postgresql.conf").open("a") as conf:
            conf.write("\n# leaddesk test cluster\n" + settings)

    def _start_server(self, attempts: int) -> int:
        """Start on a free port; retry on another if something took it in the meantime."""
        assert self.base is not None
        log = self.base / "server.log"
        for attempt in range(1, attempts + 1):
            port = _free_port()
            result = self._run(
                "pg_ctl", "start", "-D", self.datadir, "-l", log, "-w", "-t", "60",
                "-o", f"-p {port}",
            )  # fmt: skip
            if result.returncode == 0:
                return port
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            if "already in use" not in tail or attempt == attempts:
                raise ClusterError(f"pg_ctl start failed:\n{result.stdout}{result.stderr}\n{tail}")
        raise AssertionError("unreachable")

    def _start_guardian(self) -> None:
        assert self.base is not None
        self._guardian = subprocess.Popen(
            [sys.executable, "-c", _GUARDIAN, str(self.base), str(self.datadir / "postmaster.pid")],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the terminal must not take it down first
        )

    def _own(self, path: Path) -> None:
        if self._os_user is not None:
            os.chown(path, self._os_user.uid, self._os_user.gid)

    def _check(self, tool: str, *args: str | Path) -> None:
        result = self._run(tool, *args)
        if result.returncode != 0:
            raise ClusterError(
                f"{tool} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def _run(self, tool: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
        assert self.base is not None
        command: Sequence[str | Path] = [self.bindir / tool, *args]
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        extra: dict[str, Any] = {}
        if self._os_user is not None:
            env.update(HOME=str(self.base), USER=self._os_user.name, LOGNAME=self._os_user.name)
            extra = {"user": self._os_user.uid, "group": self._os_user.gid, "extra_groups": []}
        return subprocess.run(
            command,
            cwd=self.base,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            start_new_session=True,  # the server must not get the terminal's Ctrl-C before we do
            **extra,
        )


# --- pytest fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The session's PostgreSQL server: ``LEADDESK_TEST_PG_URL``'s, or one started here."""
    external = os.environ.get(ENV_URL)
    if external:
        yield PgServer.from_url(external)
        return
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(SKIP_REASON)
    with LocalCluster(bindir) as server:
        yield server


@pytest.fixture(scope="session")
def pg_url(pg_server: PgServer) -> str:
    """SQLAlchemy URL (``postgresql+psycopg://``) of the session's test database."""
    return pg_server.url


@pytest.fixture
def pg_database(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database for one test (its URL); dropped afterwards."""
    name = f"leaddesk_t_{secrets.token_hex(6)}"
    url = pg_server.create_database(name)
    try:
        yield url
    finally:
        with contextlib.suppress(psycopg.Error):
            pg_server.drop_database(name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a PostgreSQL fixture, so ``-m "not postgres"`` can skip them."""
    for item in items:
        if PG_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)

"""``leaddesk import`` killed with SIGKILL while it writes a big file: the database opens with
no lead, no change set and no lock left, its worker processes are gone, and the same file then
imports in full."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leaddesk.services.app_services import AppServices
from leaddesk.services.importing.importer import PARALLEL_BYTES

ROWS = 60_000


def _big_csv(path: Path) -> Path:
    """More than ``PARALLEL_BYTES``, so the import runs its worker processes."""
    with path.open("w", encoding="utf-8") as out:
        out.write("First Name,Last Name,Email,Company,Notes\n")
        for i in range(ROWS):
            out.write(f"Lead{i},Test,lead{i}@example.org,Company {i % 97},{'n' * 120}\n")
    assert path.stat().st_size > PARALLEL_BYTES
    return path


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the worker processes in /proc")
def test_import_killed_mid_write_leaves_nothing(db_url: str, tmp_path: Path) -> None:
    AppServices.open(db_url, backup_dir=tmp_path / "b").close()
    source = _big_csv(tmp_path / "big.csv")
    wal = Path(db_url.removeprefix("sqlite:///") + "-wal")
    proc = subprocess.Popen(
        [sys.executable, "-m", "leaddesk", "--db", db_url, "import", str(source)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        # Killed once batches are being written (the write-ahead log grows) by its workers.
        while proc.poll() is None and time.monotonic() < deadline:
            workers = workers or _children(proc.pid)
            if workers and wal.exists() and wal.stat().st_size > 1_000_000:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the import ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)
    assert workers, "the big file was read by worker processes"
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "workers outlived it"

    app = AppServices.open(db_url, backup_dir=tmp_path / "b")
    try:
        assert app.leads.count() == 0
        assert app.lead_changes.recent() == []
        with app.store.read() as session:
            assert session.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        report = app.lead_import.import_file(source)
        assert report.created == ROWS and app.leads.count() == ROWS
    finally:
        app.close()

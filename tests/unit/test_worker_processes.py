"""Worker processes end with their parent, even when the parent is killed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leaddesk.worker_processes import process_pool

_KILLED_PARENT = """
import os, signal
from leaddesk.worker_processes import process_pool

if __name__ == "__main__":
    pool = process_pool(1)
    print(pool.submit(os.getpid).result(), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has ended; only its parent's reaping is left


def test_a_pool_works() -> None:
    with process_pool(1) as pool:
        assert pool.submit(sum, [1, 2, 3]).result() == 6
        assert pool.submit(os.getpid).result() != os.getpid()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_workers_exit_when_their_parent_is_killed(tmp_path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(_KILLED_PARENT)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == -9, run.stderr
    worker = int(run.stdout.strip())
    deadline = time.monotonic() + 15
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(worker), "the orphaned worker is still there"

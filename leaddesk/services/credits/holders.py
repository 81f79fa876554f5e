"""Which process holds a reservation, and whether that process is certainly gone.

Each hold records ``host|boot|pid`` of the process that reserved. After a crash the next start
can release a hold at once when its holder ran on this machine and is provably dead: the machine
rebooted since (a different boot id), or no process has that pid. Anything uncertain (another
machine, a reused pid, a platform without these facts) counts as alive, so such holds wait for
the age rule instead: a wrong "dead" would release credits an action is still using.
"""

from __future__ import annotations

import functools
import os
import socket
import sys
from pathlib import Path

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@functools.cache
def _host() -> str:
    return socket.gethostname()[:100]


@functools.cache
def _boot_id() -> str:
    try:
        return _BOOT_ID.read_text().strip()
    except OSError:
        return ""


def this_process() -> str:
    """The holder string for the calling process."""
    return f"{_host()}|{_boot_id()}|{os.getpid()}"


def is_certainly_dead(holder: str) -> bool:
    """True only when ``holder`` ran on this machine and cannot still be running."""
    try:
        host, boot, pid_text = holder.rsplit("|", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if host != _host() or not boot or not _boot_id():
        return False
    if boot != _boot_id():
        return True  # the machine rebooted since: every process of that boot is gone
    if pid == os.getpid():
        return False
    return not _pid_running(pid)


def _pid_running(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate it there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists, under another user
        return True
    return True

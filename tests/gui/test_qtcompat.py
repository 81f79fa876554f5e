"""The binding workaround: many signals emitted from Python never free ``True``."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import leaddesk.ui  # noqa: F401 - importing the package applies the workaround
from leaddesk.ui import qtcompat


class _Emitter(QObject):
    changed = Signal(int)


def test_many_emits_leave_true_alive() -> None:
    emitter = _Emitter()
    received: list[int] = []
    emitter.changed.connect(received.append)
    for i in range(50_000):
        emitter.changed.emit(i)
    assert len(received) == 50_000
    assert sys.getrefcount(True) > 50_000


def test_workaround_is_idempotent() -> None:
    before = sys.getrefcount(True)
    qtcompat.pin_bool_singletons()
    assert sys.getrefcount(True) >= before - 16  # no second top-up once applied

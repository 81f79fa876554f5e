"""The binding workaround: many calls into PySide6 never free ``None`` or ``True``."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import leaddesk.ui  # noqa: F401 - importing the package applies the workaround
from leaddesk.ui import qtcompat


class _Emitter(QObject):
    changed = Signal(int)


def test_many_emits_and_void_calls_leave_the_singletons_alive() -> None:
    emitter = _Emitter()
    received: list[int] = []
    emitter.changed.connect(received.append)
    for i in range(50_000):
        emitter.changed.emit(i)
        emitter.setObjectName("x")
    assert len(received) == 50_000
    assert sys.getrefcount(True) > 50_000
    assert sys.getrefcount(None) > 50_000


def test_workaround_is_idempotent() -> None:
    before = sys.getrefcount(None)
    qtcompat.pin_singletons()
    assert sys.getrefcount(None) <= before + 64  # no second top-up once applied

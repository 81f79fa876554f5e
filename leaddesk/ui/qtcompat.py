"""Workarounds for defects of the Qt binding, in one place, each applied only when detected.

``SignalInstance.emit()`` in PySide6 6.12.0 returns ``True`` without taking a new reference, so
every signal emitted from Python (our models, the operation relay, pyqtgraph) costs ``True`` one
reference. On Python 3.11, where ``True`` is not yet immortal, a long session (or a test run)
eventually frees it and the interpreter aborts with "bool_dealloc: deallocating True or False".
The fix: give ``True`` and ``False`` references enough for any session, which is what Python
3.12 does by making them immortal. The probe below applies it only when emit really leaks.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_PLENTY = 1 << 40  # references; a session would need as many emits to use them up


class _Probe(QObject):
    fired = Signal()


def emit_leaks_true() -> bool:
    """True when emitting a signal from Python drops a reference to ``True``."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.fired.emit()
    leaked = sys.getrefcount(True) < before
    probe.deleteLater()
    return leaked


def pin_bool_singletons() -> bool:
    """Apply the workaround when needed; returns whether it was applied. Idempotent."""
    if sys.version_info >= (3, 12) or not emit_leaks_true():
        return False
    for singleton in (True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))
        if count.value < _PLENTY:
            count.value += _PLENTY
    return True

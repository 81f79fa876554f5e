"""Workarounds for defects of the Qt binding, in one place, each applied only when detected.

PySide6 6.12.0 hands back ``None``, ``True`` and ``False`` without taking a new reference: every
void method call (``setText``, ``processEvents``...) costs ``None`` one reference, every signal
emitted from Python costs ``True`` one. The binding assumes these singletons are immortal, which
they are from Python 3.12 on. On Python 3.11 a session (or a test run) soon frees one of them and
the interpreter aborts with "none_dealloc" or "bool_dealloc". The workaround gives the three
singletons references enough for any session, which is what Python 3.12 does by making them
immortal. The probe applies it only where the leak really happens.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_PLENTY = 1 << 40  # references; a session would need as many calls to use them up
_SINGLETONS = (None, True, False)


class _Probe(QObject):
    fired = Signal()


def binding_leaks_singletons() -> bool:
    """True when calls into the binding drop references to ``None`` or ``True``."""
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(8):
        probe.fired.emit()
        probe.setObjectName("probe")
    leaked = sys.getrefcount(None) < none_before or sys.getrefcount(True) < true_before
    probe.deleteLater()
    return leaked


def pin_singletons() -> bool:
    """Apply the workaround when needed; returns whether it was applied. Idempotent."""
    if sys.version_info >= (3, 12) or not binding_leaks_singletons():
        return False
    for singleton in _SINGLETONS:
        count = ctypes.c_ssize_t.from_address(id(singleton))
        if count.value < _PLENTY:
            count.value += _PLENTY
    return True

"""Python's cyclic garbage collector, run on the GUI thread only.

Worker threads allocate a lot (SQLAlchemy rows), so automatic collection often starts there. If
the garbage it finds holds a Qt object (a parentless model, a widget wrapper in a callback
cycle), that object is destroyed on the wrong thread and Qt crashes. So automatic collection is
switched off and a GUI-thread timer collects with the interpreter's own generational thresholds
(the approach of pyqtgraph's ``GarbageCollector``). It looks often (every 100 ms): with
collection off, the youngest generation grows with everything the worker threads allocate until
the next look, and sending threads filled it so fast in half a second that collecting it took
40-60 ms, a visible stall (``benchmarks/send.py``).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GuiGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 100) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> GuiGarbageCollector:
        gc.disable()
        self._timer.start()
        return self

    def stop(self) -> None:
        """Collect once more here and give collection back to the interpreter."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        gen0, gen1, gen2 = gc.get_count()
        if gen0 > self._threshold[0]:
            gc.collect(0)
            if gen1 > self._threshold[1]:
                gc.collect(1)
                if gen2 > self._threshold[2]:
                    gc.collect(2)

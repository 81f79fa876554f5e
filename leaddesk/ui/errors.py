"""Errors the user should see: expected service refusals as a short warning, bugs as a
dialog with the details, always logged."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from leaddesk.services.errors import ServiceError

log = logging.getLogger("leaddesk.ui")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
_showing = False


def error_box(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """The dialog for ``exc``: a service's refusal reads as a warning, anything else as a bug."""
    if isinstance(exc, ServiceError):
        box = QMessageBox(QMessageBox.Icon.Warning, QApplication.translate("errors", "LeadDesk"),
                          str(exc), QMessageBox.StandardButton.Ok, parent)
        return box
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        QApplication.translate("errors", "Unexpected error"),
        QApplication.translate("errors", "Something went wrong: %1").replace(
            "%1", f"{type(exc).__name__}: {exc}"),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setInformativeText(QApplication.translate(
        "errors", "The error was written to the log. You can keep working; if something looks "
        "wrong, restart LeadDesk."))
    box.setDetailedText("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return box


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Log ``exc`` and show it, one dialog at a time (an error inside the dialog only logs)."""
    global _showing
    if isinstance(exc, ServiceError):
        log.warning("%s", exc)
    else:
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    if _showing or QApplication.instance() is None:
        return
    _showing = True
    try:
        error_box(parent, exc).exec()
    finally:
        _showing = False


def install_excepthook(parent: Callable[[], QWidget | None]) -> ExceptHook:
    """Route uncaught exceptions (including those raised in slots) to ``show_error``.

    Returns the previous hook, for ``sys.excepthook = previous`` on exit.
    """
    previous = sys.excepthook

    def hook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        show_error(parent(), exc)

    sys.excepthook = hook
    return previous

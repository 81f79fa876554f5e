"""Qt's own log messages, routed into Python logging (the ``leaddesk.qt`` logger).

The offscreen platform warns "does not support propagateSizeHints()" for every window it
shows; that is a fact of the platform, not a problem, so it is dropped.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("leaddesk.qt")
_IGNORED = ("does not support propagateSizeHints",)
_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if any(text in message for text in _IGNORED):
        return
    log.log(_LEVELS.get(kind, logging.WARNING), "%s", message)


def route_to_logging() -> None:
    qInstallMessageHandler(_handler)

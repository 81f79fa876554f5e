"""The look: Fusion, a light palette and one style sheet shipped in ``resources/themes``."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from leaddesk.config import resources_dir

ACCENT = "#2563eb"


def icon(name: str) -> QIcon:
    """An icon from ``resources/icons`` (SVG), or an empty icon when it is missing."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


@cache
def style_sheet(name: str = "light") -> str:
    path = resources_dir() / "themes" / f"{name}.qss"
    if not path.is_file():
        return ""
    icons = (resources_dir() / "icons").as_posix()
    return path.read_text(encoding="utf-8").replace("__ICONS__", icons)


def apply(app: QApplication) -> None:
    """Style the whole application (call once, after the QApplication exists)."""
    app.setStyle("Fusion")
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#f6f7f9",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f8fafc",
        QPalette.ColorRole.Text: "#111827",
        QPalette.ColorRole.WindowText: "#111827",
        QPalette.ColorRole.ButtonText: "#111827",
        QPalette.ColorRole.Button: "#ffffff",
        QPalette.ColorRole.Highlight: "#dbeafe",
        QPalette.ColorRole.HighlightedText: "#111827",
        QPalette.ColorRole.PlaceholderText: "#9ca3af",
        QPalette.ColorRole.ToolTipBase: "#111827",
        QPalette.ColorRole.ToolTipText: "#f9fafb",
        QPalette.ColorRole.Link: ACCENT,
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSizeF(9.5)
    app.setFont(font)
    app.setStyleSheet(style_sheet())

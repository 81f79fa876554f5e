"""The look: Fusion, a light or dark palette and its style sheet in ``resources/themes``.

Which one is this computer user's choice (``services.preferences.local``: light, dark, or follow
the operating system, the default); following the OS also follows it when it switches.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from leaddesk.config import resources_dir

ACCENT = "#2563eb"
LIGHT, DARK, SYSTEM = "light", "dark", "system"
_R = QPalette.ColorRole
PALETTES: dict[str, dict[QPalette.ColorRole, str]] = {
    LIGHT: {
        _R.Window: "#f6f7f9", _R.Base: "#ffffff", _R.AlternateBase: "#f8fafc",
        _R.Text: "#111827", _R.WindowText: "#111827", _R.ButtonText: "#111827",
        _R.Button: "#ffffff", _R.Highlight: "#dbeafe", _R.HighlightedText: "#111827",
        _R.PlaceholderText: "#9ca3af", _R.ToolTipBase: "#111827", _R.ToolTipText: "#f9fafb",
        _R.Link: ACCENT, _R.Mid: "#d1d5db", _R.Midlight: "#e5e7eb",
    },
    # Text on surfaces: #e5e7eb on #1b1e24 is 13:1, muted #9ca3af on it 6.6:1 (WCAG AA: 4.5).
    DARK: {
        _R.Window: "#111318", _R.Base: "#1b1e24", _R.AlternateBase: "#171a1f",
        _R.Text: "#e5e7eb", _R.WindowText: "#e5e7eb", _R.ButtonText: "#e5e7eb",
        _R.Button: "#1b1e24", _R.Highlight: "#1e40af", _R.HighlightedText: "#f9fafb",
        _R.PlaceholderText: "#6b7280", _R.ToolTipBase: "#2d323b", _R.ToolTipText: "#f9fafb",
        _R.Link: "#60a5fa", _R.Mid: "#3a404a", _R.Midlight: "#2d323b", _R.Light: "#3a404a",
        _R.Dark: "#0b0d11", _R.Shadow: "#000000", _R.BrightText: "#ffffff",
    },
}
_applied: list[str] = []


def icon(name: str) -> QIcon:
    """An icon from ``resources/icons`` (SVG), or an empty icon when it is missing."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


@cache
def style_sheet(name: str = LIGHT) -> str:
    path = resources_dir() / "themes" / f"{name}.qss"
    if not path.is_file():
        return ""
    icons = (resources_dir() / "icons").as_posix()
    return path.read_text(encoding="utf-8").replace("__ICONS__", icons)


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark


def resolve(choice: str) -> str:
    """``light`` or ``dark`` for a choice (``system`` asks the OS)."""
    if choice == SYSTEM:
        return DARK if system_is_dark() else LIGHT
    return choice if choice in PALETTES else LIGHT


def current() -> str:
    """The theme applied last (``light`` before any)."""
    return _applied[1] if _applied else LIGHT


def palette(name: str) -> QPalette:
    result = QPalette()
    for role, colour in PALETTES[name].items():
        result.setColor(role, QColor(colour))
    disabled = "#6b7280" if name == DARK else "#9ca3af"
    for role in (_R.Text, _R.WindowText, _R.ButtonText):
        result.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return result


def apply(app: QApplication, choice: str | None = None) -> str:
    """Style the whole application: ``choice`` (light, dark, system), else the user's saved
    choice. Returns the theme applied; may be called again to switch."""
    if choice is None:
        from leaddesk.services.preferences import local

        choice = local.theme()
    name = resolve(choice)
    app.setStyle("Fusion")
    app.setPalette(palette(name))
    if not _applied:
        font = QFont(app.font())
        font.setPointSizeF(9.5)
        app.setFont(font)
        hints = QGuiApplication.styleHints()
        if hints is not None:
            hints.colorSchemeChanged.connect(lambda _scheme: _follow_system(app))
    app.setStyleSheet(style_sheet(name))
    _applied[:] = [choice, name]
    return name


def _follow_system(app: QApplication) -> None:
    if _applied and _applied[0] == SYSTEM:
        apply(app, SYSTEM)

"""The themes: light, dark, follow the OS; dark text stays readable (WCAG contrast)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from leaddesk.services.preferences import local
from leaddesk.ui import theme

Role = QPalette.ColorRole


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def restore(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    qapp.setStyleSheet("")
    qapp.setPalette(theme.palette(theme.LIGHT))


def test_choices_resolve() -> None:
    assert theme.resolve("light") == "light" and theme.resolve("dark") == "dark"
    assert theme.resolve("neon") == "light"
    assert theme.resolve("system") == ("dark" if theme.system_is_dark() else "light")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_text_is_readable_on_every_surface(name: str) -> None:
    colours = theme.PALETTES[name]
    for surface in (Role.Window, Role.Base, Role.AlternateBase, Role.Button):
        assert contrast(colours[Role.Text], colours[surface]) >= 7.0  # WCAG AAA
    assert contrast(colours[Role.HighlightedText], colours[Role.Highlight]) >= 4.5
    sheet = theme.style_sheet(name)
    muted = re.search(r'QLabel\[role="muted"\] \{ color: (#[0-9a-f]{6})', sheet)
    assert muted is not None
    assert contrast(muted.group(1), colours[Role.Base]) >= 4.5  # WCAG AA


def test_the_dark_sheet_paints_no_light_surfaces() -> None:
    sheet = theme.style_sheet("dark")
    backgrounds = re.findall(r"background: (#[0-9a-f]{6})", sheet)
    light = [colour for colour in backgrounds if _luminance(colour) > 0.5]
    assert light == []


def test_apply_uses_the_saved_choice(restore: QApplication) -> None:
    local.set_theme("dark")
    assert theme.apply(restore) == "dark"
    assert restore.palette().color(Role.Base).name() == "#1b1e24"
    assert restore.styleSheet() == theme.style_sheet("dark")
    assert theme.apply(restore, "light") == "light" and theme.current() == "light"

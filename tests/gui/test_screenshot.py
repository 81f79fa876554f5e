"""``save_screenshot`` writes a PNG of the requested size with the view's data loaded."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from leaddesk.ui.main_window import VIEWS
from leaddesk.ui.screenshot import save_screenshot


@pytest.mark.parametrize("view", VIEWS)
def test_screenshot_of_each_view(qtbot, demo_app, tmp_path, view) -> None:
    out = save_screenshot(demo_app, view, tmp_path / f"{view}.png", size=(1024, 700))
    assert out.stat().st_size > 10_000
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1024, 700)


def test_screenshot_rejects_an_unknown_view(demo_app, tmp_path) -> None:
    with pytest.raises(ValueError, match="unknown view"):
        save_screenshot(demo_app, "dashboard", tmp_path / "x.png")


def test_screenshot_of_an_empty_database(qtbot, app, tmp_path) -> None:
    out = save_screenshot(app, "leads", tmp_path / "empty.png")
    assert QImage(str(out)).size().toTuple() == (1280, 800)

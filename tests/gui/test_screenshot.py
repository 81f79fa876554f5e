"""``save_screenshot`` writes a PNG of the requested size with the view's data loaded, and the
lead table paints without loading what only the other views use."""

from __future__ import annotations

import json
import subprocess
import sys

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


#: What painting the lead table does not need: the other views (the composer, the credit charts,
#: campaigns), files, sending, templates, channels, the schema tool and PostgreSQL's driver.
NOT_FOR_THE_LEAD_TABLE = (
    "leaddesk.ui.composer.view", "leaddesk.ui.credits", "leaddesk.ui.campaigns",
    "leaddesk.services.importing", "leaddesk.services.exporting", "leaddesk.sending",
    "pyqtgraph", "jinja2", "httpx", "openpyxl", "phonenumbers", "email_validator", "alembic",
    "psycopg",
)


def test_the_lead_table_paints_without_the_other_views_modules(demo_app, tmp_path) -> None:
    probe = ("import json, sys\nfrom leaddesk.cli import main\nmain(sys.argv[1:])\n"
             "print(json.dumps(sorted(sys.modules)))\n")
    url = demo_app.store.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "leads.png"
    proc = subprocess.run(
        [sys.executable, "-c", probe, "--db", url, "screenshot", "--view", "leads", "--out",
         str(out)], capture_output=True, text=True, timeout=120, check=True,
    )
    loaded = json.loads(proc.stdout.splitlines()[-1])
    assert out.stat().st_size > 10_000
    assert [m for m in loaded if m.startswith(NOT_FOR_THE_LEAD_TABLE)] == []
    assert "leaddesk.ui.leads.view" in loaded


def test_the_first_paint_imports_its_services_before_qt(demo_app, tmp_path) -> None:
    """PySide6 reads the source of every module imported after it (its ``__feature__`` hook), so
    the services the lead table uses come first (``app_services.import_before_qt``); a service
    that the first paint starts to use belongs in ``FIRST_PAINT_MODULES``."""
    probe = ("import json, sys\nfrom leaddesk.cli import main\nmain(sys.argv[1:])\n"
             "print(json.dumps(list(sys.modules)))\n")  # in import order
    url = demo_app.store.engine.url.render_as_string(hide_password=False)
    proc = subprocess.run(
        [sys.executable, "-c", probe, "--db", url, "screenshot", "--view", "leads", "--out",
         str(tmp_path / "leads.png")], capture_output=True, text=True, timeout=120, check=True,
    )
    loaded = json.loads(proc.stdout.splitlines()[-1])
    after_qt = loaded[loaded.index("PySide6.QtCore"):]
    assert "leaddesk.services.leads.service" in loaded
    assert [m for m in after_qt if m.startswith(("leaddesk.services", "leaddesk.store"))] == []

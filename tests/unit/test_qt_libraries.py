"""Qt's X11 window needs system libraries: a missing one is named with its package, in one
line, before Qt could abort with a message that names neither."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from leaddesk import qt_libraries


def test_missing_libraries_are_named_by_their_packages() -> None:
    everything = set(qt_libraries.XCB_LIBRARIES)
    assert qt_libraries.missing_packages(everything) == []
    without = everything - {"libxcb-cursor.so.0", "libxcb-keysyms.so.1"}
    assert qt_libraries.missing_packages(without) == ["libxcb-cursor0", "libxcb-keysyms1"]
    line = qt_libraries.missing_message(["libxcb-cursor0"])
    assert "\n" not in line and "sudo apt install libxcb-cursor0" in line


@pytest.mark.parametrize(("environ", "expected"), [
    ({"DISPLAY": ":0"}, sys.platform.startswith("linux")),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, sys.platform.startswith("linux")),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
    ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, False),
    ({}, False),
])
def test_only_an_x11_window_is_checked(environ: dict[str, str], expected: bool) -> None:
    assert qt_libraries.needs_xcb(environ) is expected


def test_the_libraries_this_machine_has_are_found() -> None:
    cache = qt_libraries.installed_sonames()
    if cache is None:
        pytest.skip("no ldconfig here")
    assert any(name.startswith("libc.so") for name in cache)


@pytest.mark.skipif(not sys.platform.startswith("linux") or not qt_libraries.missing_packages(),
                    reason="every library Qt's X11 window needs is installed here")
def test_leaddesk_gui_names_the_missing_package_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"} | {"DISPLAY": ":99"}
    proc = subprocess.run(
        [sys.executable, "-m", "leaddesk", "--db", f"sqlite:///{tmp_path / 'x.db'}", "gui"],
        capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "sudo apt install" in lines[0]
    for package in qt_libraries.missing_packages():
        assert package in lines[0]
    assert not (tmp_path / "x.db").exists()  # checked before anything was opened

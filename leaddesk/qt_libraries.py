"""The Linux system libraries Qt's X11 window (the ``xcb`` platform) needs, checked before the
QApplication exists: without one of them Qt aborts with "could not load the Qt platform plugin
xcb", which names neither the library nor the package. Standard library only.
"""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
from collections.abc import Collection

#: The shared library (its soname) and the Debian/Ubuntu package that ships it.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}


def needs_xcb(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether Qt will open an X11 window here: Linux, a DISPLAY, and the platform left to Qt
    or set to xcb (a Wayland session picks Wayland)."""
    if not sys.platform.startswith("linux") or not environ.get("DISPLAY"):
        return False
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0] == "xcb"
    return environ.get("XDG_SESSION_TYPE", "") != "wayland"


def installed_sonames() -> set[str] | None:
    """The sonames in the dynamic linker's cache (``ldconfig -p``); None if it cannot be read."""
    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"):
        try:
            listing = subprocess.run([ldconfig, "-p"], capture_output=True, text=True,
                                     timeout=10, check=True).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        return {line.split(" (", 1)[0].strip() for line in listing.splitlines()[1:]}
    return None


def _found(soname: str, cache: set[str] | None) -> bool:
    if cache is not None and soname in cache:
        return True
    name = soname.removeprefix("lib").split(".so", 1)[0]
    return ctypes.util.find_library(name) is not None


def missing_packages(cache: Collection[str] | None = None) -> list[str]:
    """The Debian packages of the libraries missing here, in :data:`XCB_LIBRARIES` order."""
    known = set(cache) if cache is not None else installed_sonames()
    if cache is not None:
        return [pkg for soname, pkg in XCB_LIBRARIES.items() if soname not in known]
    return [pkg for soname, pkg in XCB_LIBRARIES.items() if not _found(soname, known)]


def missing_message(packages: list[str]) -> str:
    """One line naming what to install."""
    names = ", ".join(packages)
    return (f"the window needs system libraries that are missing here ({names}): install them "
            f"with `sudo apt install {' '.join(packages)}` (Debian/Ubuntu; other systems: see "
            "the README's system libraries), or run without a window (QT_QPA_PLATFORM=offscreen)")

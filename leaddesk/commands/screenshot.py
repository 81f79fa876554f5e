"""``leaddesk screenshot``: render the main window on a view offscreen and save a PNG."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from leaddesk.commands.common import open_services
from leaddesk.heap import collection_paused, frozen_startup_objects

VIEWS = ("leads", "campaigns", "composer", "credits", "outbox")


def _size(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", value)
    if not match:
        raise argparse.ArgumentTypeError(f"{value!r} is not WIDTHxHEIGHT, e.g. 1280x800")
    return int(match.group(1)), int(match.group(2))


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--view", choices=VIEWS, required=True)
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.png")
    parser.add_argument("--size", type=_size, default=(1280, 800), metavar="WxH")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # Start-up (the window's modules, the database) makes only objects that live on: they are
    # not collected but frozen, as the app's window runs (leaddesk.heap).
    with collection_paused():
        from leaddesk.services.app_services import import_before_qt

        import_before_qt()
        from leaddesk.ui.screenshot import save_screenshot

        with open_services(args) as app, frozen_startup_objects():
            path = save_screenshot(app, args.view, args.out, args.size)
    print(path)
    return 0

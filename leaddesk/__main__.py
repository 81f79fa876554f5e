"""``python -m leaddesk``: the same as the ``leaddesk`` command."""

import sys

from leaddesk.cli import run

if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        # Worker processes of a frozen bundle start through this entry point too (only a frozen
        # bundle needs multiprocessing's hook, so the plain command does not import it).
        import multiprocessing

        multiprocessing.freeze_support()
    raise SystemExit(run())

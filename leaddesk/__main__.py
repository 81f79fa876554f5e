"""``python -m leaddesk``: the same as the ``leaddesk`` command."""

import multiprocessing

from leaddesk.cli import main

if __name__ == "__main__":
    # Worker processes of a frozen bundle start through this entry point too.
    multiprocessing.freeze_support()
    raise SystemExit(main())

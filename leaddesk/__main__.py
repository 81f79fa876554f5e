"""``python -m leaddesk``: the same as the ``leaddesk`` command."""

from leaddesk.cli import main

raise SystemExit(main())

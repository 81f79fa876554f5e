"""One module per command group; each has ``register(subparsers)``."""

from leaddesk.commands import credits, db, demo, gui, screenshot

COMMAND_MODULES = [gui, demo, credits, screenshot, db]

"""One module per command group; each has ``register(subparsers)``."""

from leaddesk.commands import (
    audit,
    changes,
    channel,
    compose,
    credits,
    db,
    demo,
    gui,
    import_export,
    outbox,
    screenshot,
    send,
    template,
    users,
)

COMMAND_MODULES = [gui, demo, credits, screenshot, db]
COMMAND_MODULES += [channel, template, compose, outbox, send]
COMMAND_MODULES += [import_export, changes]
COMMAND_MODULES += [users, audit]

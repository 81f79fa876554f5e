"""The ``leaddesk`` command line: the GUI by default, and every scripting command.

Each command lives in a module of ``leaddesk.commands`` that declares its own arguments; this
module only builds the parser, resolves the database and reports errors in one line. A command's
module is imported only when that command is named, so start-up pays for that command alone.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from leaddesk import __version__
from leaddesk.commands import COMMANDS
from leaddesk.commands.common import CommandError, add_sign_in_arguments
from leaddesk.heap import freeze_for_exit
from leaddesk.services.errors import ServiceError

EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # as a shell reports a command whose reader went away (SIGPIPE)


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments exit 2 with one line that says what is wrong."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


class Commands(argparse._SubParsersAction):
    """Sub-commands known by name and help line; a command's arguments are declared (its module
    imported) when it is named, just before its parser reads the rest of the command line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._undeclared: dict[str, str] = {}

    def add_command(self, name: str, help: str, arguments: str) -> None:
        self.add_parser(name, help=help)
        self._undeclared[name] = arguments

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        name = values[0]
        if name in self._undeclared:
            module, _, function = self._undeclared.pop(name).partition(":")
            declare = getattr(importlib.import_module(f"leaddesk.commands.{module}"), function)
            declare(self.choices[name])
        super().__call__(parser, namespace, values, option_string)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="leaddesk",
        description="LeadDesk: a fast, offline-first desktop CRM. Without a command, opens the "
        "window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $LEADDESK_DATABASE_URL, else a SQLite file in the user "
        "data folder), e.g. sqlite:///leads.db or postgresql://user@host/leaddesk",
    )
    add_sign_in_arguments(parser, top_level=True)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser,
                                action=Commands)
    for command in COMMANDS:
        sub.add_command(*command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)  # --version and --help exit here, before logging loads
    import logging

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        args = parser.parse_args([*argv, "gui"])
    try:
        return int(args.handler(args) or 0)
    except (CommandError, ServiceError) as exc:
        print(f"leaddesk: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("leaddesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_gone()
    except Exception as exc:
        fault = _database_fault(exc, args)
        if fault is None:
            raise
        print(f"leaddesk: error: {fault}", file=sys.stderr)
        return 1


def _database_fault(exc: Exception, args: argparse.Namespace) -> str | None:
    """The one line for a database that cannot be opened (corrupt, unreachable, a missing
    folder, an unsupported URL); None for anything else, which keeps its traceback."""
    from leaddesk.config import database_url
    from leaddesk.services.start_faults import describe

    fault = describe(exc, database_url(getattr(args, "db", None)))
    return None if fault is None else fault.message


def _reader_gone() -> int:
    """The reader of our output went away (``leaddesk outbox | head -1``): stop quietly; what
    is still buffered goes nowhere instead of raising again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_BROKEN_PIPE


def run(argv: Sequence[str] | None = None) -> int:
    """The ``leaddesk`` program: :func:`main`, after which the process ends, so what is left is
    hidden from the collector first (``heap.freeze_for_exit``). Tests call :func:`main`."""
    code = main(argv)
    try:
        sys.stdout.flush()  # a closed pipe shows here when the output was short
    except BrokenPipeError:
        code = _reader_gone()
    freeze_for_exit()
    return code


def main_gui() -> int:
    """The GUI entry point of installers (no console window on Windows)."""
    return run(["gui"])

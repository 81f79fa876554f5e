"""``leaddesk import FILE`` and ``leaddesk export FILE``: leads in and out of files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from leaddesk.commands.common import CommandError, open_services, whole_number
from leaddesk.commands.lead_filters import add_filter_arguments, query_from_arguments

if TYPE_CHECKING:
    from leaddesk.services.importing.importer import ImportReport

MAX_LISTED = 1000


def import_arguments(imp: argparse.ArgumentParser) -> None:
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help='column mapping as JSON ({"column": "field"}); default: guessed',
    )
    imp.add_argument(
        "--dry-run", action="store_true", help="check and count only; nothing is written"
    )
    imp.add_argument(
        "--on-duplicate",
        choices=("skip", "update", "create"),
        default="skip",
        help="what to do with a lead that is already stored or earlier in the file (default: skip)",
    )
    imp.add_argument(
        "--region",
        metavar="CC",
        help="country for phone numbers without a country code (e.g. GB); "
        "default: your setting, else the system locale",
    )
    imp.add_argument(
        "--workers",
        type=whole_number(0),
        default=None,
        metavar="N",
        help="validate big files on N worker processes (default: one per core, up to 4)",
    )
    imp.set_defaults(handler=_import)


def export_arguments(exp: argparse.ArgumentParser) -> None:
    exp.add_argument("file", type=Path, metavar="FILE")
    exp.add_argument(
        "--format",
        choices=("csv", "xlsx", "vcf"),
        help="file format (default: from the file's extension, else csv)",
    )
    add_filter_arguments(exp, with_sort=False)  # the lead table's filters, --view among them
    exp.set_defaults(handler=_export)


def print_report(report: ImportReport, file_name: str) -> None:
    print(
        f"{file_name}: {report.rows:,} rows read ({report.format}) in {report.seconds:.1f} s"
        + (" - dry run, nothing written" if report.dry_run else "")
    )
    print(f"created {report.created}")
    print(f"updated {report.updated}")
    print(f"skipped {report.skipped}")
    print(f"rejected {report.rejected_total}")
    print(f"blank {report.blank}")
    for rejected in report.rejected[:MAX_LISTED]:
        field = f" {rejected.field}" if rejected.field else ""
        print(f"  line {rejected.line}{field}: {rejected.reason}")
    if report.rejected_total > MAX_LISTED:
        print(f"  ... and {report.rejected_total - MAX_LISTED} more rejected rows")
    if report.warnings:
        print(f"imported with a value left out {len(report.warnings)}")
    for warning in report.warnings[:MAX_LISTED]:
        print(f"  line {warning.line} {warning.field}: {warning.reason}")
    if report.change_set_id and not report.dry_run:
        print(f"import batch {report.change_set_id}")


def _import(args: argparse.Namespace) -> int:
    from leaddesk.services.importing.errors import ImportFormatError
    from leaddesk.services.importing.importer import LeadImporter
    from leaddesk.services.importing.mapping import MappingError, mapping_from_json

    mapping = None
    if args.mapping is not None:
        try:
            mapping = mapping_from_json(args.mapping.read_text(encoding="utf-8"))
        except (OSError, MappingError) as exc:
            raise CommandError(f"mapping {args.mapping}: {exc}") from None
    if not args.file.is_file():
        raise CommandError(f"{args.file}: no such file")
    tty = sys.stderr.isatty()

    def progress(rows: int) -> None:
        if tty:
            print(f"\r{rows:,} rows", end="", file=sys.stderr, flush=True)

    def indexing(rows: int) -> None:
        if tty:
            print(f"\r{rows:,} rows read; indexing", end="", file=sys.stderr, flush=True)

    with open_services(args) as app:
        try:
            report = LeadImporter(app.ctx).import_file(
                args.file,
                mapping=mapping,
                dry_run=args.dry_run,
                on_duplicate=args.on_duplicate,
                region=args.region,
                progress=progress,
                indexing=indexing,
                workers=args.workers,
            )
        except ImportFormatError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if tty:
                print(file=sys.stderr)
        # Before the database closes: after a big import, closing folds its write-ahead log
        # into the file (seconds), and the import is committed already.
        print_report(report, args.file.name)
    return 0


def _export(args: argparse.Namespace) -> int:
    from leaddesk.services.exporting.exporter import export_leads

    if not args.file.parent.is_dir():
        raise CommandError(f"{args.file.parent}: no such folder")
    with open_services(args) as app:
        query, _sort = query_from_arguments(app, args)
        view = args.view if query == (app.saved_views.get(args.view).query if args.view
                                      else None) else None
        result = export_leads(app.ctx, args.file, args.format, query=query, view=view)
    print(f"exported {result.rows:,} lead{'' if result.rows == 1 else 's'} to {args.file}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    return 0

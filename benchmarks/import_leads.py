"""Import of a generated lead CSV (1,000,000 rows; --quick 20,000) against the physical floor.

The floor is the ``sqlite3`` command-line ``.import`` of the same file into a bare table (no
validation, no index); without that CLI, Python's ``sqlite3`` executemany into a bare table,
named ``python_executemany`` in the output. The import runs in its own process (``leaddesk
import``) so its peak resident memory, workers included, is its own.

A second floor is what LeadDesk's own schema costs with no Python at all: the leads the import
wrote (with their tags and undo records) copied by ``INSERT ... SELECT`` into an empty LeadDesk
database, with the same deferred indexes, the same search-index build, commit and close. The
gap between it and the ``.import`` floor is the database's own work (a dozen indexes and the
trigram search index), which no importer can avoid.

Prints: import_rows, import_file_mb, import_seconds, import_rows_per_second,
import_rows_per_second_baseline (the floor), import_rows_per_second_ratio (target >= 0.125),
import_created, import_peak_rss, import_schema_floor_seconds, import_schema_floor_rows_per_second,
import_schema_floor_ratio (the schema floor against the ``.import`` floor) and
import_to_schema_floor_ratio (the import against the schema floor).
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, parser, run_command
from sqlalchemy import event

from leaddesk.services.demo_leads import BATCH, lead_batch
from leaddesk.services.leads import search as lead_search
from leaddesk.services.leads.deferred_indexes import deferred_indexes
from leaddesk.store.database import Store

HEADER = [
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "LinkedIn URL",
    "Title",
    "Company",
    "Industry",
    "Company Size",
    "Website",
    "City",
    "Country",
    "Lead Status",
    "Tags",
    "Notes",
]
FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "linkedin_url",
    "title",
    "company",
    "industry",
    "company_size",
    "website",
    "city",
    "country",
    "status",
    "tags",
    "notes",
]


def write_csv(path: Path, rows: int) -> None:
    """A CRM-like export: national phone numbers for a third, some notes, a few duplicates."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(HEADER)
        previous = ""
        for start in range(0, rows, BATCH):
            batch = lead_batch(start, min(BATCH, rows - start), None, [], seed=11)
            for i, (values, tags) in enumerate(batch, start):
                values["status"] = values["status"].value
                values["tags"] = "; ".join(tags)
                values["notes"] = "Met at the trade fair, asked for pricing" if i % 7 == 0 else ""
                if i % 500 == 499 and previous:  # the same person again, email in upper case
                    values["email"] = previous.upper()
                previous = values["email"]
                out.writerow([values[f] for f in FIELDS])


def floor_rate(path: Path, rows: int, tmp: Path) -> tuple[str, float]:
    db = tmp / "floor.db"
    columns = ", ".join(f'"{h}" TEXT' for h in HEADER)
    with sqlite3.connect(db) as conn:
        conn.execute(f"CREATE TABLE leads ({columns})")
    conn.close()
    cli = shutil.which("sqlite3")
    if cli:
        started = time.perf_counter()
        subprocess.run([cli, str(db), ".mode csv", f".import --skip 1 {path} leads"], check=True)
        return "sqlite3_cli_import", rows / (time.perf_counter() - started)
    started = time.perf_counter()
    conn = sqlite3.connect(db)
    with path.open(encoding="utf-8", newline="") as stream, conn:
        reader = csv.reader(stream)
        next(reader)
        conn.executemany(f"INSERT INTO leads VALUES ({', '.join('?' * len(HEADER))})", reader)
    conn.close()
    return "python_executemany", rows / (time.perf_counter() - started)


def schema_floor(imported: Path, empty: Path) -> float:
    """Seconds for SQL alone to write ``imported``'s leads into the upgraded, empty ``empty``.

    The users, campaigns and change sets the leads refer to are copied first, untimed; then
    the leads, their tags and their undo records are written the way a big import writes them
    (lead indexes deferred, the search index fed in bulk) and the database is closed.
    """
    store = Store.open(f"sqlite:///{empty}")

    @event.listens_for(store.engine, "connect")
    def _attach(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("ATTACH DATABASE ? AS src", (str(imported),))

    with store.engine.begin() as conn:
        for table in ("users", "campaigns", "lead_change_sets"):
            conn.exec_driver_sql(f"INSERT OR IGNORE INTO {table} SELECT * FROM src.{table}")
    started = time.perf_counter()
    with store.bulk_write() as session:  # the import's own kind of transaction
        conn = session.connection()
        with deferred_indexes(conn, "leads"), lead_search.bulk_insert(conn):
            for table in ("leads", "lead_tags", "lead_snapshots"):
                conn.exec_driver_sql(f"INSERT INTO {table} SELECT * FROM src.{table}")
    store.dispose()
    return time.perf_counter() - started


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    rows = 20_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="leaddesk-bench-") as name:
        tmp = Path(name)
        path = tmp / "leads.csv"
        write_csv(path, rows)
        floor_name, floor = floor_rate(path, rows, tmp)
        env = {**os.environ, "LEADDESK_DATA_DIR": str(tmp / "data")}
        db = f"sqlite:///{tmp / 'bench.db'}"
        cli = [sys.executable, "-m", "leaddesk", "--db", db]
        run_command([*cli, "db", "upgrade"], env=env)
        shutil.copy(tmp / "bench.db", tmp / "floor_schema.db")  # empty, as the import found it
        run = run_command([*cli, "import", str(path), "--region", "US"], env=env)
        created = next(
            (line.split()[1] for line in run.stdout.splitlines() if line.startswith("created")),
            "?",
        )
        rate = rows / run.seconds
        emit("import_rows", rows, "rows")
        emit("import_file_mb", path.stat().st_size / 1e6, "MB")
        emit("import_seconds", run.seconds, "s")
        emit("import_rows_per_second", rate, "rows/s")
        emit(f"import_rows_per_second_baseline_{floor_name}", floor, "rows/s")
        emit("import_rows_per_second_ratio", rate / floor, "")
        emit("import_created", int(created) if created.isdigit() else 0, "rows")
        emit("import_peak_rss", run.peak_rss_mb, "MB")
        floor_seconds = schema_floor(tmp / "bench.db", tmp / "floor_schema.db")
        schema_rate = rows / floor_seconds
        emit("import_schema_floor_seconds", floor_seconds, "s")
        emit("import_schema_floor_rows_per_second", schema_rate, "rows/s")
        emit("import_schema_floor_ratio", schema_rate / floor, "")
        emit("import_to_schema_floor_ratio", rate / schema_rate, "")


if __name__ == "__main__":
    main()

"""Import of a generated lead CSV (1,000,000 rows; --quick 20,000) against the physical floor.

The floor is the ``sqlite3`` command-line ``.import`` of the same file into a bare table (no
validation, no index); without that CLI, Python's ``sqlite3`` executemany into a bare table,
named ``python_executemany`` in the output. The import runs in its own process (``leaddesk
import``) so its peak resident memory, workers included, is its own.

Prints: import_rows, import_file_mb, import_seconds, import_rows_per_second,
import_rows_per_second_baseline (the floor), import_rows_per_second_ratio (target >= 0.125),
import_created, import_peak_rss.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, parser, run_command

from leaddesk.services import demo

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
        for start in range(0, rows, demo.BATCH):
            batch = demo.lead_batch(start, min(demo.BATCH, rows - start), None, [], seed=11)
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


if __name__ == "__main__":
    main()

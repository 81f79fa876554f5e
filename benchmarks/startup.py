"""Start-up: how long ``leaddesk`` takes as a fresh process, against ``python -c pass``.

Builds a database of 100,000 demo leads once (``leaddesk demo``; --quick: 5,000), then times,
each as the median of 7 fresh processes (--quick: 3), taken in turns so that a busy machine
weighs on each alike, after one round that is not counted. Byte code is cached as in an
installed app (in a folder of the run's own, whatever ``PYTHONDONTWRITEBYTECODE`` says):

- ``startup_version_seconds``: ``leaddesk --version``;
- ``startup_help_seconds``: ``leaddesk --help``;
- ``startup_first_paint_seconds``: ``leaddesk --db ... screenshot --view leads --out ...``, the
  window painted on the lead table (first page, count, balance and the first lead's history
  loaded) and saved as a PNG (target: under 1.5 s at full size).

Each with ``_baseline``, the interpreter alone (``python -c pass``) measured in the same turns,
and ``_ratio``, the figure over that baseline. Also ``startup_first_paint_leads`` and the
screenshot's ``startup_first_paint_peak_rss``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, parser, run_command


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    leads, runs = (5_000, 3) if args.quick else (100_000, 7)
    with tempfile.TemporaryDirectory(prefix="leaddesk-bench-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        out = Path(tmp) / "leads.png"
        env = {**os.environ, "LEADDESK_DATA_DIR": str(Path(tmp) / "data"),
               "QT_QPA_PLATFORM": "offscreen", "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pyc")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        leaddesk = [sys.executable, "-m", "leaddesk"]
        run_command([*leaddesk, "--db", db, "demo", "--leads", str(leads)], env=env)
        commands = {
            "baseline": [sys.executable, "-c", "pass"],
            "version": [*leaddesk, "--version"],
            "help": [*leaddesk, "--help"],
            "first_paint": [*leaddesk, "--db", db, "screenshot", "--view", "leads",
                            "--out", str(out)],
        }
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        peak_rss = 0.0
        for turn in range(runs + 1):
            for name, command in commands.items():
                run = run_command(command, env=env)
                if turn == 0:
                    continue  # the warm-up round: byte code written, files in the page cache
                seconds[name].append(run.seconds)
                if name == "first_paint":
                    peak_rss = max(peak_rss, run.peak_rss_mb)
        if not out.is_file() or out.stat().st_size == 0:
            raise SystemExit(f"the screenshot {out} was not written")
    baseline = statistics.median(seconds.pop("baseline"))
    for name, values in seconds.items():
        figure = statistics.median(values)
        emit(f"startup_{name}_seconds", figure, "s")
        emit(f"startup_{name}_seconds_baseline", baseline, "s")
        emit(f"startup_{name}_seconds_ratio", figure / baseline, "x")
    emit("startup_first_paint_leads", leads, "rows")
    emit("startup_first_paint_peak_rss", peak_rss, "MB")


if __name__ == "__main__":
    main()

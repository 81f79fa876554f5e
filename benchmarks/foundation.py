"""Foundation targets: `leaddesk demo --leads 1000000` under 60 s, then `leaddesk screenshot
--view leads` on that database under 3 s with rows visible, resident memory under 400 MB.

Prints: demo_seconds, demo_rows_per_second, demo_peak_rss, screenshot_seconds,
screenshot_peak_rss, screenshot_bytes.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, parser, run_command


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    leads = 20_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="leaddesk-bench-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        env = {**os.environ, "LEADDESK_DATA_DIR": str(Path(tmp) / "data"),
               "QT_QPA_PLATFORM": "offscreen"}
        cli = [sys.executable, "-m", "leaddesk", "--db", db]
        demo = run_command([*cli, "demo", "--leads", str(leads)], env=env)
        emit("demo_leads", leads, "rows")
        emit("demo_seconds", demo.seconds, "s")
        emit("demo_rows_per_second", leads / demo.seconds, "rows/s")
        emit("demo_peak_rss", demo.peak_rss_mb, "MB")
        out = Path(tmp) / "leads.png"
        shot = run_command([*cli, "screenshot", "--view", "leads", "--out", str(out)], env=env)
        emit("screenshot_seconds", shot.seconds, "s")
        emit("screenshot_peak_rss", shot.peak_rss_mb, "MB")
        emit("screenshot_bytes", out.stat().st_size, "B")


if __name__ == "__main__":
    main()

"""The lead table's service calls on 1,000,000 demo leads (--quick: 20,000).

Builds the database with ``leaddesk demo`` in a child process, then measures here, as the table
model calls the services: the first page (rows painted), the row count, the position samples
that jumps use, 20 random jumps, 10 typical filters and 10 searches (first page; the count is
listed apart), a bulk status change of about 10% of the leads (100,000 at full size), and this
process's peak resident memory.

Targets: first rows < 300 ms, jump < 50 ms, filters/searches median < 100 ms and max < 300 ms,
bulk 100k < 3 s, memory < 400 MB.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, parser, peak_rss_mb, run_command

from leaddesk.services.app_services import AppServices
from leaddesk.services.leads.bulk_edit import BulkChange
from leaddesk.services.leads.query import LeadQuery, LeadSort

PAGE = 100


def ms(fn, *args, **kwargs) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, value


def spread(name: str, values: list[float]) -> None:
    emit(f"{name}_median", statistics.median(values), "ms")
    emit(f"{name}_max", max(values), "ms")


def filters(app: AppServices) -> list[LeadQuery]:
    campaign = app.campaigns.list()[0].id if hasattr(app.campaigns, "list") else None
    now = dt.datetime.now(dt.UTC)
    return [
        LeadQuery(statuses=("qualified",)),
        LeadQuery(statuses=("new", "contacted")),
        LeadQuery(score_min=80),
        LeadQuery(score_min=40, score_max=60),
        LeadQuery(tags=("hot",)),
        LeadQuery(owner_ids=(app.ctx.actor.id,)),
        LeadQuery(campaign_ids=(campaign,)) if campaign else LeadQuery(industries=("SaaS",)),
        LeadQuery(countries=("DE", "FR")),
        LeadQuery(updated_from=now - dt.timedelta(days=7)),
        LeadQuery(statuses=("replied",), countries=("US",), score_min=50),
    ]


#: Names, companies, titles and email parts of the demo vocabulary (all match), two short terms
#: (prefix match), a two-term search and one that matches nothing.
SEARCHES = [
    "berglund",
    "ferrante",
    "apex labs",
    "analytics",
    "vp sales",
    "example",
    "ada.",
    "jo",
    "li",
    "nobody-at-all",
]


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    leads = 20_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="leaddesk-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        env = {**os.environ, "LEADDESK_DATA_DIR": str(Path(tmp) / "data")}
        build = run_command(
            [sys.executable, "-m", "leaddesk", "--db", url, "demo", "--leads", str(leads)], env=env
        )
        emit("lead_table_leads", leads, "rows")
        emit("lead_table_build_seconds", build.seconds, "s")
        app = AppServices.open(url)
        try:
            measure(app, leads)
        finally:
            app.close()
        emit("lead_table_peak_rss", peak_rss_mb(), "MB")


def measure(app: AppServices, leads: int) -> None:
    sort = LeadSort()
    first, _ = ms(app.leads.page, LeadQuery(), sort, limit=PAGE)
    emit("lead_table_first_rows", first, "ms")
    count, total = ms(app.leads.count, LeadQuery())
    emit("lead_table_count", count, "ms")
    samples, _ = ms(app.leads.rows_at, LeadQuery(), sort, total // 2, limit=PAGE)
    emit("lead_table_jump_samples_build", samples, "ms")
    rng = random.Random(3)
    jumps = [
        ms(app.leads.rows_at, LeadQuery(), sort, rng.randrange(total), limit=PAGE)[0]
        for _ in range(20)
    ]
    for i, value in enumerate(jumps, 1):
        emit(f"lead_table_jump_{i:02d}", value, "ms")
    spread("lead_table_jump", jumps)
    pages, counts = [], []
    for query in filters(app):
        pages.append(ms(app.leads.page, query, sort, limit=PAGE)[0])
        counts.append(ms(app.leads.count, query)[0])
    spread("lead_table_filter", pages)
    spread("lead_table_filter_count", counts)
    pages, counts = [], []
    for text in SEARCHES:
        pages.append(ms(app.leads.page, LeadQuery(search=text), sort, limit=PAGE)[0])
        counts.append(ms(app.leads.count, LeadQuery(search=text))[0])
    spread("lead_table_search", pages)
    spread("lead_table_search_count", counts)
    target = LeadQuery(statuses=("replied",))
    preview, rows = ms(app.bulk_edit.preview, target, BulkChange({"status": "qualified"}))
    emit("lead_table_bulk_preview", preview, "ms")
    bulk, result = ms(app.bulk_edit.apply, target, BulkChange({"status": "qualified"}))
    emit("lead_table_bulk_rows", result.changed, "rows")  # type: ignore[attr-defined]
    emit("lead_table_bulk_seconds", bulk / 1000, "s")
    del rows, leads


if __name__ == "__main__":
    main()

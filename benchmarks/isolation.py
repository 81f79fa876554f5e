"""What team isolation costs the lead table: 1,000,000 leads over 20 reps (--quick: 20,000).

The lead filters and searches of ``lead_table.py`` (first page of 100 and the count), each the
median of 3 runs, in three ways:

- ``off_all``: no isolation, every lead (what an admin sees);
- ``baseline``: no isolation, the rep's own leads picked by an explicit owner filter;
- ``on``: a rep's scoped services (the central scope adds the owner condition).

``isolation_ratio`` = on / baseline over the whole set (target < 1.2): the same rows either way,
so the ratio is the price of the central hook (a per-session role lookup and the criteria).
Also the same for a manager of 3 reps. SQLite (the desktop database).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, parser
from lead_table import SEARCHES, filters
from sqlalchemy import case, literal_column, text, update

from leaddesk.services.app_services import AppServices
from leaddesk.services.context import Actor, ServiceContext
from leaddesk.services.demo_leads import insert_leads
from leaddesk.services.leads.query import LeadQuery, LeadSort
from leaddesk.services.leads.service import LeadService
from leaddesk.services.team.users import UserService
from leaddesk.store.enums import Role
from leaddesk.store.models import Lead

REPS = 20
PAGE = 100
REPEATS = 3


def build(app: AppServices, leads: int) -> tuple[list[Actor], Actor]:
    """Leads spread round-robin over 20 reps; a manager with the first 3 as reports."""
    users = UserService(app.ctx)
    manager = users.add("bench-manager", "Bench Manager", "manager")
    reps = [
        users.add(f"bench-rep-{i:02d}", f"Bench Rep {i}", "rep",
                  manager_id=manager.id if i < 3 else None)
        for i in range(REPS)
    ]
    campaigns = [app.campaigns.create({"name": f"Campaign {i}"}).id for i in range(3)]
    insert_leads(app, leads, None, campaigns, seed=11)
    # A Core bulk statement on the engine: an admin-only path outside any scoped session.
    owner = case({i: r.id for i, r in enumerate(reps)}, value=literal_column("rowid") % REPS)
    with app.store.engine.begin() as conn:
        conn.execute(update(Lead.__table__).values(owner_id=owner))
        conn.execute(text("ANALYZE"))
    return [Actor(r.id, r.name, Role.REP) for r in reps], Actor(manager.id, manager.name,
                                                                 Role.MANAGER)


def queries(app: AppServices) -> list[LeadQuery]:
    typical = [q for q in filters(app) if not q.owner_ids]
    return typical + [LeadQuery(search=s) for s in SEARCHES]


def unscoped(app: AppServices) -> LeadService:
    """The lead service with isolation off: its context's store is the bare (system) store."""
    ctx = ServiceContext(app.store, app.ctx.actor)
    object.__setattr__(ctx, "store", app.store.as_user(app.ctx.actor.id))
    object.__setattr__(ctx.store, "user_id", None)
    return LeadService(ctx)


def seconds(calls: list[Callable[[], object]]) -> float:
    """Sum over the calls of the median of REPEATS runs each."""
    total = 0.0
    for call in calls:
        runs = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            call()
            runs.append(time.perf_counter() - start)
        total += statistics.median(runs)
    return total


def workload(service: LeadService, qs: list[LeadQuery],
             owners: tuple[object, ...] = ()) -> list[Callable[[], object]]:
    sort = LeadSort()
    calls: list[Callable[[], object]] = []
    for q in qs:
        if owners:
            q = LeadQuery(**{**q.__dict__, "owner_ids": owners})
        calls.append(lambda q=q: service.page(q, sort, limit=PAGE))
        calls.append(lambda q=q: service.count(q))
    return calls


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    leads = 20_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="leaddesk-bench-") as tmp:
        app = AppServices.open(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            started = time.perf_counter()
            reps, manager = build(app, leads)
            emit("isolation_leads", leads, "rows")
            emit("isolation_reps", REPS, "users")
            emit("isolation_build_seconds", time.perf_counter() - started, "s")
            qs = queries(app)
            off = unscoped(app)
            rep = LeadService(ServiceContext(app.store, reps[0]))
            team = LeadService(ServiceContext(app.store, manager))
            assert rep.count() == off.count(LeadQuery(owner_ids=(reps[0].id,)))
            seconds(workload(rep, qs))  # warm the page cache and the statement caches
            emit("isolation_off_all", seconds(workload(off, qs)) * 1000, "ms")
            baseline = seconds(workload(off, qs, (reps[0].id,)))
            scoped = seconds(workload(rep, qs))
            emit("isolation_baseline", baseline * 1000, "ms")
            emit("isolation_on", scoped * 1000, "ms")
            emit("isolation_ratio", scoped / baseline, "x")
            mine = (manager.id, *(r.id for r in reps[:3]))
            team_baseline = seconds(workload(off, qs, mine))
            team_scoped = seconds(workload(team, qs))
            emit("isolation_manager_baseline", team_baseline * 1000, "ms")
            emit("isolation_manager_on", team_scoped * 1000, "ms")
            emit("isolation_manager_ratio", team_scoped / team_baseline, "x")
        finally:
            app.close()


if __name__ == "__main__":
    main()

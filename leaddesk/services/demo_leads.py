"""Generated demo leads: deterministic rows for a seed, written through the driver in large
batches (the ORM would need gigabytes for a million rows); on SQLite the rows are generated on
worker processes while the caller writes."""

from __future__ import annotations

import collections
import datetime as dt
import functools
import json
import operator
import os
import random
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import phonenumbers
from sqlalchemy import insert

from leaddesk.config import resources_dir
from leaddesk.services.app_services import AppServices
from leaddesk.services.leads import search as lead_search
from leaddesk.services.leads.deferred_indexes import deferred_indexes
from leaddesk.store.enums import LeadStatus
from leaddesk.store.ids import demo_ids, new_id
from leaddesk.store.models import Lead, LeadTag
from leaddesk.worker_processes import process_pool

BATCH = 10_000
_STATUS_WEIGHTS = {
    LeadStatus.NEW: 40,
    LeadStatus.CONTACTED: 25,
    LeadStatus.REPLIED: 10,
    LeadStatus.QUALIFIED: 8,
    LeadStatus.WON: 4,
    LeadStatus.LOST: 8,
    LeadStatus.UNSUBSCRIBED: 3,
    LeadStatus.BOUNCED: 2,
}
_REASONS = [
    json.dumps(r)
    for r in (
        ["title matches the ICP", "industry matches the ICP"],
        ["company size in range"],
        ["replied to a message", "title matches the ICP"],
        ["country outside target geographies"],
        [],
    )
]


class _PhoneFactory:
    """Valid mobile numbers per country, varied in their last digits (checked per prefix)."""

    def __init__(self, regions: list[str], rng: random.Random) -> None:
        self._rng = rng
        self._bases: dict[str, tuple[str, str]] = {}
        for region in regions:
            example = phonenumbers.example_number_for_type(
                region, phonenumbers.PhoneNumberType.MOBILE
            )
            national = str(example.national_number)
            self._bases[region] = (f"+{example.country_code}", national[:-4])
            for _ in range(5):  # the varied tail must stay valid for this plan
                probe = self.make(region)
                if not phonenumbers.is_valid_number(phonenumbers.parse(probe)):
                    raise RuntimeError(f"demo phone plan for {region} makes invalid numbers")

    def make(self, region: str) -> str:
        prefix, head = self._bases[region]
        return f"{prefix}{head}{self._rng.randrange(10_000):04d}"


def _slug(text: str) -> str:
    return "".join(c for c in text.lower().replace(" ", "-") if c.isalnum() or c == "-")


@functools.lru_cache(maxsize=1)
def _vocabulary() -> dict[str, Any]:
    return json.loads((resources_dir() / "demo" / "vocabulary.json").read_text("utf-8"))


def lead_batch(
    start: int,
    count: int,
    owner_id: uuid.UUID | None,
    campaign_ids: list[uuid.UUID],
    seed: int = 7,
    now: dt.datetime | None = None,
) -> list[tuple[dict[str, Any], list[str]]]:
    """Leads ``start .. start+count-1`` as ``(values, tags)``, deterministic for a seed, with
    demo keys (made in worker processes too, where the caller's ``demo_ids`` does not reach)."""
    with demo_ids():
        return _lead_batch(start, count, owner_id, campaign_ids, seed, now)


def _lead_batch(
    start: int,
    count: int,
    owner_id: uuid.UUID | None,
    campaign_ids: list[uuid.UUID],
    seed: int,
    now: dt.datetime | None,
) -> list[tuple[dict[str, Any], list[str]]]:
    vocab = _vocabulary()
    rng = random.Random(seed * 1_000_003 + start)
    now = now or dt.datetime.now(dt.UTC)
    countries = list(vocab["countries"])
    phones = _PhoneFactory(countries, rng)
    statuses = list(_STATUS_WEIGHTS)
    weights = list(_STATUS_WEIGHTS.values())
    companies = [f"{p} {s}" for p in vocab["company_prefixes"] for s in vocab["company_suffixes"]]
    domains = {c: f"{_slug(c)}.example" for c in companies}
    year = 365 * 86400
    choice, randrange, random_ = rng.choice, rng.randrange, rng.random
    out = []
    for i in range(start, start + count):
        first, last = choice(vocab["first_names"]), choice(vocab["last_names"])
        company = choice(companies)
        country = choice(countries)
        status = rng.choices(statuses, weights)[0]
        age = randrange(year)
        created = now - dt.timedelta(seconds=age, microseconds=randrange(1_000_000))
        updated = created + dt.timedelta(seconds=randrange(age + 1))
        place = vocab["countries"][country]
        has_email = random_() < 0.9
        values = {
            "id": new_id(),
            "first_name": first,
            "last_name": last,
            "email": f"{first}.{last}{i}@{domains[company]}".lower() if has_email else "",
            "phone": phones.make(country) if random_() < 0.7 else "",
            "linkedin_url": f"https://www.linkedin.com/in/{_slug(first)}-{_slug(last)}-{i}"
            if random_() < 0.6
            else "",
            "title": choice(vocab["titles"]),
            "company": company,
            "industry": choice(vocab["industries"]),
            "company_size": choice(vocab["company_sizes"]),
            "website": f"https://{domains[company]}",
            "city": choice(place["city"]),
            "country": country,
            "timezone": place["tz"],
            "status": status,
            "score": min(100, max(0, int(rng.gauss(50, 20)))),
            "score_reasons": _REASONS[i % len(_REASONS)],
            "source": choice(vocab["sources"]),
            "notes": "",
            "consent": "legitimate interest",
            "do_not_contact": status is LeadStatus.UNSUBSCRIBED,
            "enrichment": "{}",
            "campaign_id": choice(campaign_ids) if campaign_ids and random_() < 0.5 else None,
            "owner_id": owner_id,
            "last_contacted_at": updated if status is not LeadStatus.NEW else None,
            "version": 1,
            "created_at": created,
            "updated_at": updated,
            "deleted_at": None,
        }
        out.append((values, rng.sample(vocab["tags"], k=rng.choice((0, 0, 1, 1, 2)))))
    return out


def lead_rows(
    count: int,
    owner_id: uuid.UUID | None,
    campaign_ids: list[uuid.UUID],
    seed: int = 7,
    now: dt.datetime | None = None,
) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """All ``count`` generated leads, batch by batch (the same rows as the parallel path)."""
    for start in range(0, count, BATCH):
        yield from lead_batch(start, min(BATCH, count - start), owner_id, campaign_ids, seed, now)


_LEAD_COLUMNS = [c.name for c in Lead.__table__.columns]
_LEAD_SQL = (
    f"INSERT INTO leads ({', '.join(_LEAD_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _LEAD_COLUMNS)})"
)


_UUID_COLUMNS = ("id", "owner_id", "campaign_id")
_TIME_COLUMNS = ("created_at", "updated_at", "last_contacted_at", "deleted_at")
_LEAD_TUPLE = operator.itemgetter(*_LEAD_COLUMNS)


def _sqlite_batch(*args: Any) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
    """A generated batch in SQLite's storage format, as SQLAlchemy's types store it (Uuid as
    hex, DateTime as naive UTC text). Runs in a worker process."""
    leads, tags = [], []
    for values, lead_tags in lead_batch(*args):
        for column in _UUID_COLUMNS:
            if values[column] is not None:
                values[column] = values[column].hex
        for column in _TIME_COLUMNS:
            if values[column] is not None:
                values[column] = (
                    values[column]
                    .astimezone(dt.UTC)
                    .replace(tzinfo=None)
                    .isoformat(" ", "microseconds")
                )
        values["status"] = values["status"].value
        leads.append(_LEAD_TUPLE(values))
        tags.extend((values["id"], t) for t in lead_tags)
    return leads, tags


def _sqlite_batches(
    count: int, owner_id: uuid.UUID | None, campaign_ids: list[uuid.UUID], seed: int
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[str, str]]]]:
    """Generate on worker processes while the caller writes; at most a few batches ahead."""
    starts = list(range(0, count, BATCH))
    now = dt.datetime.now(dt.UTC)
    if len(starts) < 4:
        for start in starts:
            yield _sqlite_batch(start, min(BATCH, count - start), owner_id, campaign_ids, seed, now)
        return
    with process_pool(min(2, os.cpu_count() or 1)) as pool:
        pending: collections.deque[Future] = collections.deque()
        for start in starts:
            pending.append(
                pool.submit(
                    _sqlite_batch,
                    start,
                    min(BATCH, count - start),
                    owner_id,
                    campaign_ids,
                    seed,
                    now,
                )
            )
            if len(pending) > 2:  # bounded memory: a batch in hand, one per worker ahead
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _insert_sqlite(
    app: AppServices,
    count: int,
    owner_id: uuid.UUID | None,
    campaign_ids: list[uuid.UUID],
    seed: int,
    progress: Callable[[int], None] | None,
) -> int:
    """One transaction: all leads or none. Into an empty table, indexes are built once at the
    end (sorting beats a million random index inserts)."""
    with app.store.bulk_write() as session:  # index builds sort a million keys: on disk
        return _load_sqlite(session.connection(), count, owner_id, campaign_ids, seed, progress)


def _load_sqlite(
    conn: Any,
    count: int,
    owner_id: uuid.UUID | None,
    campaign_ids: list[uuid.UUID],
    seed: int,
    progress: Callable[[int], None] | None,
) -> int:
    total = 0
    empty = conn.exec_driver_sql("SELECT NOT EXISTS (SELECT 1 FROM leads)").scalar()
    with (
        deferred_indexes(conn, "leads", enabled=bool(empty)),
        lead_search.bulk_insert(conn),  # the search index in one pass at the end
    ):
        for leads, tags in _sqlite_batches(count, owner_id, campaign_ids, seed):
            conn.exec_driver_sql(_LEAD_SQL, leads)
            if tags:
                conn.exec_driver_sql("INSERT INTO lead_tags (lead_id, tag) VALUES (?, ?)", tags)
            total += len(leads)
            if progress:
                progress(total)
    return total


def _insert_core(
    app: AppServices,
    count: int,
    owner_id: uuid.UUID | None,
    campaign_ids: list[uuid.UUID],
    seed: int,
    progress: Callable[[int], None] | None,
) -> int:
    """Portable path (PostgreSQL): Core executemany batches in one transaction."""
    total = 0
    with app.store.engine.begin() as conn:
        for start in range(0, count, BATCH):
            batch = lead_batch(start, min(BATCH, count - start), owner_id, campaign_ids, seed)
            leads = []
            for values, _ in batch:
                values["score_reasons"] = json.loads(values["score_reasons"])
                values["enrichment"] = {}
                leads.append(values)
            conn.execute(insert(Lead.__table__), leads)
            tags = [{"lead_id": v["id"], "tag": t} for v, lead_tags in batch for t in lead_tags]
            if tags:
                conn.execute(insert(LeadTag.__table__), tags)
            total += len(leads)
            if progress:
                progress(total)
    return total


def insert_leads(
    app: AppServices,
    count: int,
    owner_id: uuid.UUID | None,
    campaign_ids: list[uuid.UUID],
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``count`` generated leads through the driver, atomically."""
    writer = _insert_sqlite if app.store.dialect == "sqlite" else _insert_core
    return writer(app, count, owner_id, campaign_ids, seed, progress)

"""Realistic synthetic data for a new user's first look and for benchmarks.

Leads are generated as tuples and written through the driver in large batches (the ORM would
need gigabytes for a million rows); everything else goes through the services like real work.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import json
import operator
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import phonenumbers
from sqlalchemy import exists, insert, select

from leaddesk.config import resources_dir
from leaddesk.services import settings
from leaddesk.services.app_services import AppServices
from leaddesk.services.errors import PermissionDeniedError
from leaddesk.services.leads import search as lead_search
from leaddesk.services.leads.deferred_indexes import deferred_indexes
from leaddesk.store.enums import Channel, LeadStatus, MessageState, TaskKind
from leaddesk.store.ids import new_id
from leaddesk.store.models import Activity, Lead, LeadTag, Message, Task
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
_CAMPAIGNS = [
    {
        "name": "Q1 SaaS founders",
        "goal": "Book 40 discovery calls with SaaS founders",
        "industry": "SaaS",
        "status": "active",
        "budget_credits": 800,
        "lead_source": "import",
        "icp": {
            "titles": ["Founder", "CEO", "CTO"],
            "company_sizes": ["11-50", "51-200"],
            "geographies": ["US", "GB", "DE"],
        },
    },
    {
        "name": "Agency partners EMEA",
        "goal": "Sign 10 agency partners",
        "industry": "Agencies",
        "status": "paused",
        "budget_credits": 400,
        "lead_source": "linkedin",
        "icp": {"titles": ["Managing Director", "Founder"], "geographies": ["GB", "FR", "NL"]},
    },
    {
        "name": "Logistics re-engagement",
        "goal": "Revive lost logistics deals",
        "industry": "Logistics",
        "status": "draft",
        "budget_credits": 300,
        "lead_source": "website",
        "icp": {"keywords": ["fleet", "warehouse"]},
    },
]
_TEMPLATES = [
    {
        "channel": "email",
        "name": "Intro email",
        "industry": "SaaS",
        "subject": "{{ company | default('your team') }} and faster pipeline reviews",
        "body": "Hi {{ first_name | default('there') }},\n\nI noticed {{ company | default('your "
        "team') }} is growing its sales team. We help reps work a million leads offline "
        "without waiting on a browser.\n\nWorth a 15-minute call next week?\n\n"
        "{{ sender.name | default('The LeadDesk team') }}",
    },
    {
        "channel": "email",
        "name": "Follow-up email",
        "industry": "",
        "subject": "Re: a quick question",
        "body": "Hi {{ first_name | default('there') }}, just bringing this back to the top of "
        "your inbox. Would Tuesday or Thursday suit you better?",
    },
    {
        "channel": "sms",
        "name": "Meeting reminder SMS",
        "industry": "",
        "subject": "",
        "body": "Hi {{ first_name | default('there') }}, a reminder of our call tomorrow. Reply "
        "STOP to opt out.",
    },
    {
        "channel": "linkedin",
        "name": "Connection note",
        "industry": "",
        "subject": "",
        "body": "Hi {{ first_name | default('there') }}, I enjoyed your post on "
        "{{ industry | default('your industry') }}. Happy to connect.",
    },
]


@dataclass(frozen=True)
class DemoReport:
    leads: int
    campaigns: int
    templates: int
    messages: int
    transactions: int
    seconds: float
    tasks: int = 0


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
    """Leads ``start .. start+count-1`` as ``(values, tags)``, deterministic for a seed."""
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


def _credit_history(app: AppServices, rng: random.Random, days: int = 90) -> int:
    """A professional package and a few sends a day, dated over the last ``days``."""
    credits = app.credits
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=days)
    credits.now = lambda: start
    count = 0
    try:
        credits.purchase("starter")
        credits.purchase("professional")
        count += 2
        actions = ["email"] * 6 + ["linkedin"] * 2 + ["sms", "whatsapp", "voice"]
        for day in range(days):
            for n in range(rng.randrange(1, 6)):
                moment = start + dt.timedelta(days=day, hours=9 + n, minutes=rng.randrange(60))
                credits.now = lambda m=moment: m
                action = rng.choice(actions)
                reservation = credits.reserve(credits.prices.cost(action), action, "demo", "")
                if rng.random() < 0.9:
                    credits.consume(reservation.id)
                else:
                    credits.release(reservation.id)
                count += 2
    finally:
        credits.now = lambda: dt.datetime.now(dt.UTC)
    return count


def _messages(app: AppServices, rng: random.Random, template_ids: list[uuid.UUID]) -> int:
    page = app.leads.page(limit=300).rows
    states = [
        MessageState.SENT,
        MessageState.DELIVERED,
        MessageState.REPLIED,
        MessageState.BOUNCED,
        MessageState.DRAFT,
        MessageState.QUEUED,
    ]
    now = dt.datetime.now(dt.UTC)
    rows = []
    for lead in page:
        when = now - dt.timedelta(hours=rng.randrange(1, 24 * 60))
        state = rng.choice(states)
        channel = Channel.EMAIL if lead.email else Channel.SMS
        rows.append(
            {
                "id": new_id(),
                "channel": channel,
                "lead_id": lead.id,
                "template_id": rng.choice(template_ids),
                "to_address": lead.email or lead.phone,
                "subject": f"{lead.company} and faster pipeline reviews" if lead.email else "",
                "body": f"Hi {lead.first_name}, worth a 15-minute call next week?",
                "state": state,
                "cost": 1 if channel is Channel.EMAIL else 2,
                "sent_at": when if state not in (MessageState.DRAFT, MessageState.QUEUED) else None,
                "created_at": when,
                "updated_at": when,
                "owner_id": lead.owner_id,
            }
        )
    with app.store.write() as session:
        session.execute(insert(Message), rows)
        session.execute(insert(Activity), [e for row in rows for e in _timeline(app, row)])
    return len(rows)


def _timeline(app: AppServices, message: dict[str, Any]) -> list[dict[str, Any]]:
    """The audit entries the app writes for a demo message's life, as the real paths word them
    (compose, the outbox, the status poll and the inbox)."""
    channel, to, when = message["channel"].value, message["to_address"], message["created_at"]
    state = message["state"]
    steps = [("draft", when, f"drafted {channel} message")]
    if message["sent_at"] is not None:
        steps.append(("send", when, f"sent {channel} to {to}"))
        later = {
            MessageState.DELIVERED: ("status", "delivered"),
            MessageState.REPLIED: ("reply", f"{to} replied"),
            MessageState.BOUNCED: ("bounce", "bounced: mailbox unavailable"),
        }.get(state)
        if later is not None:
            steps.append((later[0], when + dt.timedelta(hours=3), later[1]))
    return [
        {"id": new_id(), "actor_id": app.ctx.actor.id, "action": action,
         "entity_type": "message", "entity_id": str(message["id"]), "lead_id": message["lead_id"],
         "summary": summary, "changes": {}, "created_at": at}
        for action, at, summary in steps
    ]


def _tasks(app: AppServices, rng: random.Random) -> int:
    """Calls, LinkedIn steps and follow-ups on every third of the newest leads: some overdue,
    some done, most due in the coming week."""
    now = dt.datetime.now(dt.UTC)
    rows = []
    for lead in app.leads.page(limit=300).rows[::3]:
        kind = rng.choice([TaskKind.CALL, TaskKind.FOLLOW_UP] + [TaskKind.LINKEDIN] * bool(
            lead.linkedin_url))
        title = {
            TaskKind.CALL: f"Call {lead.first_name} about {lead.company or 'their pipeline'}",
            TaskKind.FOLLOW_UP: "Follow up on the pricing question",
            TaskKind.LINKEDIN: f"Connect with {lead.first_name} on LinkedIn",
        }[kind]
        due = now + dt.timedelta(hours=rng.randrange(-72, 24 * 7))
        done = due + dt.timedelta(hours=1) if due < now and rng.random() < 0.5 else None
        rows.append({
            "id": new_id(), "kind": kind, "title": title, "notes": "", "lead_id": lead.id,
            "due_at": due, "done_at": done, "owner_id": lead.owner_id,
            "created_at": now, "updated_at": now,
        })
    with app.store.write() as session:
        session.execute(insert(Task), rows)
    return len(rows)


def refuse_unless_demo_allowed(app: AppServices) -> None:
    """Raise PermissionDeniedError unless the actor is an admin and the database holds no lead
    or is a demo database already."""
    app.credits.require_admin("fill a database with demo data")
    if app.credits.is_demo_database():
        return
    with app.store.read() as session:
        if session.scalar(select(exists().where(Lead.id.is_not(None)))):
            raise PermissionDeniedError(
                "this database holds real leads: demo data goes only into an empty database "
                "(or one made by `leaddesk demo`)"
            )


def populate(
    app: AppServices,
    leads: int,
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> DemoReport:
    """Fill a database with demo data and mark it as a demo database: an admin's act, on an
    empty database or one made by ``leaddesk demo`` (its credit history would otherwise hand
    out credits on a database holding real work)."""
    refuse_unless_demo_allowed(app)
    started = time.perf_counter()
    rng = random.Random(seed)
    campaign_ids = [app.campaigns.create(c).id for c in _CAMPAIGNS]
    template_ids = [app.templates.create(t).id for t in _TEMPLATES]
    settings.put(app.store, settings.DEMO_DATABASE, True)
    written = insert_leads(app, leads, app.ctx.actor.id, campaign_ids, seed, progress)
    messages = _messages(app, rng, template_ids) if written else 0
    tasks = _tasks(app, rng) if written else 0
    transactions = _credit_history(app, rng)
    return DemoReport(
        leads=written,
        campaigns=len(campaign_ids),
        templates=len(template_ids),
        messages=messages,
        tasks=tasks,
        transactions=transactions,
        seconds=time.perf_counter() - started,
    )

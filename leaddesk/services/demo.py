"""Realistic synthetic data for a new user's first look and for benchmarks.

Leads are generated as tuples and written through the driver in large batches (``demo_leads``);
everything else (campaigns, templates, messages, tasks, credit history) goes through the services
like real work, or as rows worded the way the real paths word them. Every key the demo makes is
a demo key (``store.ids.demo_ids``), so ``demo_rows.remove`` finds them all again; a second run
adds leads and history but reuses the campaigns and templates still present.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, insert, select

from leaddesk.services import demo_rows, settings
from leaddesk.services.app_services import AppServices
from leaddesk.services.demo_leads import insert_leads
from leaddesk.services.errors import PermissionDeniedError
from leaddesk.store.enums import Channel, MessageState, TaskKind
from leaddesk.store.ids import demo_ids, new_id
from leaddesk.store.models import Activity, Lead, Message, Task

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
    """Raise PermissionDeniedError unless the actor is an admin and the database holds no real
    lead (demo leads from an earlier run are fine)."""
    app.credits.require_admin("fill a database with demo data")
    with app.store.read() as session:
        if session.scalar(select(exists().where(demo_rows.is_real_key(Lead.id)))):
            raise PermissionDeniedError(
                "this database holds real leads: demo data goes only into an empty database "
                "(or one holding only demo data)"
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
    with demo_ids():
        return _populate(app, leads, seed, progress)


def _populate(
    app: AppServices, leads: int, seed: int, progress: Callable[[int], None] | None
) -> DemoReport:
    started = time.perf_counter()
    rng = random.Random(seed)
    with app.store.read() as session:
        campaigns, templates = demo_rows.demo_campaigns(session), demo_rows.demo_templates(session)
    campaign_ids = [campaigns.get(c["name"]) or app.campaigns.create(c).id for c in _CAMPAIGNS]
    template_ids = [templates.get(t["name"]) or app.templates.create(t).id for t in _TEMPLATES]
    settings.put(app.store, settings.DEMO_DATABASE, True)
    written = insert_leads(app, leads, app.ctx.actor.id, campaign_ids, seed, progress)
    messages = _messages(app, rng, template_ids) if written else 0
    tasks = _tasks(app, rng) if written else 0
    transactions = _credit_history(app, rng)
    return DemoReport(
        leads=written,
        campaigns=len(set(campaign_ids) - set(campaigns.values())),
        templates=len(set(template_ids) - set(templates.values())),
        messages=messages,
        tasks=tasks,
        transactions=transactions,
        seconds=time.perf_counter() - started,
    )

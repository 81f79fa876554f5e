"""The price list as data: what each action costs and what each package holds.

``resources/pricing.json`` is the default; the database keeps every version an admin published
(``price_list_versions``), the highest being current. A database without one is seeded from the
file on first use. Reservations record the version they were priced with. A running service
keeps the current list in :class:`CurrentPrices` and reads it again now and then.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from leaddesk.config import resources_dir
from leaddesk.services import activity
from leaddesk.services.context import Actor
from leaddesk.services.errors import PermissionDeniedError, ValidationError
from leaddesk.store.database import Store
from leaddesk.store.enums import Role
from leaddesk.store.models.credit import PriceListVersion
from leaddesk.store.types import utcnow

MAX_ACTION_COST = 1_000_000
#: Seconds a running service trusts the price list it read (an admin may publish a new version
#: from another computer).
PRICES_TTL = 60.0


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    label: str
    credits: int | None  # None: unlimited (Enterprise)

    @property
    def unlimited(self) -> bool:
        return self.credits is None


@dataclass(frozen=True)
class PriceList:
    version: int
    actions: dict[str, int]
    labels: dict[str, str]
    packages: dict[str, Package]

    def cost(self, action: str, quantity: int = 1) -> int:
        try:
            return self.actions[action] * quantity
        except KeyError:
            raise ValidationError("action", f"{action!r} has no price") from None

    def package(self, name: str) -> Package:
        try:
            return self.packages[name.lower()]
        except KeyError:
            known = ", ".join(self.packages)
            raise ValidationError("package", f"{name!r} is not one of {known}") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "currency": "credits",
            "actions": {
                k: {"label": self.labels.get(k, k), "credits": v} for k, v in self.actions.items()
            },
            "packages": {
                k: {"label": p.label, "credits": p.credits} for k, p in self.packages.items()
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> PriceList:
        return cls(
            version=int(data["version"]),
            actions={k: int(v["credits"]) for k, v in data["actions"].items()},
            labels={k: str(v["label"]) for k, v in data["actions"].items()},
            packages={
                k: Package(k, str(v["label"]), None if v["credits"] is None else int(v["credits"]))
                for k, v in data["packages"].items()
            },
        )

    @classmethod
    def load(cls, path: Path | None = None) -> PriceList:
        """The default price list shipped with the app."""
        path = path or resources_dir() / "pricing.json"
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def current(store: Store) -> PriceList:
    """The newest published price list; the shipped default on a database without one."""
    stmt = select(PriceListVersion).order_by(PriceListVersion.version.desc()).limit(1)
    with store.read() as session:
        row = session.scalar(stmt)
        if row is not None:
            return PriceList.from_dict({**row.data, "version": row.version})
    default = PriceList.load()
    try:
        with store.write() as session:
            if session.scalar(stmt) is None:
                session.add(
                    PriceListVersion(
                        version=default.version, data=default.to_dict(), note="shipped default"
                    )
                )
    except IntegrityError:  # another process seeded it first
        pass
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":
            raise
        return default  # a member of a team database: an admin's first use will seed it
    return current(store)


def versions(store: Store) -> list[tuple[int, str, Any]]:
    """``(version, note, created_at)`` of every published version, newest first."""
    stmt = select(PriceListVersion.version, PriceListVersion.note, PriceListVersion.created_at)
    with store.read() as session:
        return [tuple(r) for r in session.execute(stmt.order_by(PriceListVersion.version.desc()))]


def publish(store: Store, actor: Actor, costs: dict[str, int], note: str = "") -> PriceList:
    """Admin: publish a new version with the given action costs changed (others kept)."""
    if actor.role is not Role.ADMIN:
        raise PermissionDeniedError("only an admin can change the price list")
    base = current(store)
    for action, credits in costs.items():
        if action not in base.actions:
            raise ValidationError("action", f"{action!r} has no price to change")
        if isinstance(credits, bool) or not isinstance(credits, int):
            raise ValidationError(action, f"{credits!r} is not a whole number of credits")
        if not 0 <= credits <= MAX_ACTION_COST:
            raise ValidationError(action, f"{credits} must be between 0 and {MAX_ACTION_COST}")
    changed_meanwhile = ValidationError("prices", "the price list changed meanwhile; try again")
    try:
        with store.write() as session:
            latest = session.scalar(select(func.max(PriceListVersion.version))) or 0
            if latest != base.version:
                raise changed_meanwhile
            new = PriceList(latest + 1, {**base.actions, **costs}, base.labels, base.packages)
            session.add(
                PriceListVersion(
                    version=new.version,
                    data=new.to_dict(),
                    note=note[:500],
                    created_by=actor.id,
                    created_at=utcnow(),
                )
            )
            changed = {k: [base.actions[k], v] for k, v in costs.items() if base.actions[k] != v}
            activity.record(
                session,
                actor.id,
                "publish",
                "price_list",
                new.version,
                summary=f"price list version {new.version}",
                changes=changed,
            )
    except IntegrityError:  # another admin published the same version number first
        raise changed_meanwhile from None
    return new


class CurrentPrices:
    """The current price list of a store, read again when older than :data:`PRICES_TTL`."""

    def __init__(self, store: Store, prices: PriceList | None = None) -> None:
        self._store = store
        self._prices = prices
        self._read_at = time.monotonic()

    def get(self) -> PriceList:
        now = time.monotonic()
        if self._prices is None or now - self._read_at > PRICES_TTL:
            self._prices = current(self._store)
            self._read_at = now
        return self._prices

    def reload(self) -> PriceList:
        self._prices = None
        return self.get()

    def publish(self, actor: Actor, costs: dict[str, int], note: str = "") -> PriceList:
        """Publish a new version (see :func:`publish`) and use it from now on."""
        self._prices = publish(self._store, actor, costs, note)
        self._read_at = time.monotonic()
        return self._prices

"""A lead's campaign and owner as names in files: exported by name, imported back to ids.

Exports write the campaign's name and the owner's username (``ReferenceNames``). An import
reads them back through a ``ReferenceTable``: every campaign and user the importing user may
assign, keyed by their names, loaded once before the rows are read. The table is plain data
(picklable), so rows resolve on the importer's worker processes as well (``resolve``). A name
that matches nothing the importer may use is reported and the lead imported without it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.services.leads.fields import REFERENCE_FIELDS
from leaddesk.services.validation import limit_text
from leaddesk.store.models import Campaign, User
from leaddesk.store.scoping import load_scope

#: A name that matches more than one record.
AMBIGUOUS = "ambiguous"
_NAME_LIMITS = {"campaign": 200, "owner": 320}


def name_key(text: str) -> str:
    """Names compare without case and surrounding spaces."""
    return text.strip().casefold()


class ReferenceIssue(NamedTuple):
    """A name in a row that did not resolve; the lead is imported without it."""

    field: str
    message: str


@dataclass(frozen=True, eq=False)
class ReferenceTable:
    """Names the importing user may assign: ``name_key`` -> id, or ``AMBIGUOUS``."""

    campaigns: Mapping[str, uuid.UUID | str] = field(default_factory=dict)
    #: usernames and emails of the users the importer may make owners
    owners: Mapping[str, uuid.UUID | str] = field(default_factory=dict)
    #: usernames and emails of users outside the importer's team (named in the report)
    other_users: frozenset[str] = frozenset()


def _add(table: dict[str, uuid.UUID | str], name: str, ident: uuid.UUID) -> None:
    key = name_key(name)
    if key:
        table[key] = ident if table.get(key, ident) == ident else AMBIGUOUS


def load_reference_table(session: Session) -> ReferenceTable:
    """The campaigns the session's user sees and the users they may assign leads to.

    An admin (or a system session) may assign any user; a manager themself and their reports;
    a rep only themself. Deactivated users still own leads, so they resolve too.
    """
    campaigns: dict[str, uuid.UUID | str] = {}
    for ident, name in session.execute(select(Campaign.id, Campaign.name)):
        _add(campaigns, name, ident)
    scope = load_scope(session)
    owners: dict[str, uuid.UUID | str] = {}
    others: set[str] = set()
    for ident, username, email in session.execute(select(User.id, User.username, User.email)):
        if scope is None or scope.sees_all or ident in scope.user_ids:
            _add(owners, username, ident)
            _add(owners, email, ident)
        else:
            others.update(k for k in (name_key(username), name_key(email)) if k)
    return ReferenceTable(campaigns, owners, frozenset(others - set(owners)))


def take_references(values: MutableMapping[str, Any]) -> dict[str, str]:
    """Remove the reference fields (campaign, owner) from mapped ``values``; returns them."""
    return {name: str(values.pop(name)) for name in REFERENCE_FIELDS if name in values}


def resolve(values: MutableMapping[str, Any], table: ReferenceTable) -> list[ReferenceIssue]:
    """Replace ``campaign``/``owner`` names in mapped ``values`` by ``campaign_id``/``owner_id``.

    Blank names are dropped. A name that does not resolve is dropped with an issue saying why
    (the lead then has no campaign, and the importer as its owner).
    """
    issues: list[ReferenceIssue] = []
    for name, text in take_references(values).items():
        text = limit_text(text, name, _NAME_LIMITS[name])
        if not text:
            continue
        found = (table.campaigns if name == "campaign" else table.owners).get(name_key(text))
        if isinstance(found, uuid.UUID):
            values[REFERENCE_FIELDS[name]] = found
        else:
            issues.append(ReferenceIssue(name, _problem(name, text, found, table)))
    return issues


def _problem(name: str, text: str, found: uuid.UUID | str | None, table: ReferenceTable) -> str:
    if name == "campaign":
        if found == AMBIGUOUS:
            return f"several campaigns are named {text!r}; the lead was put in none"
        return f"no campaign is named {text!r}; the lead was put in none"
    if found == AMBIGUOUS:
        return f"{text!r} names several users; the lead is yours"
    if name_key(text) in table.other_users:
        return f"user {text!r} is outside your team; the lead is yours"
    return f"no user {text!r}; the lead is yours"


class ReferenceNames:
    """Campaign names and owner usernames by id, for exports (looked up once per id)."""

    def __init__(self) -> None:
        self._campaigns: dict[uuid.UUID, str] = {}
        self._owners: dict[uuid.UUID, str] = {}

    def load(self, session: Session, campaign_ids: Iterable[Any], owner_ids: Iterable[Any]) -> None:
        """Look up the ids not seen yet."""
        wanted = {i for i in campaign_ids if i is not None} - set(self._campaigns)
        if wanted:
            stmt = select(Campaign.id, Campaign.name).where(Campaign.id.in_(wanted))
            rows = session.execute(stmt.execution_options(include_deleted=True))
            self._campaigns.update({ident: name for ident, name in rows})
        wanted = {i for i in owner_ids if i is not None} - set(self._owners)
        if wanted:
            stmt = select(User.id, User.username).where(User.id.in_(wanted))
            rows = session.execute(stmt.execution_options(include_deleted=True))
            self._owners.update({ident: name for ident, name in rows})

    def add_names(self, row: dict[str, Any]) -> dict[str, Any]:
        """Give an export row (with ``campaign_id``/``owner_id``) its ``campaign``/``owner``."""
        row["campaign"] = self._campaigns.get(row.get("campaign_id"), "")  # type: ignore[arg-type]
        row["owner"] = self._owners.get(row.get("owner_id"), "")  # type: ignore[arg-type]
        return row

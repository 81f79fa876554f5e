"""Duplicate leads: a scan of the whole database, checks on create and edit, and undoable merges.

The scan groups leads by each rule's normalised key in SQL (the key indexes make the email,
phone and LinkedIn groups an index walk). A merge keeps one lead with the chosen field values
and soft-deletes the other, moving everything the other had onto the kept lead: its messages
and tasks, its tags and its campaign; the kept lead's timeline takes in the other's history
(``lead_links``). It is a change set (``lead_changes``) recording what moved, so undoing it puts
every row back on its own lead; the audit log keeps both leads' entries.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.leads import changes as lead_changes
from leaddesk.services.leads import links as lead_links
from leaddesk.services.leads.duplicate_keys import (
    DuplicateRules,
    check,
    load_rules,
)
from leaddesk.services.leads.lead_input import EDITABLE_FIELDS
from leaddesk.services.leads.service import LeadRecord, LeadService
from leaddesk.store.models import Lead, LeadTag
from leaddesk.store.types import utcnow

#: Fields a merge can take from either lead (tags are always combined).
MERGE_FIELDS = tuple(sorted(EDITABLE_FIELDS - {"tags", "owner_id", "campaign_id"}))
#: Links a merge can also take from either lead: the campaign (a lead is in at most one).
MERGE_LINKS = ("campaign_id",)


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Leads sharing a key: ``rule`` (or ``"all"``) and the key, oldest lead first."""

    rule: str
    key: str
    lead_ids: tuple[uuid.UUID, ...]


def _key_expr(rule: str, dialect: str) -> tuple[Any, ColumnElement[bool]]:
    """The SQL form of a rule's key and the condition that it is not empty.

    On SQLite a NOCASE column (what the partial key index holds), elsewhere ``lower()``;
    ``dialect=""`` gives ``lower()`` everywhere (for keys joined together).
    """
    if rule == "name_company":
        name = func.lower(func.trim(Lead.first_name + " " + Lead.last_name))
        key = name + "|" + func.lower(Lead.company)
        return key, and_(Lead.company != "", func.trim(Lead.first_name + Lead.last_name) != "")
    column = getattr(Lead, rule)
    if rule == "phone":
        return column, column != ""
    key = column.collate("NOCASE") if dialect == "sqlite" else func.lower(column)
    return key, column != ""


class DuplicateService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @property
    def rules(self) -> DuplicateRules:
        return load_rules(self._ctx.store)

    def find_duplicates(
        self, rules: DuplicateRules | None = None, limit: int | None = None
    ) -> list[DuplicateGroup]:
        """Groups of visible leads sharing a key, over the whole database."""
        rules = rules or self.rules
        dialect = self._ctx.store.dialect
        joined = rules.mode == "all" and len(rules.fields) > 1
        exprs = [_key_expr(rule, "" if joined else dialect) for rule in rules.fields]
        if rules.mode == "all":
            parts = [("all", [e for e, _ in exprs], and_(*(c for _, c in exprs)))]
        else:
            parts = [(rule, [e], c) for rule, (e, c) in zip(rules.fields, exprs, strict=True)]
        groups: list[DuplicateGroup] = []
        with self._ctx.store.read() as session:
            for rule, keys, nonempty in parts:
                key = keys[0]
                for k in keys[1:]:
                    key = key.concat("\x1f").concat(k)
                dup_keys = (
                    select(key.label("k")).where(nonempty).group_by(key).having(func.count() > 1)
                )
                if limit is not None:
                    dup_keys = dup_keys.limit(limit)
                stmt = (
                    select(key.label("k"), Lead.id)
                    .where(nonempty, key.in_(dup_keys.scalar_subquery()))
                    .order_by(key, Lead.created_at, Lead.id)
                )
                current: DuplicateGroup | None = None
                for k, lead_id in session.execute(stmt):
                    text = str(k).lower() if rule != "phone" else str(k)
                    if current is not None and current.key == text:
                        current = DuplicateGroup(rule, text, (*current.lead_ids, lead_id))
                        groups[-1] = current
                    else:
                        current = DuplicateGroup(rule, text, (lead_id,))
                        groups.append(current)
        return groups

    def check(self, values: Mapping[str, Any], exclude: uuid.UUID | None = None) -> None:
        """Raise ``DuplicateLeadError`` if cleaned ``values`` match a stored lead."""
        with self._ctx.store.read() as session:
            check(session, values, self.rules, exclude)

    def merge(
        self,
        keep_id: uuid.UUID,
        other_id: uuid.UUID,
        field_choices: Mapping[str, str] | None = None,
    ) -> tuple[LeadRecord, uuid.UUID]:
        """Merge ``other`` into ``keep``; returns the kept lead and the change set id.

        ``field_choices`` maps a field (or ``campaign_id``) to ``"keep"`` or ``"other"``;
        unnamed fields keep the kept lead's value unless it is empty. Tags are combined.
        ``other``'s messages, tasks, timeline entries and tags move to ``keep``, and ``other``
        is soft-deleted, all in one transaction.
        """
        choices = dict(field_choices or {})
        for name, side in choices.items():
            if name not in MERGE_FIELDS and name not in MERGE_LINKS:
                raise ValidationError(name, "cannot be chosen in a merge")
            if side not in ("keep", "other"):
                raise ValidationError(name, f"choose 'keep' or 'other', not {side!r}")
        if keep_id == other_id:
            raise ValidationError("other", "a lead cannot be merged into itself")
        actor = self._ctx.actor.id
        with self._ctx.store.write() as session:
            keep, other = session.get(Lead, keep_id), session.get(Lead, other_id)
            if keep is None:
                raise NotFoundError("lead", keep_id)
            if other is None:
                raise NotFoundError("lead", other_id)
            changes: dict[str, Any] = {}
            for name in (*MERGE_FIELDS, *MERGE_LINKS):
                mine, theirs = getattr(keep, name), getattr(other, name)
                side = choices.get(name, "keep" if mine not in ("", None) else "other")
                if side == "other" and theirs != mine and theirs not in ("", None):
                    changes[name] = theirs
            keep_tags = sorted(t.tag for t in keep.tags)
            other_tags = sorted(t.tag for t in other.tags)
            all_tags = sorted({*keep_tags, *other_tags})
            change_set = lead_changes.start(
                session,
                actor,
                "merge",
                f"merged {other.full_name or other.email} into {keep.full_name or keep.email}",
            )
            before = {name: getattr(keep, name) for name in changes}
            before["version"] = keep.version
            if all_tags != keep_tags:
                before["tags"] = keep_tags
                keep.tags = [LeadTag(tag=t) for t in all_tags]
            for name, value in changes.items():
                setattr(keep, name, value)
            keep.version += 1
            keep.updated_at = utcnow()
            other_before: dict[str, Any] = {"deleted_at": None, "version": other.version}
            if other_tags:
                other_before["tags"] = other_tags
                other.tags = []
            if other.campaign_id is not None:
                other_before["campaign_id"] = other.campaign_id
                other.campaign_id = None
            other.deleted_at = utcnow()
            other.version += 1
            session.flush()
            moved = lead_links.move_all(session, other.id, keep.id)
            lead_changes.add_snapshots(
                session.connection(),
                change_set.id,
                [
                    (keep.id, lead_changes.snapshot_json(before)),
                    (other.id, lead_changes.snapshot_json(other_before)),
                ],
            )
            change_set.details = {
                "keep_id": str(keep.id),
                "other_id": str(other.id),
                "fields": sorted(changes),
                "choices": choices,
                "moved": moved,
            }
            diff: dict[str, Any] = activity.diff(
                before, {**changes, "tags": all_tags} if "tags" in before else changes
            )
            diff["moved"] = lead_links.counts(moved)
            diff[activity.MERGED_LEAD] = str(other.id)
            activity.record(
                session,
                actor,
                activity.MERGE_ACTION,
                "lead",
                keep.id,
                lead_id=keep.id,
                summary=change_set.summary,
                changes=diff,
            )
            activity.record(
                session,
                actor,
                "merged_into",
                "lead",
                other.id,
                lead_id=other.id,
                summary=f"merged into lead {keep.id}",
                changes={"kept": str(keep.id)},
            )
            kept = LeadService(self._ctx)._get(session, keep.id)
            return kept, change_set.id

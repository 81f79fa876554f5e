"""Message templates: create, edit, list, delete (rendering lives in ``templating``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from leaddesk.services import entity_edits
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import ValidationError
from leaddesk.services.messaging.templating.checks import validate
from leaddesk.services.messaging.whatsapp_content import (
    check_content,
    clean_content_sid,
    clean_content_variables,
)
from leaddesk.services.records import to_record
from leaddesk.services.validation import limit_text, parse_choice, require_text
from leaddesk.store.enums import Channel
from leaddesk.store.models import MessageTemplate


@dataclass(frozen=True, slots=True)
class TemplateRecord:
    id: uuid.UUID
    channel: str
    name: str
    subject: str
    body: str
    industry: str
    variant_label: str
    content_sid: str
    content_variables: dict[str, str]
    created_at: dt.datetime
    updated_at: dt.datetime


_EDITABLE = {"channel", "name", "subject", "body", "industry", "variant_label", "content_sid",
             "content_variables"}


def _check_syntax(field: str, source: str) -> None:
    """Refuse a template the editor would flag: syntax, unknown variables, unsafe access."""
    problems = validate(source, part=field)
    if problems:
        raise ValidationError(field, str(problems[0]))


def _clean(data: Mapping[str, Any], creating: bool) -> dict[str, Any]:
    unknown = set(data) - _EDITABLE
    if unknown:
        raise ValidationError(sorted(unknown)[0], "is not a template field")
    out: dict[str, Any] = {}
    if creating or "name" in data:
        out["name"] = require_text(data.get("name"), "name", 200)
    if creating or "channel" in data:
        out["channel"] = parse_choice(Channel, data.get("channel", ""), "channel")
    for key, limit in (("subject", 500), ("body", 100_000), ("industry", 100),
                       ("variant_label", 20)):
        if key in data:
            out[key] = limit_text(data[key], key, limit)
            if key in ("subject", "body"):
                _check_syntax(key, out[key])
    if "content_sid" in data:
        out["content_sid"] = clean_content_sid(data["content_sid"])
    if "content_variables" in data:
        out["content_variables"] = clean_content_variables(data["content_variables"])
    return out


def _check_content(values: dict[str, Any], current: MessageTemplate | None = None) -> None:
    """The Content SID and its variables, checked together with the (new or kept) channel."""
    def value(name: str, default: Any) -> Any:
        return values[name] if name in values else getattr(current, name, default)

    channel = value("channel", None)
    check_content(getattr(channel, "value", channel or ""), value("content_sid", ""),
                  value("content_variables", {}))


class TemplateService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def list(self, channel: str | None = None) -> list[TemplateRecord]:
        stmt = select(MessageTemplate).order_by(MessageTemplate.name, MessageTemplate.id)
        if channel:
            stmt = stmt.where(MessageTemplate.channel == Channel(channel))
        with self._ctx.store.read() as session:
            return [to_record(TemplateRecord, t) for t in session.scalars(stmt)]

    def get(self, template_id: uuid.UUID) -> TemplateRecord:
        with self._ctx.store.read() as session:
            template = entity_edits.get_or_raise(session, MessageTemplate, template_id, "template")
            return to_record(TemplateRecord, template)

    def create(self, data: Mapping[str, Any]) -> TemplateRecord:
        values = _clean(data, creating=True)
        _check_content(values)
        with self._ctx.store.write() as session:
            template = MessageTemplate(owner_id=self._ctx.actor.id, **values)
            entity_edits.add(session, self._ctx.actor.id, template, "template", values)
            return to_record(TemplateRecord, template)

    def update(self, template_id: uuid.UUID, changes: Mapping[str, Any]) -> TemplateRecord:
        values = _clean(changes, creating=False)
        with self._ctx.store.write() as session:
            template = entity_edits.get_or_raise(session, MessageTemplate, template_id, "template")
            _check_content(values, template)
            entity_edits.apply_changes(session, self._ctx.actor.id, template, "template", values)
            return to_record(TemplateRecord, template)

    def delete(self, template_id: uuid.UUID) -> None:
        with self._ctx.store.write() as session:
            template = entity_edits.get_or_raise(session, MessageTemplate, template_id, "template")
            entity_edits.soft_delete(session, self._ctx.actor.id, template, "template")

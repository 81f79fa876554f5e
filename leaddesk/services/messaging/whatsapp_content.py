"""WhatsApp content templates: a template names an approved Twilio Content SID and fills its
numbered variables (``{{1}}``, ``{{2}}``...) from LeadDesk template expressions.

WhatsApp only lets a business start a conversation with a template approved in advance; its text
lives at the provider, so what LeadDesk renders per lead is the variables. They are rendered by
the same sandboxed template language as a body (a missing value holds the message), and checked
against what WhatsApp refuses (an empty value, more than 1,600 characters).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from leaddesk.services.errors import ValidationError
from leaddesk.services.messaging.channel_rules import RuleIssue
from leaddesk.services.messaging.templating.checks import validate
from leaddesk.services.messaging.templating.rendering import render_parts
from leaddesk.services.messaging.templating.variables import RenderContext

CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
VARIABLE_NAME = re.compile(r"^[1-9][0-9]{0,2}$")
MAX_VARIABLES = 100
MAX_EXPRESSION = 1_000  # the template expression stored for one variable
MAX_VALUE = 1_600  # Twilio's limit on one rendered variable


def part_name(key: str) -> str:
    """How errors and held reasons name a variable: ``WhatsApp variable {{1}}``."""
    return f"WhatsApp variable {{{{{key}}}}}"


def ordered(variables: Mapping[str, str]) -> list[tuple[str, str]]:
    """The variables in number order (``"10"`` after ``"9"``)."""
    return sorted(variables.items(), key=lambda item: (len(item[0]), item[0]))


def clean_content_sid(value: Any) -> str:
    """A Twilio Content SID, or "" for none."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError("content_sid", "must be text")
    value = value.strip()
    if value and not CONTENT_SID.match(value):
        raise ValidationError(
            "content_sid", f"{value!r} is not a Twilio Content SID (HX followed by 32 hex digits)"
        )
    return value


def clean_content_variables(value: Any) -> dict[str, str]:
    """``{"1": "{{ first_name }}"}`` from a mapping or its JSON text, every expression checked
    like a body (syntax, known variables, no unsafe access)."""
    field = "content_variables"
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                field, f"is not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
    if not isinstance(value, Mapping):
        raise ValidationError(field, 'must be an object such as {"1": "{{ first_name }}"}')
    if len(value) > MAX_VARIABLES:
        raise ValidationError(field, f"has {len(value)} variables; at most {MAX_VARIABLES}")
    out: dict[str, str] = {}
    for key, expression in value.items():
        if not isinstance(key, str) or not VARIABLE_NAME.match(key):
            raise ValidationError(
                field,
                f"{key!r} is not a variable number (1, 2, 3... as in the template's {{{{1}}}})",
            )
        if not isinstance(expression, str) or not expression.strip():
            raise ValidationError(
                field, f'variable {key} needs a text value, e.g. "{{{{ first_name }}}}"'
            )
        if len(expression) > MAX_EXPRESSION:
            raise ValidationError(
                field,
                f"variable {key} is {len(expression)} characters long; at most {MAX_EXPRESSION}",
            )
        problems = validate(expression, part=part_name(key))
        if problems:
            raise ValidationError(field, f"variable {key}: {problems[0]}")
        out[key] = expression
    return dict(ordered(out))


def check_content(channel: str, content_sid: str, variables: Mapping[str, str]) -> None:
    """A content template belongs to a WhatsApp template, and its variables to a Content SID."""
    if content_sid and channel != "whatsapp":
        raise ValidationError(
            "content_sid",
            f"only WhatsApp templates use a Twilio Content SID, this is a {channel} template",
        )
    if variables and not content_sid:
        raise ValidationError("content_variables", "need a Content SID (content_sid) to fill")


def render_variables(variables: Mapping[str, str], context: RenderContext) -> dict[str, str]:
    """Each variable rendered for one lead; raises ``TemplateError`` naming the variable."""
    if not variables:
        return {}
    outputs = render_parts({part_name(k): v for k, v in variables.items()}, context)
    return {key: outputs[part_name(key)].strip() for key in variables}


def variable_issues(values: Mapping[str, str]) -> list[RuleIssue]:
    """What WhatsApp would refuse in rendered variables (errors: the message is held)."""
    issues = []
    for key, value in ordered(values):
        if not value:
            issues.append(
                RuleIssue(
                    "error",
                    "content_variables",
                    f"{part_name(key)} is empty; WhatsApp refuses empty values.",
                )
            )
        elif len(value) > MAX_VALUE:
            issues.append(
                RuleIssue(
                    "error",
                    "content_variables",
                    f"{part_name(key)} is {len(value)} characters; the limit is {MAX_VALUE}.",
                )
            )
    return issues

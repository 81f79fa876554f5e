"""Rendering a message: every part of it compiled in the sandbox and rendered with the lead,
sender and company values, or a :class:`TemplateError`; never a broken message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from jinja2 import Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError

from leaddesk.services.messaging.templating.errors import (
    missing_error,
    runtime_error,
    syntax_error,
)
from leaddesk.services.messaging.templating.sandbox import compile_template
from leaddesk.services.messaging.templating.variables import RenderContext, template_values


class TemplateLike(Protocol):
    """Anything with a subject and a body; an optional ``html_body`` attribute adds HTML."""

    @property
    def subject(self) -> str | None: ...

    @property
    def body(self) -> str: ...


@dataclass(frozen=True, slots=True)
class MessageSource:
    """A message's texts as they are written (a draft that is no saved template)."""

    body: str
    subject: str | None = None
    html_body: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready to send: one subject line, the text body and the HTML body, if any."""

    subject: str
    body_text: str
    body_html: str | None


def compile_part(source: str, part: str, html: bool = False) -> Template:
    """The compiled part, or a :class:`TemplateError` (kind "syntax") that names it."""
    try:
        return compile_template(source, html)
    except TemplateSyntaxError as exc:
        raise syntax_error(source, exc, part) from None


def render(template: TemplateLike, context: RenderContext) -> Rendered:
    """Render a message, or raise :class:`TemplateError`; never returns a broken message."""
    html_source = getattr(template, "html_body", None)
    sources = {"subject": template.subject or "", "body": template.body}
    if html_source is not None:
        sources["html"] = html_source
    outputs = render_parts(sources, context)
    subject = " ".join(outputs["subject"].split())  # one header line, never an injected one
    return Rendered(subject, outputs["body"], outputs.get("html"))


def render_parts(sources: Mapping[str, str], context: RenderContext) -> dict[str, str]:
    """Render named texts of one message (the part named "html" HTML-escaped); errors and
    missing values name the part they are in. Raises :class:`TemplateError`."""
    parts = [(part, compile_part(src, part, html=part == "html")) for part, src in sources.items()]
    variables = template_values(context)
    outputs: dict[str, str] = {}
    for part, compiled in parts:
        try:
            outputs[part] = compiled.render(variables)
        except UndefinedError as exc:
            raise missing_error(parts, variables, exc) from None
        except SecurityError as exc:
            raise runtime_error("security", part, exc, sources[part]) from None
        except Exception as exc:  # division by zero, bad call: the template's fault
            raise runtime_error("render", part, exc, sources[part]) from None
    return outputs

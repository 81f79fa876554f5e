"""The composer's one door to message rendering and channel rules.

It calls ``leaddesk.services.messaging.templating`` (sandboxed Jinja2: ``render``,
``TemplateError``) and ``leaddesk.services.messaging.channel_rules`` (``check``, ``sms_segments``)
directly; should their API move, only this adapter changes. Rendering is pure CPU on
compiled-once templates (well under a millisecond), so the composer calls it on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leaddesk.services.messaging import channel_rules, compliance, whatsapp_content
from leaddesk.services.messaging.templating.errors import TemplateError
from leaddesk.services.messaging.templating.rendering import MessageSource, render
from leaddesk.services.messaging.templating.variables import RenderContext

CHANNELS: tuple[str, ...] = channel_rules.CHANNELS
#: Channels whose messages carry a subject line (LinkedIn only for InMail).
SUBJECT_CHANNELS = frozenset({"email", "linkedin"})


@dataclass(frozen=True, slots=True)
class Issue:
    level: str  # "error", "warning" or "info"
    text: str


@dataclass(frozen=True, slots=True)
class Segments:
    count: int
    encoding: str
    remaining: int


@dataclass(frozen=True, slots=True)
class Preview:
    subject: str
    body: str
    rendered: bool  # False: no lead chosen or the template could not render
    error: str = ""
    issues: tuple[Issue, ...] = field(default_factory=tuple)
    segments: Segments | None = None
    #: A WhatsApp content template (``HX...``) and its variables in number order: rendered for
    #: the lead, or the raw expressions while no lead is chosen.
    content_sid: str = ""
    variables: tuple[tuple[str, str], ...] = ()
    #: The compliance footer an email carries (shown under the body, never saved with it).
    footer: str = ""

    @property
    def blocking(self) -> bool:
        """True when this message must not be saved or sent as it is."""
        return bool(self.error) or any(i.level == "error" for i in self.issues)


def preview(
    channel: str,
    subject: str,
    body: str,
    lead: object | None,
    sender: Mapping[str, Any] | None = None,
    content_sid: str = "",
    content_variables: Mapping[str, str] | None = None,
    company: Mapping[str, Any] | None = None,
) -> Preview:
    """Render ``subject``/``body`` for ``lead`` and check them against the channel's rules.

    Without a lead the raw template is checked (what the rules module documents). With a
    WhatsApp ``content_sid`` the approved template's text is sent, so its variables are
    rendered and checked instead of the body.
    """
    subject = subject if channel in SUBJECT_CHANNELS else ""
    content_sid = content_sid if channel == "whatsapp" else ""
    variables = dict(content_variables or {}) if content_sid else {}
    error = ""
    rendered = False
    out_subject, out_body = subject, body
    if lead is not None:
        context = RenderContext(lead=lead, sender=dict(sender or {}), company=dict(company or {}))
        try:
            result = render(MessageSource(body=body, subject=subject or None), context)
            variables = whatsapp_content.render_variables(variables, context)
        except TemplateError as exc:
            error = exc.message
        else:
            out_subject, out_body, rendered = result.subject, result.body_text, True
    if content_sid:
        rules = whatsapp_content.variable_issues(variables) if rendered else []
    else:
        rules = channel_rules.check(channel, out_subject, out_body)
    issues = tuple(Issue(i.level, i.message) for i in rules)
    postal = (company or {}).get("postal_address")
    # A send is held without a postal address; a template (no ``company``: nobody sends it yet)
    # is not warned about what the sender settings decide.
    if company is not None and (reason := compliance.held_reason(channel, postal)):
        issues += (Issue("warning", reason),)
    segments = None
    if channel == "sms":
        info = channel_rules.sms_segments(out_body)
        segments = Segments(info.segments, info.encoding, info.remaining_in_segment)
    return Preview(
        out_subject,
        out_body,
        rendered,
        error,
        issues,
        segments,
        content_sid,
        tuple(whatsapp_content.ordered(variables)),
        compliance.preview_footer(channel, postal, (sender or {}).get("email")),
    )

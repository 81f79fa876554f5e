"""Template errors as the editor and the composer show them: :class:`TemplateError` with the
kind, the part (subject/body) and where in it; every missing variable named at once."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, Literal

from jinja2 import Template, TemplateSyntaxError

from leaddesk.services.messaging.templating.positions import column_of, syntax_position
from leaddesk.services.messaging.templating.sandbox import BlockedAttribute
from leaddesk.services.messaging.templating.variables import MISSING_PROBE

ErrorKind = Literal["syntax", "missing", "security", "render", "unknown"]


class TemplateError(Exception):
    """A template that cannot produce a correct message.

    ``kind`` is "syntax", "missing", "security", "render" or, from :func:`validate` only,
    "unknown" (a variable the template language does not offer).
    """

    def __init__(
        self,
        kind: ErrorKind,
        missing: list[str],
        message: str,
        *,
        part: str | None = None,
        line: int | None = None,
        column: int | None = None,
        missing_by_part: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.missing = missing
        self.message = message
        self.part = part
        self.line = line
        self.column = column
        self.missing_by_part = dict(missing_by_part or {})


def missing_error(
    parts: list[tuple[str, Template]], variables: dict[str, Any], original: Exception
) -> TemplateError:
    """Re-render every part in probe mode to name all missing variables, not just the first."""
    by_part: dict[str, list[str]] = {}
    for part, compiled in parts:
        sink: list[str] = []
        token = MISSING_PROBE.set(sink)
        try:
            with contextlib.suppress(Exception):  # the probe stops at the first hard failure
                compiled.render(variables)
        finally:
            MISSING_PROBE.reset(token)
        if sink:
            by_part[part] = list(dict.fromkeys(sink))
    missing = list(dict.fromkeys(name for names in by_part.values() for name in names))
    if not missing:  # an undefined value used in a way the probe cannot follow
        return TemplateError("missing", [], f"Missing value: {original}")
    where = "; ".join(f"{', '.join(names)} in the {part}" for part, names in by_part.items())
    example = missing[0]
    message = (
        f"Missing value for {where}. Fill the field or add a fallback, "
        f'e.g. {{{{ {example} | default("...") }}}}.'
    )
    first_part = next(iter(by_part), None)
    return TemplateError("missing", missing, message, part=first_part, missing_by_part=by_part)


def runtime_error(kind: ErrorKind, part: str, exc: Exception, source: str) -> TemplateError:
    """A part that failed while rendering: blocked code ("security") or a bad operation."""
    line = _template_line(exc)
    column = None
    if line and isinstance(exc, BlockedAttribute):
        column = column_of(source, line, f".{exc.attribute}")
        column = column + 1 if column else None
    where = f"line {line} of the {part}" if line else f"the {part}"
    what = "Blocked unsafe template code" if kind == "security" else "The template failed"
    return TemplateError(kind, [], f"{what} at {where}: {exc}", part=part, line=line, column=column)


def _template_line(exc: BaseException) -> int | None:
    """The template line from the traceback Jinja rewrites to point into the template."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def syntax_error(source: str, exc: TemplateSyntaxError, part: str) -> TemplateError:
    """Jinja's syntax error with the line and column the editor puts the cursor at."""
    line, column = syntax_position(source, exc)
    return TemplateError(
        "syntax",
        [],
        f"Syntax error in the {part} at line {line}, column {column}: {exc.message}",
        part=part,
        line=line,
        column=column,
    )

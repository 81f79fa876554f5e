"""Checking a template without a lead: the variables it reads (for the composer) and the
problems the editor shows while the user types (syntax, unknown variables, unsafe access)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2 import meta as jinja_meta

from leaddesk.services.messaging.templating.errors import TemplateError, syntax_error
from leaddesk.services.messaging.templating.positions import column_of
from leaddesk.services.messaging.templating.rendering import compile_part
from leaddesk.services.messaging.templating.sandbox import TEXT_ENV
from leaddesk.services.messaging.templating.variables import KNOWN_VARIABLES


def variables_used(source: str) -> set[str]:
    """Variables a template reads, dotted where static (``first_name``, ``sender.name``).

    Raises :class:`TemplateError` (kind "syntax") when the source does not parse.
    """
    return set(_variables_used(source))


def validate(source: str, part: str = "body", *, html: bool = False) -> list[TemplateError]:
    """Problems the editor shows while the user types; an empty list means the template is fine.

    Syntax errors (with line and column), unknown variables and unsafe attribute access are
    found without a lead; missing values can only be found by :func:`render`.
    """
    try:
        compile_part(source, part, html)
        ast = TEXT_ENV.parse(source)
    except TemplateError as exc:
        return [exc]
    problems: list[TemplateError] = []
    unsafe = [
        node
        for node in ast.find_all((nodes.Getattr, nodes.Getitem))
        if _static_key(node) is not None and str(_static_key(node)).startswith("_")
    ]
    if unsafe:
        key, line = str(_static_key(unsafe[0])), unsafe[0].lineno
        problems.append(
            TemplateError(
                "security",
                [],
                f"Line {line} of the {part}: attribute {key!r} is not allowed.",
                part=part,
                line=line,
                column=column_of(source, line, key),
            )
        )
    unknown = sorted(name for name in _variables_used(source) - KNOWN_VARIABLES if "._" not in name)
    if unknown:
        line = _first_line_of(ast, unknown[0].split(".")[0])
        problems.append(
            TemplateError(
                "unknown",
                unknown,
                f"Unknown variable{'s' if len(unknown) > 1 else ''} in the {part}: "
                f"{', '.join(unknown)}.",
                part=part,
                line=line,
                column=column_of(source, line, unknown[0].split(".")[-1]) if line else None,
            )
        )
    return problems


@lru_cache(maxsize=256)
def _variables_used(source: str) -> frozenset[str]:
    try:
        ast = TEXT_ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise syntax_error(source, exc, "body") from None
    roots = jinja_meta.find_undeclared_variables(ast)
    found: set[str] = set()

    def walk(node: nodes.Node) -> None:
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            base, key = node.node, _static_key(node)
            if isinstance(base, nodes.Name) and base.name in roots and isinstance(key, str):
                found.add(f"{base.name}.{key}")
                return
        elif isinstance(node, nodes.Name) and node.ctx == "load" and node.name in roots:
            found.add(node.name)
        for child in node.iter_child_nodes():
            walk(child)

    walk(ast)
    return frozenset(found)


def _static_key(node: nodes.Node) -> Any:
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return node.arg.value
    return None


def _first_line_of(ast: nodes.Template, name: str) -> int | None:
    lines = [n.lineno for n in ast.find_all(nodes.Name) if n.name == name]
    return min(lines) if lines else None

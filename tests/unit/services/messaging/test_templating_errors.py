"""Syntax errors with positions, sandbox escapes and the editor's validate()."""

from __future__ import annotations

import pytest

from leaddesk.services.messaging.templating.checks import validate, variables_used
from leaddesk.services.messaging.templating.errors import TemplateError
from leaddesk.services.messaging.templating.rendering import MessageSource, render
from leaddesk.services.messaging.templating.variables import RenderContext

CONTEXT = RenderContext(
    lead={"first_name": "Ada", "company": "Example Corp"},
    sender={"name": "Sam Sender"},
    company={"name": "Sample Solutions"},
)


def render_body(source: str) -> str:
    return render(MessageSource(source), CONTEXT).body_text


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [
        ("Hi {{ first_name }", 1, 18),  # a lone closing brace
        ("Hi {{ first_name | }}", 1, 20),  # filter name expected at '}}'
        ("one\ntwo {{ first_name ) }}", 2, 19),
        ("one\n  {{ first_name | nosuch }}", 2, 19),  # unknown filter
        ("a {{ 'abc\\x' }}", 1, 6),  # bad escape in a string
        ("{% for %}", 1, 8),
        ("a {{ first_name }}}}  {{ a }", 1, 28),
        ("x {{ first_name $ }}", 1, 17),  # a character the lexer rejects
        ("{# never closed", 1, 1),
        ("ok\n{% raw %}never closed", 2, 1),
        ("one\n{% if first_name %}hello", 2, 25),  # end of template: position after the text
        ("Hi\r\n{{ first_name | }}", 2, 17),
    ],
)
def test_syntax_error_names_line_and_column(source: str, line: int, column: int) -> None:
    with pytest.raises(TemplateError) as info:
        render_body(source)
    error = info.value
    assert (error.kind, error.part, error.line, error.column) == ("syntax", "body", line, column)
    assert f"line {line}, column {column}" in error.message


def test_syntax_error_in_subject_names_the_subject() -> None:
    with pytest.raises(TemplateError) as info:
        render(MessageSource(subject="{{ first_name", body="ok"), CONTEXT)
    assert info.value.part == "subject"
    assert info.value.kind == "syntax"


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ first_name.__class__ }}",
        "{{ lead.__dict__ }}",
        "{{ lead._values }}",
        "{{ company._profile }}",
        "{{ company.name.__class__ }}",
        "{{ sender['__class__'] }}",
        "{{ '{0.__class__}'.format(first_name) }}",
        "{{ first_name | default(''.__class__) }}",
        "{{ 'x' * 100000000 }}",
        "{{ 10 ** 100000 }}",
    ],
)
def test_sandbox_escapes_fail_with_a_clear_error(source: str) -> None:
    with pytest.raises(TemplateError) as info:
        render_body(source)
    assert info.value.kind == "security"
    assert info.value.message.startswith("Blocked unsafe template code at line 1 of the body")


def test_security_error_points_at_the_attribute() -> None:
    with pytest.raises(TemplateError) as info:
        render_body("Hi\n  {{ first_name.__class__ }}")
    assert (info.value.line, info.value.column) == (2, 17)


@pytest.mark.parametrize(
    "source",
    [
        "{{ range(10) }}",
        "{{ lipsum() }}",
        "{{ config }}",
        "{{ joiner() }}",
    ],
)
def test_no_globals_are_reachable(source: str) -> None:
    with pytest.raises(TemplateError) as info:
        render_body(source)
    assert info.value.kind in {"missing", "render", "security"}


@pytest.mark.parametrize(
    "source", ['{% include "x.txt" %}', '{% import "x.txt" as x %}', '{% extends "x" %}']
)
def test_templates_cannot_load_files(source: str) -> None:
    with pytest.raises(TemplateError) as info:
        render_body(source)
    assert info.value.kind == "render"


def test_mutating_a_namespace_is_blocked() -> None:
    with pytest.raises(TemplateError) as info:
        render_body("{{ lead._values.clear() }}")
    assert info.value.kind == "security"


def test_other_runtime_failures_are_render_errors() -> None:
    with pytest.raises(TemplateError) as info:
        render_body("one\n{{ 1 / 0 }}")
    assert (info.value.kind, info.value.line) == ("render", 2)


def test_validate_accepts_a_good_template() -> None:
    assert validate('Hi {{ first_name | default("there") }}, {{ sender.name }}') == []


def test_validate_reports_syntax_with_position() -> None:
    [error] = validate("Hi {{ first_name | }}", part="subject")
    assert (error.kind, error.part, error.line, error.column) == ("syntax", "subject", 1, 20)


def test_validate_reports_unknown_variables() -> None:
    [error] = validate("Hi\n{{ frist_name }} {{ lead.nick }} {{ sender.name }}")
    assert error.kind == "unknown"
    assert error.missing == ["frist_name", "lead.nick"]
    assert (error.line, error.column) == (2, 4)


def test_validate_reports_unsafe_attributes_before_any_render() -> None:
    problems = validate("{{ first_name.__class__ }}")
    assert [p.kind for p in problems] == ["security"]
    assert problems[0].column == 15


def test_validate_html_uses_the_same_language() -> None:
    assert validate("<p>{{ company }}</p>", part="html", html=True) == []


def test_variables_used_raises_on_bad_syntax() -> None:
    with pytest.raises(TemplateError) as info:
        variables_used("{{ first_name ")
    assert info.value.kind == "syntax"

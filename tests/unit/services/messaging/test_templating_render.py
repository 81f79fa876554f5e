"""Rendering: variables, fallbacks, missing values, HTML escaping, speed."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaddesk.services.messaging.templating.checks import variables_used
from leaddesk.services.messaging.templating.errors import TemplateError
from leaddesk.services.messaging.templating.rendering import MessageSource, render
from leaddesk.services.messaging.templating.variables import RenderContext

SENDER = {
    "name": "Sam Sender",
    "email": "sam@example.com",
    "title": "Account Executive",
    "company": "Sample Solutions",
    "phone": "+1 555 0100",
    "signature": "Sam Sender\nSample Solutions",
}
PROFILE = {
    "name": "Sample Solutions",
    "offer": "onboarding that runs itself",
    "website": "https://example.com",
    "postal_address": "1 Example Street, Springfield",
}
LEAD = {
    "first_name": "Ada",
    "last_name": "Example",
    "email": "ada@example.com",
    "phone": "+1 555 0101",
    "title": "Head of Operations",
    "company": "Example Corp",
    "industry": "Manufacturing",
    "city": "Springfield",
    "country": "US",
    "website": "https://example.org",
    "linkedin_url": "https://www.linkedin.com/in/ada-example",
}


def ctx(lead: dict | object | None = None, **overrides: object) -> RenderContext:
    values = {"lead": LEAD if lead is None else lead, "sender": SENDER, "company": PROFILE}
    values.update(overrides)
    return RenderContext(**values)  # type: ignore[arg-type]


def body(source: str, context: RenderContext | None = None) -> str:
    return render(MessageSource(source), context or ctx()).body_text


def test_flat_and_namespaced_lead_fields() -> None:
    source = "{{ first_name }} {{ lead.last_name }} / {{ full_name }} / {{ lead.linkedin_url }}"
    assert body(source) == "Ada Example / Ada Example / https://www.linkedin.com/in/ada-example"


def test_sender_and_business_profile() -> None:
    source = "{{ sender.name }}, {{ sender.title }} at {{ company.name }}: {{ company.offer }}"
    assert (
        body(source)
        == "Sam Sender, Account Executive at Sample Solutions: onboarding that runs itself"
    )


def test_flat_company_is_the_leads_company_and_its_attributes_the_profile() -> None:
    assert body("{{ company }} / {{ lead.company }} / {{ company.name }}") == (
        "Example Corp / Example Corp / Sample Solutions"
    )
    without = {**LEAD, "company": ""}
    assert body("{{ company | default('your team') }} / {{ company.website }}", ctx(without)) == (
        "your team / https://example.com"
    )


def test_lead_may_be_an_object() -> None:
    @dataclass
    class Lead:
        first_name: str = "Ada"
        last_name: str | None = None
        password_hash: str = "never exposed"

    assert body("{{ first_name }} {{ full_name }}", ctx(Lead())) == "Ada Ada"
    with pytest.raises(TemplateError) as info:
        body("{{ lead.password_hash }}", ctx(Lead()))
    assert info.value.missing == ["lead.password_hash"]


@pytest.mark.parametrize("value", ["", "   ", None])
def test_default_applies_to_blank_and_none(value: str | None) -> None:
    lead = {**LEAD, "first_name": value}
    assert body('Hi {{ first_name | default("there") }},', ctx(lead)) == "Hi there,"
    assert body('Hi {{ lead.first_name | d("there") }},', ctx(lead)) == "Hi there,"


def test_default_keeps_a_present_value_and_accepts_jinja_boolean_argument() -> None:
    assert body('{{ first_name | default("there", true) }}') == "Ada"


def test_default_may_fall_back_to_another_variable() -> None:
    sender = {**SENDER, "signature": ""}
    assert body("{{ sender.signature | default(sender.name) }}", ctx(sender=sender)) == "Sam Sender"


def test_filters_pass_missing_values_on_to_default() -> None:
    lead = {**LEAD, "first_name": ""}
    source = '{{ first_name | title | first_word | default("there") }}'
    assert body(source, ctx(lead)) == "there"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 'ada mary' | title }}", "Ada Mary"),
        ("{{ first_name | upper }}", "ADA"),
        ("{{ first_name | lower }}", "ada"),
        ("{{ 'ada  mary example' | first_word }}", "ada"),
        ("{{ '  ada ' | trim }}", "ada"),
        ("{{ 'ada' | capitalize }}", "Ada"),
    ],
)
def test_safe_filters(source: str, expected: str) -> None:
    assert body(source) == expected


def test_only_whitelisted_filters_exist() -> None:
    with pytest.raises(TemplateError) as info:
        body("{{ first_name | attr('upper') }}")
    assert info.value.kind == "syntax"


def test_if_on_a_blank_field_is_false() -> None:
    lead = {**LEAD, "title": None}
    source = "{% if title %}As {{ title }}, {% endif %}you"
    assert body(source, ctx(lead)) == "you"
    assert body(source) == "As Head of Operations, you"


def test_missing_variable_names_variable_and_part() -> None:
    lead = {**LEAD, "first_name": ""}
    with pytest.raises(TemplateError) as info:
        render(MessageSource(subject="For {{ first_name }}", body="Hi"), ctx(lead))
    error = info.value
    assert error.kind == "missing"
    assert error.missing == ["first_name"]
    assert error.part == "subject"
    assert "first_name" in error.message
    assert "subject" in error.message


def test_every_missing_variable_is_named_across_parts() -> None:
    lead = {"first_name": "Ada"}
    source = MessageSource(
        subject="{{ company }} and {{ nickname }}",
        body="{{ first_name }} {{ lead.city }} {{ sender.fax }} {{ company.offer }} {{ city }}",
    )
    with pytest.raises(TemplateError) as info:
        render(source, ctx(lead, company={"name": "Sample Solutions"}))
    error = info.value
    assert error.missing == [
        "company",
        "nickname",
        "lead.city",
        "sender.fax",
        "company.offer",
        "city",
    ]
    assert error.missing_by_part == {
        "subject": ["company", "nickname"],
        "body": ["lead.city", "sender.fax", "company.offer", "city"],
    }


@pytest.mark.parametrize(
    "source",
    [
        "{{ nickname + 1 }}",
        "{% for tag in tags %}{{ tag }}{% endfor %}",
        "{% if nickname %}x{% endif %}",
        "{{ 'x' ~ city }}",
    ],
)
def test_undefined_never_renders_silently(source: str) -> None:
    lead = {**LEAD, "city": ""}
    with pytest.raises(TemplateError) as info:
        body(source, ctx(lead))
    assert info.value.kind == "missing"


@settings(database=None, max_examples=100)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            name: st.sampled_from(["", "  ", None, "Ada", "Example Corp", 0])
            for name in ("first_name", "city", "title")
        },
    )
)
def test_a_message_is_complete_or_names_exactly_the_blank_fields(lead: dict) -> None:
    source = MessageSource(subject="{{ first_name }}", body="{{ city }}|{{ lead.title }}")
    names = {"first_name": "first_name", "city": "city", "title": "lead.title"}
    blank = {
        shown
        for field, shown in names.items()
        if lead.get(field) is None or not str(lead[field]).strip()
    }
    if blank:
        with pytest.raises(TemplateError) as info:
            render(source, ctx(lead))
        assert info.value.kind == "missing"
        assert set(info.value.missing) == blank
    else:
        rendered = render(source, ctx(lead))
        assert rendered.subject.strip()
        assert all(piece.strip() for piece in rendered.body_text.split("|"))


def test_printing_a_whole_namespace_is_an_error() -> None:
    with pytest.raises(TemplateError, match="group of fields"):
        body("{{ sender }}")


def test_text_body_is_not_escaped_and_html_body_is() -> None:
    lead = {**LEAD, "company": "Smith & <Sons>"}
    source = MessageSource(
        subject="About {{ company }}",
        body="Hello {{ company }}",
        html_body="<p>Hello {{ company }}</p>",
    )
    rendered = render(source, ctx(lead))
    assert rendered.subject == "About Smith & <Sons>"
    assert rendered.body_text == "Hello Smith & <Sons>"
    assert rendered.body_html == "<p>Hello Smith &amp; &lt;Sons&gt;</p>"
    assert render(MessageSource("x"), ctx()).body_html is None


def test_subject_is_one_line_even_when_a_value_has_newlines() -> None:
    lead = {**LEAD, "company": "Example Corp\r\nBcc: someone@example.net"}
    rendered = render(MessageSource(subject="About {{ company }}", body="x"), ctx(lead))
    assert rendered.subject == "About Example Corp Bcc: someone@example.net"


def test_block_tags_do_not_leave_blank_lines() -> None:
    source = "Hi\n{% if title %}\nAs {{ title }}:\n{% endif %}\nBye"
    assert body(source) == "Hi\nAs Head of Operations:\nBye"


def test_variables_used_for_the_composer() -> None:
    source = (
        "Hi {{ first_name | default('there') }} {{ lead.city }} {{ sender['name'] }} "
        "{{ company }} {{ company.offer }} {% for x in [1] %}{{ x }}{% endfor %}"
        "{% set y = 2 %}{{ y }}"
    )
    assert variables_used(source) == {
        "first_name",
        "lead.city",
        "sender.name",
        "company",
        "company.offer",
    }


def test_rendering_5000_messages_is_fast() -> None:
    source = MessageSource(
        subject="Idea for {{ company | default('your team') }}",
        body=(
            'Hi {{ first_name | default("there") }},\n\nI noticed {{ company | default("your '
            'team") }} is growing in {{ city | default("your region") }}. {{ company.name }} '
            "helps with {{ company.offer }}.\n\n{{ sender.signature | default(sender.name) }}"
        ),
    )
    leads = [{**LEAD, "first_name": f"Ada{i}", "company": f"Example {i}"} for i in range(5000)]
    start = time.perf_counter()
    for lead in leads:
        render(source, RenderContext(lead=lead, sender=SENDER, company=PROFILE))
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, f"{elapsed / 5000 * 1e6:.0f} µs per render"

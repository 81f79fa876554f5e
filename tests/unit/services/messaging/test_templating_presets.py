"""Shipped industry presets and verticals: every preset renders and passes its channel rules."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from leaddesk.services.messaging.channel_rules import check, sms_segments
from leaddesk.services.messaging.presets import TemplatePreset, load_industries, load_presets
from leaddesk.services.messaging.templating.checks import validate, variables_used
from leaddesk.services.messaging.templating.rendering import render
from leaddesk.services.messaging.templating.variables import KNOWN_VARIABLES, RenderContext

RESOURCES = Path(__file__).resolve().parents[4] / "resources"
INDUSTRIES = (
    "saas",
    "agencies",
    "real_estate",
    "recruiting",
    "ecommerce",
    "financial_services",
    "healthcare",
    "manufacturing",
)
SENDER = {
    "name": "Sam Sender",
    "email": "sam@example.com",
    "title": "Account Executive",
    "company": "Sample Solutions",
    "phone": "+1 555 0100",
    "signature": "Sam Sender\nAccount Executive, Sample Solutions",
}
PROFILE = {
    "name": "Sample Solutions",
    "offer": "onboarding that runs itself",
    "website": "https://example.com",
    "postal_address": "1 Example Street, Springfield",
}
SAMPLE_LEAD = {
    "first_name": "Ada",
    "last_name": "Example",
    "email": "ada@example.com",
    "title": "Head of Operations",
    "company": "Example Corp",
    "industry": "Manufacturing",
    "city": "Springfield",
    "country": "US",
}

PRESETS = load_presets(RESOURCES)


def preset_id(preset: TemplatePreset) -> str:
    return preset.id


def rule_problems(preset: TemplatePreset, context: RenderContext) -> list[str]:
    rendered = render(preset, context)
    issues = check(
        preset.channel,
        rendered.subject if preset.channel == "email" else None,
        rendered.body_text,
        connection_note=preset.purpose == "connection_note",
    )
    return [f"{issue.level}: {issue.message}" for issue in issues if issue.level != "info"]


def test_every_industry_has_each_kind_of_template() -> None:
    kinds = Counter((p.industry, p.channel, p.purpose) for p in PRESETS)
    for industry in INDUSTRIES:
        for channel, purpose in [
            ("email", "intro"),
            ("email", "follow_up"),
            ("linkedin", "connection_note"),
            ("sms", "intro"),
            ("whatsapp", "intro"),
            ("voice", "voicemail"),
        ]:
            assert kinds[(industry, channel, purpose)] == 1, (industry, channel, purpose)


@pytest.mark.parametrize("preset", PRESETS, ids=preset_id)
def test_preset_renders_for_a_sample_lead_and_passes_channel_rules(preset: TemplatePreset) -> None:
    context = RenderContext(lead=SAMPLE_LEAD, sender=SENDER, company=PROFILE)
    assert rule_problems(preset, context) == []
    rendered = render(preset, context)
    assert "Ada" in rendered.body_text
    assert "Sam Sender" in rendered.body_text


@pytest.mark.parametrize("preset", PRESETS, ids=preset_id)
def test_preset_has_fallbacks_for_every_lead_field(preset: TemplatePreset) -> None:
    """A lead with nothing but an id still gets a sendable message."""
    context = RenderContext(lead={}, sender={"name": "Sam Sender"}, company={"name": "Sample"})
    assert rule_problems(preset, context) == []


@pytest.mark.parametrize("preset", PRESETS, ids=preset_id)
def test_preset_is_valid_and_uses_known_variables(preset: TemplatePreset) -> None:
    assert validate(preset.body) == []
    assert validate(preset.subject or "", part="subject") == []
    assert variables_used(preset.body) <= KNOWN_VARIABLES
    assert preset.id.startswith(f"{preset.industry}.{preset.channel}.")


def test_sms_presets_fit_one_gsm7_segment() -> None:
    context = RenderContext(lead=SAMPLE_LEAD, sender=SENDER, company=PROFILE)
    for preset in (p for p in PRESETS if p.channel == "sms"):
        info = sms_segments(render(preset, context).body_text)
        assert (info.encoding, info.segments) == ("GSM-7", 1), preset.id


def test_industries_match_the_preset_files() -> None:
    industries = load_industries(RESOURCES)
    assert [i.id for i in industries] == list(INDUSTRIES)
    assert {p.industry for p in PRESETS} == set(INDUSTRIES)
    for industry in industries:
        assert industry.name
        assert industry.titles
        assert industry.seniority
        assert industry.company_sizes
        assert industry.keywords


def write_preset_file(folder: Path, templates: list[dict], industry: str = "saas") -> Path:
    (folder / "templates").mkdir(exist_ok=True)
    path = folder / "templates" / f"{industry}.json"
    path.write_text(json.dumps({"version": 1, "industry": industry, "templates": templates}))
    return folder


GOOD = {"id": "saas.sms.x", "name": "X", "channel": "sms", "industry": "saas", "body": "Hi"}


def test_loader_reads_a_minimal_file(tmp_path: Path) -> None:
    [preset] = load_presets(write_preset_file(tmp_path, [GOOD]))
    assert preset == TemplatePreset("saas.sms.x", "X", "sms", "saas", "Hi")


@pytest.mark.parametrize(
    ("templates", "message"),
    [
        ([{**GOOD, "body": ""}], "lacks body"),
        ([{**GOOD, "channel": "fax"}], "unknown channel"),
        ([{**GOOD, "industry": "healthcare"}], "belongs to"),
        ([{**GOOD, "channel": "email"}], "needs a subject"),
        ([GOOD, GOOD], "duplicate"),
    ],
)
def test_loader_rejects_malformed_presets(tmp_path: Path, templates: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_presets(write_preset_file(tmp_path, templates))


def test_industry_loader_rejects_unknown_vocabulary(tmp_path: Path) -> None:
    data = json.loads((RESOURCES / "industries.json").read_text(encoding="utf-8"))
    data["industries"][0]["icp"]["seniority"].append("galactic_emperor")
    (tmp_path / "industries.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="galactic_emperor"):
        load_industries(tmp_path)

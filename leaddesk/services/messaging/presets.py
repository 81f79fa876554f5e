"""The shipped template presets (``resources/templates/*.json``) and the industries a campaign
starts from (``resources/industries.json``), checked as they are read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaddesk.services.messaging.channel_rules import CHANNELS


@dataclass(frozen=True, slots=True)
class TemplatePreset:
    id: str
    name: str
    channel: str
    industry: str
    body: str
    subject: str | None = None
    purpose: str = "message"  # e.g. "intro", "follow_up", "connection_note", "voicemail"


@dataclass(frozen=True, slots=True)
class Industry:
    """A vertical for the campaign editor's "industry template": a default ICP."""

    id: str
    name: str
    titles: tuple[str, ...]
    seniority: tuple[str, ...]
    company_sizes: tuple[str, ...]
    keywords: tuple[str, ...]


def load_presets(resources_dir: Path) -> list[TemplatePreset]:
    """Read ``resources_dir/templates/*.json``; raises ValueError on a malformed file."""
    presets: list[TemplatePreset] = []
    seen: set[str] = set()
    for path in sorted((resources_dir / "templates").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        industry = data.get("industry")
        for item in data.get("templates", []):
            preset = _preset(path.name, industry, item)
            if preset.id in seen:
                raise ValueError(f"{path.name}: duplicate template id {preset.id!r}")
            seen.add(preset.id)
            presets.append(preset)
    return presets


def _preset(filename: str, industry: str | None, item: Mapping[str, Any]) -> TemplatePreset:
    missing = [key for key in ("id", "name", "channel", "industry", "body") if not item.get(key)]
    if missing:
        raise ValueError(f"{filename}: template {item.get('id')!r} lacks {', '.join(missing)}")
    if item["industry"] != industry:
        raise ValueError(f"{filename}: {item['id']!r} belongs to {item['industry']!r}")
    if item["channel"] not in CHANNELS:
        raise ValueError(f"{filename}: {item['id']!r} has unknown channel {item['channel']!r}")
    if item["channel"] == "email" and not item.get("subject"):
        raise ValueError(f"{filename}: email template {item['id']!r} needs a subject")
    return TemplatePreset(
        id=item["id"],
        name=item["name"],
        channel=item["channel"],
        industry=item["industry"],
        body=item["body"],
        subject=item.get("subject"),
        purpose=item.get("purpose", "message"),
    )


def load_industries(resources_dir: Path) -> list[Industry]:
    """Read ``resources_dir/industries.json``; ICP values must come from its vocabularies."""
    data = json.loads((resources_dir / "industries.json").read_text(encoding="utf-8"))
    seniority_levels = set(data["seniority_levels"])
    size_bands = set(data["company_size_bands"])
    industries: list[Industry] = []
    for item in data["industries"]:
        icp = item["icp"]
        unknown = (set(icp["seniority"]) - seniority_levels) | (
            set(icp["company_sizes"]) - size_bands
        )
        if unknown:
            raise ValueError(f"industries.json: {item['id']!r} uses unknown {sorted(unknown)}")
        industries.append(
            Industry(
                id=item["id"],
                name=item["name"],
                titles=tuple(icp["titles"]),
                seniority=tuple(icp["seniority"]),
                company_sizes=tuple(icp["company_sizes"]),
                keywords=tuple(icp["keywords"]),
            )
        )
    return industries

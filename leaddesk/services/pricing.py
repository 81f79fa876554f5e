"""The price list as data: what each action costs and what each package holds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from leaddesk.config import resources_dir
from leaddesk.services.errors import ValidationError


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    label: str
    credits: int | None  # None: unlimited (Enterprise)

    @property
    def unlimited(self) -> bool:
        return self.credits is None


@dataclass(frozen=True)
class PriceList:
    version: int
    actions: dict[str, int]
    labels: dict[str, str]
    packages: dict[str, Package]

    def cost(self, action: str, quantity: int = 1) -> int:
        try:
            return self.actions[action] * quantity
        except KeyError:
            raise ValidationError("action", f"{action!r} has no price") from None

    def package(self, name: str) -> Package:
        try:
            return self.packages[name.lower()]
        except KeyError:
            known = ", ".join(self.packages)
            raise ValidationError("package", f"{name!r} is not one of {known}") from None

    @classmethod
    def from_dict(cls, data: dict) -> PriceList:
        return cls(
            version=int(data["version"]),
            actions={k: int(v["credits"]) for k, v in data["actions"].items()},
            labels={k: str(v["label"]) for k, v in data["actions"].items()},
            packages={
                k: Package(k, str(v["label"]), None if v["credits"] is None else int(v["credits"]))
                for k, v in data["packages"].items()
            },
        )

    @classmethod
    def load(cls, path: Path | None = None) -> PriceList:
        path = path or resources_dir() / "pricing.json"
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

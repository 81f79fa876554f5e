"""The README's quick start is what CI runs."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _commands(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("python3 -m venv .venv && ")]


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    readme = _commands((REPO / "README.md").read_text(encoding="utf-8"))
    assert len(readme) == 2
    app_command, test_command = readme
    assert app_command.endswith(".venv/bin/leaddesk")
    assert test_command in _commands((REPO / ".ci" / "run").read_text(encoding="utf-8"))

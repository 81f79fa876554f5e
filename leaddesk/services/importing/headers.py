"""Clean header names: trimmed, never empty, never duplicated (values are keyed by them)."""

from __future__ import annotations

from collections.abc import Sequence


def unique_headers(cells: Sequence[str]) -> list[str]:
    """Trim header cells, name empty ones ``Column N`` and suffix repeats with `` (2)``, ...

    A dict keyed by header would silently drop the second ``Email`` column otherwise.
    """
    result: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells, start=1):
        name = cell.strip() or f"Column {index}"
        candidate = name
        counter = 2
        while candidate in seen:
            candidate = f"{name} ({counter})"
            counter += 1
        seen.add(candidate)
        result.append(candidate)
    return result

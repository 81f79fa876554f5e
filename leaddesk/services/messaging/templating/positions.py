"""Where in a template an error is: Jinja reports syntax errors by line only, and the editor
wants a column to put the cursor at."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any, cast

from jinja2 import TemplateAssertionError, TemplateSyntaxError
from jinja2.ext import Extension
from jinja2.lexer import TokenStream, ignored_tokens, newline_re

from leaddesk.services.messaging.templating.sandbox import TEXT_ENV, SandboxEnvironment


def column_of(source: str, line: int, text: str) -> int | None:
    """1-based column of the first ``text`` on ``line``, or None when it is not there."""
    lines = newline_re.split(source)[::2]
    if not 1 <= line <= len(lines):
        return None
    index = lines[line - 1].find(text)
    return index + 1 if index >= 0 else None


class _TokenCounter(Extension):
    """Counts the tokens the parser pulls, so a failure maps to the token it stopped at."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.pulled = 0
        self.finished = False

    def filter_stream(self, stream: TokenStream) -> Iterator[Any]:
        for token in stream:
            self.pulled += 1
            yield token
        self.finished = True


def _token_starts(source: str) -> tuple[str, list[int], int | None]:
    """Normalized source, start offset of each token the parser sees, offset of a lex error."""
    text = "\n".join(newline_re.split(source)[::2])
    lexer = TEXT_ENV.lexer
    starts: list[int] = []
    cursor = opened = 0
    try:
        for lineno, kind, value in lexer.tokeniter(source, None):
            start = text.find(value, cursor) if value else cursor
            start = cursor if start < 0 else start
            cursor = start + len(value)
            if kind.endswith("_begin"):
                opened = start
            if kind in ignored_tokens or kind in ("raw_begin", "raw_end"):
                continue
            try:
                list(lexer.wrap([(lineno, kind, value)]))
            except TemplateSyntaxError:
                return text, starts, start
            starts.append(start)
    except TemplateSyntaxError as exc:
        if (exc.message or "").startswith("Missing end of"):  # an unclosed comment or raw block
            return text, starts, opened
        while cursor < len(text) and text[cursor] in " \t":
            cursor += 1
        return text, starts, cursor
    return text, starts, None


def syntax_position(source: str, exc: TemplateSyntaxError) -> tuple[int, int]:
    """1-based (line, column) of a syntax error."""
    line = exc.lineno or 1
    text, starts, offset = _token_starts(source)
    if offset is None and isinstance(exc, TemplateAssertionError):
        offset = _assertion_offset(text, line, exc.message or "")
    if offset is None:
        env = SandboxEnvironment(html=False, extensions=(_TokenCounter,))
        counter = cast(_TokenCounter, next(iter(env.extensions.values())))
        with contextlib.suppress(TemplateSyntaxError):
            env.parse(source)
        if counter.finished or not starts:
            offset = len(text.rstrip())
        else:
            offset = starts[min(max(counter.pulled - 1, 0), len(starts) - 1)]
    found_line = text.count("\n", 0, offset) + 1
    if found_line == line:
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
    lines = text.split("\n")
    row = lines[line - 1] if line <= len(lines) else ""
    return line, len(row) - len(row.lstrip()) + 1


def _assertion_offset(text: str, line: int, message: str) -> int | None:
    """Locate the unknown filter or test a compile-time error names."""
    match = re.search(r"No (filter|test) named '([^']+)'", message)
    lines = text.split("\n")
    if not match or line > len(lines):
        return None
    pattern = r"\|\s*" if match.group(1) == "filter" else r"\bis\s+(?:not\s+)?"
    found = re.search(pattern + r"(" + re.escape(match.group(2)) + r")\b", lines[line - 1])
    if not found:
        return None
    return sum(len(row) + 1 for row in lines[: line - 1]) + found.start(1)

"""The sandbox templates run in: Jinja's immutable sandbox with no globals, a short list of
filters that let a missing value fall through to ``default``, no underscore attributes, caps on
repeated text and exponents, and a compile cache (a campaign renders thousands of messages from
one source)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, NoReturn

from jinja2 import Template
from jinja2.exceptions import SecurityError
from jinja2.ext import Extension
from jinja2.filters import do_title
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from leaddesk.services.messaging.templating.variables import RecordingUndefined

MAX_SEQUENCE_REPEAT = 10_000  # cap on "x" * n, so a template cannot eat the memory
MAX_EXPONENT = 100


def _present(value: Any) -> str | None:
    """The text of a value, or None when it is missing (undefined, None or blank)."""
    if value is None or isinstance(value, Undefined):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def _text_filter(transform: Callable[[str], str]) -> Callable[[Any], Any]:
    """A filter that passes missing values through, so ``| default(...)`` may follow it."""

    def apply(value: Any) -> Any:
        text = _present(value)
        return value if text is None else transform(text)

    apply.__name__ = transform.__name__
    return apply


def _first_word(text: str) -> str:
    return text.split(maxsplit=1)[0]


def _default(value: Any, default_value: Any = "", boolean: bool = True) -> Any:
    """Jinja's ``default`` where a blank string or None always counts as missing.

    ``boolean`` is accepted so ``default(x, true)`` written for plain Jinja still works.
    """
    return default_value if _present(value) is None else value


FILTERS: dict[str, Callable[..., Any]] = {
    "default": _default,
    "d": _default,
    "title": _text_filter(do_title),
    "upper": _text_filter(str.upper),
    "lower": _text_filter(str.lower),
    "capitalize": _text_filter(str.capitalize),
    "trim": _text_filter(str.strip),
    "first_word": _text_filter(_first_word),
}


class BlockedAttribute(SecurityError):
    """An underscore attribute was reached for; ``attribute`` lets the error point at it."""

    def __init__(self, message: str, attribute: str) -> None:
        super().__init__(message)
        self.attribute = attribute


class SandboxEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with no globals, the filters above and no ``_`` attributes."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *, html: bool, extensions: tuple[type[Extension], ...] = ()) -> None:
        super().__init__(
            autoescape=html,
            undefined=RecordingUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=list(extensions),
        )
        self.globals.clear()
        self.filters = dict(FILTERS)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if attribute.startswith("_"):
            self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str) and argument.startswith("_"):
            self.unsafe_undefined(obj, argument)
        return super().getitem(obj, argument)

    def unsafe_undefined(self, obj: Any, attribute: str) -> NoReturn:
        owner = "an undefined value" if isinstance(obj, Undefined) else type(obj).__name__
        raise BlockedAttribute(
            f"access to attribute {attribute!r} of {owner} is not allowed", attribute
        )

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(times, int)
                    and len(seq) * times > MAX_SEQUENCE_REPEAT
                ):
                    raise SecurityError("repeated text is too long")
        elif isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError("exponent is too large")
        return super().call_binop(context, operator, left, right)


TEXT_ENV = SandboxEnvironment(html=False)
HTML_ENV = SandboxEnvironment(html=True)


@lru_cache(maxsize=1024)
def compile_template(source: str, html: bool) -> Template:
    """The compiled template, cached; raises Jinja's ``TemplateSyntaxError``."""
    return (HTML_ENV if html else TEXT_ENV).from_string(source)

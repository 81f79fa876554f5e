"""The message template language: sandboxed Jinja2 over lead, sender and company variables.

Rules that shape this module:

* A message is never sent broken. Every variable must have a value or a fallback
  (``{{ first_name | default("there") }}``); a blank field counts as missing. ``render`` raises
  :class:`TemplateError` naming every missing variable and the part (subject/body) it is in.
* Templates are user data, so they run in Jinja's immutable sandbox with no globals and a short
  list of filters; reaching for ``__class__``, ``__globals__`` and friends raises at once.
* Templates compile once (LRU cache): a campaign renders thousands of messages from one source.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NoReturn, Protocol, cast

from jinja2 import StrictUndefined, Template, TemplateAssertionError, TemplateSyntaxError, nodes
from jinja2 import meta as jinja_meta
from jinja2.exceptions import SecurityError, TemplateRuntimeError, UndefinedError
from jinja2.ext import Extension
from jinja2.filters import do_title
from jinja2.lexer import TokenStream, ignored_tokens, newline_re
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from leaddesk.services.messaging.channel_rules import CHANNELS

LEAD_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "full_name",
    "email",
    "phone",
    "title",
    "company",
    "industry",
    "city",
    "country",
    "website",
    "linkedin_url",
)
SENDER_FIELDS: tuple[str, ...] = ("name", "email", "title", "company", "phone", "signature")
COMPANY_FIELDS: tuple[str, ...] = ("name", "offer", "website", "postal_address")
NAMESPACES: dict[str, tuple[str, ...]] = {
    "lead": LEAD_FIELDS,
    "sender": SENDER_FIELDS,
    "company": COMPANY_FIELDS,
}
KNOWN_VARIABLES: frozenset[str] = frozenset(
    [*LEAD_FIELDS, *NAMESPACES]
    + [f"{ns}.{name}" for ns, names in NAMESPACES.items() for name in names]
)

MAX_SEQUENCE_REPEAT = 10_000  # cap on "x" * n, so a template cannot eat the memory
MAX_EXPONENT = 100

ErrorKind = Literal["syntax", "missing", "security", "render", "unknown"]


class TemplateError(Exception):
    """A template that cannot produce a correct message.

    ``kind`` is "syntax", "missing", "security", "render" or, from :func:`validate` only,
    "unknown" (a variable the template language does not offer).
    """

    def __init__(
        self,
        kind: ErrorKind,
        missing: list[str],
        message: str,
        *,
        part: str | None = None,
        line: int | None = None,
        column: int | None = None,
        missing_by_part: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.missing = missing
        self.message = message
        self.part = part
        self.line = line
        self.column = column
        self.missing_by_part = dict(missing_by_part or {})


class TemplateLike(Protocol):
    """Anything with a subject and a body; an optional ``html_body`` attribute adds HTML."""

    @property
    def subject(self) -> str | None: ...

    @property
    def body(self) -> str: ...


@dataclass(frozen=True, slots=True)
class MessageSource:
    body: str
    subject: str | None = None
    html_body: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str | None


@dataclass(frozen=True, slots=True)
class RenderContext:
    """The values a message is rendered with: mappings or objects with attributes.

    ``lead`` holds :data:`LEAD_FIELDS` (``full_name`` is derived when absent), ``sender``
    :data:`SENDER_FIELDS`, ``company`` the sender's business profile (:data:`COMPANY_FIELDS`).
    Other attributes are never exposed to templates.
    """

    lead: Mapping[str, Any] | object = field(default_factory=dict)
    sender: Mapping[str, Any] | object = field(default_factory=dict)
    company: Mapping[str, Any] | object = field(default_factory=dict)


# --- missing values ----------------------------------------------------------------------------

# While set, undefined values record their names instead of raising: the second, diagnostic
# pass that lists every missing variable rather than the first one.
_PROBE: ContextVar[list[str] | None] = ContextVar("leaddesk_template_probe", default=None)


class _Undefined(StrictUndefined):
    """StrictUndefined that can also report its dotted name to a probe pass."""

    __slots__ = ()

    def _missing_name(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if isinstance(obj, _Namespace):
            return f"{obj._label}.{name}"
        if isinstance(obj, _LeadCompany):
            return f"company.{name}"
        return str(name)

    def _recorded(self) -> bool:
        """In a probe pass, note this name and let rendering go on."""
        sink = _PROBE.get()
        if sink is None or self._undefined_exception is not UndefinedError:
            return False
        sink.append(self._missing_name())
        return True

    def _fail_or_record(self) -> None:
        if not self._recorded():
            raise self._undefined_exception(self._undefined_message)

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._recorded()  # arithmetic, calls, indexing: nothing sensible to go on with
        raise self._undefined_exception(self._undefined_message)

    def __str__(self) -> str:
        self._fail_or_record()
        return ""

    def __iter__(self) -> Iterator[Any]:
        self._fail_or_record()
        return iter(())

    def __len__(self) -> int:
        self._fail_or_record()
        return 0

    def __bool__(self) -> bool:
        self._fail_or_record()
        return False

    def __eq__(self, other: object) -> bool:
        self._fail_or_record()
        return False

    def __ne__(self, other: object) -> bool:
        self._fail_or_record()
        return True

    def __hash__(self) -> int:
        return id(type(self))


class _Blank(_Undefined):
    """A known field without a value: falsy in ``{% if %}``, an error when printed."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Blank)

    def __ne__(self, other: object) -> bool:
        return not isinstance(other, _Blank)

    def __hash__(self) -> int:
        return id(type(self))


class _Namespace:
    """``lead``, ``sender`` or ``company``: a fixed set of fields, nothing else reachable."""

    __slots__ = ("_label", "_values")

    def __init__(self, label: str, values: dict[str, Any]) -> None:
        self._label = label
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __str__(self) -> str:
        fields = ", ".join(f"{self._label}.{name}" for name in list(self._values)[:3])
        raise TemplateRuntimeError(f"'{self._label}' is a group of fields; use one, e.g. {fields}")


class _LeadCompany(str):
    """Flat ``company``: prints the lead's company; ``company.name`` etc. reach the profile.

    The spec offers both the lead's ``company`` and the sender's ``company.*`` profile, so the
    flat variable is a string that also answers the profile's attributes.
    """

    _profile: _Namespace

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_profile":
            raise AttributeError(name)
        return getattr(self._profile, name)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return self._profile[key]
        return str.__getitem__(self, key)


class _BlankCompany(_Blank):
    """Flat ``company`` when the lead has none; the profile stays reachable."""

    __slots__ = ("_profile",)

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__" or name == "_profile":
            raise AttributeError(name)
        try:
            return getattr(self._profile, name)
        except AttributeError:
            return self._fail_with_undefined_error()

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, str):
            self._fail_with_undefined_error()
        return self.__getattr__(key)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else str(value).strip()


def _read(source: Mapping[str, Any] | object, name: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(name)
    return getattr(source, name, None)


def _fields(label: str, source: Mapping[str, Any] | object, names: Iterable[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        raw = _read(source, name)
        text = "" if raw is None else _text(raw)
        values[name] = text if text else _Blank(name=f"{label}.{name}")
    return values


def _variables(context: RenderContext) -> dict[str, Any]:
    lead = _fields("lead", context.lead, LEAD_FIELDS)
    if isinstance(lead["full_name"], _Blank):
        parts = [lead[k] for k in ("first_name", "last_name") if isinstance(lead[k], str)]
        if parts:
            lead["full_name"] = " ".join(parts)
    profile = _Namespace("company", _fields("company", context.company, COMPANY_FIELDS))
    variables: dict[str, Any] = {
        name: value if isinstance(value, str) else _Blank(name=name) for name, value in lead.items()
    }
    if isinstance(lead["company"], str):
        flat_company: Any = _LeadCompany(lead["company"])
    else:
        flat_company = _BlankCompany(name="company")
    flat_company._profile = profile
    variables["company"] = flat_company
    variables["lead"] = _Namespace("lead", lead)
    variables["sender"] = _Namespace("sender", _fields("sender", context.sender, SENDER_FIELDS))
    return variables


# --- filters ----------------------------------------------------------------------------------


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


# --- environment and compile cache --------------------------------------------------------------


class _Blocked(SecurityError):
    def __init__(self, message: str, attribute: str) -> None:
        super().__init__(message)
        self.attribute = attribute


class _Environment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *, html: bool, extensions: tuple[type[Extension], ...] = ()) -> None:
        super().__init__(
            autoescape=html,
            undefined=_Undefined,
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
        raise _Blocked(f"access to attribute {attribute!r} of {owner} is not allowed", attribute)

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


_TEXT_ENV = _Environment(html=False)
_HTML_ENV = _Environment(html=True)


@lru_cache(maxsize=1024)
def _compile(source: str, html: bool) -> Template:
    return (_HTML_ENV if html else _TEXT_ENV).from_string(source)


def _compiled(source: str, part: str, html: bool = False) -> Template:
    try:
        return _compile(source, html)
    except TemplateSyntaxError as exc:
        raise _syntax_error(source, exc, part) from None


# --- public API --------------------------------------------------------------------------------


def render(template: TemplateLike, context: RenderContext) -> Rendered:
    """Render a message, or raise :class:`TemplateError`; never returns a broken message."""
    html_source = getattr(template, "html_body", None)
    sources = {"subject": template.subject or "", "body": template.body}
    if html_source is not None:
        sources["html"] = html_source
    outputs = render_parts(sources, context)
    subject = " ".join(outputs["subject"].split())  # one header line, never an injected one
    return Rendered(subject, outputs["body"], outputs.get("html"))


def render_parts(sources: Mapping[str, str], context: RenderContext) -> dict[str, str]:
    """Render named texts of one message (the part named "html" HTML-escaped); errors and
    missing values name the part they are in. Raises :class:`TemplateError`."""
    parts = [(part, _compiled(src, part, html=part == "html")) for part, src in sources.items()]
    variables = _variables(context)
    outputs: dict[str, str] = {}
    for part, compiled in parts:
        try:
            outputs[part] = compiled.render(variables)
        except UndefinedError as exc:
            raise _missing_error(parts, variables, exc) from None
        except SecurityError as exc:
            raise _runtime_error("security", part, exc, sources[part]) from None
        except Exception as exc:  # division by zero, bad call: the template's fault
            raise _runtime_error("render", part, exc, sources[part]) from None
    return outputs


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
        _compiled(source, part, html)
        ast = _TEXT_ENV.parse(source)
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
                column=_column_of(source, line, key),
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
                column=_column_of(source, line, unknown[0].split(".")[-1]) if line else None,
            )
        )
    return problems


# --- analysis helpers -------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _variables_used(source: str) -> frozenset[str]:
    try:
        ast = _TEXT_ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise _syntax_error(source, exc, "body") from None
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


def _column_of(source: str, line: int, text: str) -> int | None:
    lines = newline_re.split(source)[::2]
    if not 1 <= line <= len(lines):
        return None
    index = lines[line - 1].find(text)
    return index + 1 if index >= 0 else None


# --- errors -----------------------------------------------------------------------------------


def _missing_error(
    parts: list[tuple[str, Template]], variables: dict[str, Any], original: Exception
) -> TemplateError:
    """Re-render every part in probe mode to name all missing variables, not just the first."""
    by_part: dict[str, list[str]] = {}
    for part, compiled in parts:
        sink: list[str] = []
        token = _PROBE.set(sink)
        try:
            with contextlib.suppress(Exception):  # the probe stops at the first hard failure
                compiled.render(variables)
        finally:
            _PROBE.reset(token)
        if sink:
            by_part[part] = list(dict.fromkeys(sink))
    missing = list(dict.fromkeys(name for names in by_part.values() for name in names))
    if not missing:  # an undefined value used in a way the probe cannot follow
        return TemplateError("missing", [], f"Missing value: {original}")
    where = "; ".join(f"{', '.join(names)} in the {part}" for part, names in by_part.items())
    example = missing[0]
    message = (
        f"Missing value for {where}. Fill the field or add a fallback, "
        f'e.g. {{{{ {example} | default("...") }}}}.'
    )
    first_part = next(iter(by_part), None)
    return TemplateError("missing", missing, message, part=first_part, missing_by_part=by_part)


def _runtime_error(kind: ErrorKind, part: str, exc: Exception, source: str) -> TemplateError:
    line = _template_line(exc)
    column = None
    if line and isinstance(exc, _Blocked):
        column = _column_of(source, line, f".{exc.attribute}")
        column = column + 1 if column else None
    where = f"line {line} of the {part}" if line else f"the {part}"
    what = "Blocked unsafe template code" if kind == "security" else "The template failed"
    return TemplateError(kind, [], f"{what} at {where}: {exc}", part=part, line=line, column=column)


def _template_line(exc: BaseException) -> int | None:
    """The template line from the traceback Jinja rewrites to point into the template."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _syntax_error(source: str, exc: TemplateSyntaxError, part: str) -> TemplateError:
    line, column = _syntax_position(source, exc)
    return TemplateError(
        "syntax",
        [],
        f"Syntax error in the {part} at line {line}, column {column}: {exc.message}",
        part=part,
        line=line,
        column=column,
    )


# --- syntax error positions: Jinja reports lines only, the editor wants a column ---------------


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
    lexer = _TEXT_ENV.lexer
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


def _syntax_position(source: str, exc: TemplateSyntaxError) -> tuple[int, int]:
    """1-based (line, column) of a syntax error."""
    line = exc.lineno or 1
    text, starts, offset = _token_starts(source)
    if offset is None and isinstance(exc, TemplateAssertionError):
        offset = _assertion_offset(text, line, exc.message or "")
    if offset is None:
        env = _Environment(html=False, extensions=(_TokenCounter,))
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


# --- shipped presets and industries -----------------------------------------------------------


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

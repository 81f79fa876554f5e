"""The template variables: the lead, sender and company fields a template may read, and the
values a message renders with, where a missing or blank field is an error when printed (or a
name recorded by the probe pass that lists every missing variable)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, NoReturn

from jinja2 import StrictUndefined
from jinja2.exceptions import TemplateRuntimeError, UndefinedError

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


#: While set, undefined values record their names instead of raising: the second, diagnostic
#: pass that lists every missing variable rather than the first one.
MISSING_PROBE: ContextVar[list[str] | None] = ContextVar("leaddesk_template_probe", default=None)


class RecordingUndefined(StrictUndefined):
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
        sink = MISSING_PROBE.get()
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


class _Blank(RecordingUndefined):
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


def template_values(context: RenderContext) -> dict[str, Any]:
    """The variables a template renders with: the flat lead fields and the three groups."""
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

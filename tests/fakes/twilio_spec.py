"""Checks a request against Twilio's published OpenAPI definition of the 2010-04-01 API.

Reads ``shared/specs/twilio/twilio_api_v2010.json`` from the folder ``shared`` beside the repository
root. It checks what a generic OpenAPI validator checks (path and method, content type, required
and unknown parameters, types, enums, string patterns and lengths such as AccountSid
``^AC[0-9a-fA-F]{32}$``) plus what such validators miss: the ``x-twilio.conditional`` rules
("one of From / MessagingServiceSid", "one of Body / MediaUrl / ContentSid", "one of Url / Twiml /
ApplicationSid"). A conditional group is satisfied by at least one member: Twilio itself accepts
Body with MediaUrl, and From with MessagingServiceSid.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SPEC_PATH = (
    Path(__file__).resolve().parents[3] / "shared" / "specs" / "twilio" / "twilio_api_v2010.json"
)
SPEC_MISSING_REASON = (
    f"Twilio's OpenAPI definition is not at {SPEC_PATH} (the 'shared' folder beside the "
    "repository root is absent), so requests cannot be validated against it"
)


def spec_available(path: Path = SPEC_PATH) -> bool:
    return path.is_file()


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = json.load(handle)
    return spec


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    regex: re.Pattern[str]
    spec: dict[str, Any]
    path_item: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", f"{self.method} {self.template}"))


@dataclass
class Validation:
    """The outcome: ``problems`` is empty for a valid request; each problem is (code, text)
    with a Twilio-style error code for the fake's 400 answer."""

    operation: Operation | None
    path_params: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    http_status: int = 400  # 404 for an unknown path, 405 for a known path and wrong method

    @property
    def ok(self) -> bool:
        return not self.problems


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class SpecValidator:
    """Matches and validates requests; build once per spec (compiling paths takes a moment)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._operations: list[Operation] = []
        for template, item in spec["paths"].items():
            pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
            for method in ("get", "post", "put", "delete", "patch"):
                if method in item:
                    self._operations.append(
                        Operation(method.upper(), template, re.compile(pattern), item[method], item)
                    )

    def match(self, method: str, path: str) -> tuple[Operation | None, dict[str, str], bool]:
        """(operation, path parameters, path exists for some other method)."""
        path_known = False
        for op in self._operations:
            found = op.regex.match(path)
            if found:
                path_known = True
                if op.method == method:
                    return op, found.groupdict(), True
        return None, {}, path_known

    def validate(
        self,
        method: str,
        path: str,
        content_type: str | None,
        form: dict[str, list[str]],
        query: dict[str, list[str]] | None = None,
    ) -> Validation:
        op, path_params, known = self.match(method, path)
        if op is None:
            reason = "method not allowed" if known else "no such resource in the API definition"
            return Validation(
                None,
                problems=[(20404, f"{method} {path}: {reason}")],
                http_status=405 if known else 404,
            )
        result = Validation(op, path_params)
        params = op.spec.get("parameters", [])
        for param in params:
            if param.get("in") == "path":
                value = path_params.get(param["name"])
                self._check_value(
                    result, f"path parameter {param['name']}", [value or ""], param["schema"]
                )
        query_schemas = {p["name"]: p["schema"] for p in params if p.get("in") == "query"}
        for name, values in (query or {}).items():
            if name not in query_schemas:
                result.problems.append((20001, f"unknown query parameter {name!r}"))
            else:
                self._check_value(result, f"query parameter {name}", values, query_schemas[name])

        body = op.spec.get("requestBody")
        if body is None:
            if form:
                result.problems.append((20001, f"{op.operation_id} takes no request body"))
            return result
        media = (content_type or "").split(";")[0].strip().lower()
        if media not in body.get("content", {}):
            allowed = ", ".join(body.get("content", {}))
            result.problems.append((20001, f"content type {media or 'none'!r}; expected {allowed}"))
            return result
        schema = self._resolve(body["content"][media]["schema"])
        properties: dict[str, Any] = schema.get("properties", {})
        for name in schema.get("required", []):
            if not form.get(name):
                result.problems.append(
                    (_missing_code(name), f"required parameter {name!r} is missing")
                )
        for name, values in form.items():
            if name not in properties:
                result.problems.append((20001, f"unknown parameter {name!r}"))
                continue
            self._check_value(result, f"parameter {name}", values, properties[name])
        self._check_conditionals(result, op, form, properties)
        return result

    def _check_conditionals(
        self,
        result: Validation,
        op: Operation,
        form: dict[str, list[str]],
        properties: dict[str, Any],
    ) -> None:
        by_snake = {_snake(name): name for name in properties}
        for group in op.spec.get("x-twilio", {}).get("conditional", []):
            names = [by_snake.get(member, member) for member in group]
            if not any(form.get(name) for name in names):
                result.problems.append(
                    (_missing_code(names[0]), f"one of {' / '.join(names)} is required")
                )

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            ref = schema["$ref"]
            node: Any = self.spec
            for part in ref.lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def _check_value(
        self, result: Validation, what: str, values: list[str], schema: dict[str, Any]
    ) -> None:
        schema = self._resolve(schema)
        if schema.get("type") == "array":
            for value in values:
                self._check_scalar(result, what, value, self._resolve(schema.get("items", {})))
            return
        if len(values) != 1:
            result.problems.append((20001, f"{what} given {len(values)} times"))
            return
        self._check_scalar(result, what, values[0], schema)

    def _check_scalar(
        self, result: Validation, what: str, value: str, schema: dict[str, Any]
    ) -> None:
        kind = schema.get("type", "string")
        problem: str | None = None
        if kind == "integer" and not re.fullmatch(r"-?\d+", value):
            problem = "is not an integer"
        elif kind == "number" and not re.fullmatch(r"-?\d+(\.\d+)?", value):
            problem = "is not a number"
        elif kind == "boolean" and value.lower() not in ("true", "false"):
            problem = "is not true or false"
        elif kind == "string":
            if "minLength" in schema and len(value) < schema["minLength"]:
                problem = f"is shorter than {schema['minLength']} characters"
            elif "maxLength" in schema and len(value) > schema["maxLength"]:
                problem = f"is longer than {schema['maxLength']} characters"
            elif "pattern" in schema and not re.search(schema["pattern"], value):
                problem = f"does not match {schema['pattern']}"
            elif schema.get("format") == "uri" and not schema.get("x-twilio", {}).get(
                "ignoreFormat"
            ):
                parts = urlsplit(value)
                if parts.scheme not in ("http", "https") or not parts.netloc:
                    problem = "is not an absolute http(s) URL"
        if problem is None and "enum" in schema and value not in schema["enum"]:
            problem = f"is not one of {', '.join(map(str, schema['enum']))}"
        if problem:
            result.problems.append((21100, f"{what} {value!r} {problem}"))


def _missing_code(name: str) -> int:
    """Twilio's error codes for the usual missing parameters (generic 21100 otherwise)."""
    return {
        "To": 21604,
        "From": 21603,
        "Body": 21602,
        "Url": 21205,
    }.get(name, 21100)


@functools.cache
def default_validator() -> SpecValidator:
    """The validator over the spec at :data:`SPEC_PATH` (built once per process)."""
    return SpecValidator(load_spec())

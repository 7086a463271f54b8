"""Check a request against a vendor's OpenAPI (3.x) or Swagger (2.0) description."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs

import yaml
from openapi_schema_validator import OAS30Validator


def _parameter_pattern(match: re.Match[str]) -> str:
    # A git ref or a file path spans several segments (heads/postmortem/incident-1).
    name = match.group(1)
    return f"(?P<{name.replace('-', '_')}>{'.+' if name in ('ref', 'path') else '[^/]+'})"


class SpecViolation(AssertionError):
    """The request is not one the vendor's API description allows."""


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", f"{self.method} {self.template}"))


class ApiDescription:
    """One vendor's description. Parsing one (the Datadog YAML takes about a second) and
    compiling its validators happens once per process: every fake of every test shares them."""

    _shared: ClassVar[dict[str, ApiDescription]] = {}

    @classmethod
    def shared(cls, path: Path, **options: Any) -> ApiDescription:
        key = json.dumps([str(path), repr(sorted(options.items()))])
        if key not in cls._shared:
            cls._shared[key] = cls(path, **options)
        return cls._shared[key]

    def __init__(self, path: Path, *, base_path: str = "",
                 extra_parameters: dict[str, set[str]] | None = None,
                 more: tuple[Path, ...] = (), post_for_any: bool = False) -> None:
        self.document: dict[str, Any] = self._load(path)
        for extra in more:  # further operations from the same vendor description
            document = self._load(extra)
            for template, item in document["paths"].items():
                self.document["paths"].setdefault(template, {}).update(item)
            for kind, items in document.get("components", {}).items():
                self.document.setdefault("components", {}).setdefault(kind, {}).update(items)
        self.swagger2 = str(self.document.get("swagger", "")).startswith("2")
        self.base_path = base_path
        #: parameters added to the API after this (archived) description was published
        self.extra_parameters = extra_parameters or {}
        #: every operation also accepts POST with its arguments in the body (Slack's Web API)
        self.post_for_any = post_for_any
        self._validators: dict[int, OAS30Validator] = {}
        self.operations: list[Operation] = []
        for template, item in self.document["paths"].items():
            regex = "^" + re.sub(r"\\{([^}]+)\\}", _parameter_pattern,
                                 re.escape(base_path + template)) + "$"
            for method, spec in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    self.operations.append(Operation(method.upper(), template, re.compile(regex),
                                                     spec))
        # Literal paths win over templated ones (/incidents/search before /incidents/{id}).
        self.operations.sort(key=lambda op: op.template.count("{"))

    @staticmethod
    def _load(path: Path) -> dict[str, Any]:
        text = path.read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        return data

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def match(self, method: str, path: str) -> Operation:
        for operation in self.operations:
            if operation.method == method and operation.pattern.match(path):
                return operation
        if method == "POST" and self.post_for_any:
            for operation in self.operations:
                if operation.pattern.match(path):
                    return operation
        msg = f"{method} {path} is not an operation of this API description"
        raise SpecViolation(msg)

    def _validator(self, schema: dict[str, Any]) -> OAS30Validator:
        # Keyed by the schema object, which lives as long as this (shared) description.
        if id(schema) not in self._validators:
            self._validators[id(schema)] = OAS30Validator(self._schema(schema))
        return self._validators[id(schema)]

    def _schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        root = {key: self.document[key] for key in ("components", "definitions")
                if key in self.document}
        return {**schema, **root}

    def check(self, method: str, path: str, query: str, headers: dict[str, str],
              body: bytes) -> Operation:
        operation = self.match(method, path)
        parameters = [self._resolve(p) for p in operation.spec.get("parameters", [])]
        arguments = {k: v[0] for k, v in parse_qs(query).items()}
        content_type = headers.get("content-type", "").split(";")[0].strip()
        if self.swagger2:
            self._check_swagger2(operation, parameters, arguments, content_type, body)
            return operation
        for parameter in parameters:
            if parameter.get("in") == "query" and parameter.get("required") \
                    and parameter["name"] not in arguments:
                msg = f"{operation.operation_id}: query parameter {parameter['name']} is required"
                raise SpecViolation(msg)
        request_body = self._resolve(operation.spec.get("requestBody"))
        if request_body:
            if not body:
                if request_body.get("required"):
                    msg = f"{operation.operation_id}: a request body is required"
                    raise SpecViolation(msg)
                return operation
            media = request_body["content"].get(content_type) or request_body["content"].get(
                "application/json")
            if media is None:
                msg = f"{operation.operation_id}: content type {content_type} is not accepted"
                raise SpecViolation(msg)
            document = json.loads(body)
            errors = sorted(self._validator(media["schema"]).iter_errors(document), key=str)
            if errors:
                where = "/".join(str(p) for p in errors[0].absolute_path)
                msg = f"{operation.operation_id}: body at '{where}': {errors[0].message}"
                raise SpecViolation(msg)
        return operation

    def _check_swagger2(self, operation: Operation, parameters: list[dict[str, Any]],
                        arguments: dict[str, str], content_type: str, body: bytes) -> None:
        if content_type == "application/json":
            fields = json.loads(body or b"{}")
        else:
            fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        fields.update(arguments)
        declared = {p["name"]: p for p in parameters if p.get("in") in ("formData", "query")}
        allowed = set(declared) | self.extra_parameters.get(operation.template, set())
        for name in fields:
            if name not in allowed:
                msg = f"{operation.operation_id}: unknown argument {name!r}"
                raise SpecViolation(msg)
        for name, parameter in declared.items():
            if parameter.get("required") and name not in fields:
                msg = f"{operation.operation_id}: argument {name!r} is required"
                raise SpecViolation(msg)
            kind = parameter.get("type")
            if name in fields and kind == "string" and not isinstance(fields[name], str) \
                    and content_type != "application/json":
                msg = f"{operation.operation_id}: argument {name!r} must be a string"
                raise SpecViolation(msg)

    def operation(self, operation_id: str) -> Operation:
        for operation in self.operations:
            if operation.operation_id == operation_id:
                return operation
        msg = f"{operation_id} is not an operation of this API description"
        raise SpecViolation(msg)

    def check_response(self, operation_id: str, status: int, body: Any) -> None:
        """The answer is one the description documents for this operation and status."""
        operation = self.operation(operation_id)
        responses = operation.spec.get("responses", {})
        response = self._resolve(responses.get(str(status)) or responses.get("default"))
        if response is None:
            msg = f"{operation_id}: status {status} is not documented"
            raise SpecViolation(msg)
        if self.swagger2:
            schema = response.get("schema")
        else:
            content = response.get("content") or {}
            media = content.get("application/json") or next(iter(content.values()), None)
            schema = (media or {}).get("schema")
        if schema is None:
            if body not in (None, b"", ""):
                msg = f"{operation_id}: status {status} documents no body"
                raise SpecViolation(msg)
            return
        errors = sorted(OAS30Validator(self._schema(schema)).iter_errors(body), key=str)
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path)
            msg = f"{operation_id} answer {status} at '{where}': {errors[0].message}"
            raise SpecViolation(msg)

    def check_value(self, ref: str, value: Any) -> None:
        """The value fits a schema of the description (`#/definitions/X`, `#/components/...`)."""
        errors = sorted(OAS30Validator(self._schema({"$ref": ref})).iter_errors(value), key=str)
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path)
            msg = f"{ref} at '{where}': {errors[0].message}"
            raise SpecViolation(msg)

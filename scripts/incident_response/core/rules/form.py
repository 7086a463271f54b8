"""Issue-form Markdown to values keyed by field id.

GitHub renders an issue form as `### Label` headings, each followed by the answer. This module
reverses that with the form template in hand:

- a heading counts only when it is a label of the form (matched without regard to case or
  spacing), so a `### heading` typed inside a text area stays part of that answer;
- headings inside fenced code blocks are text;
- `_No response_` (also backslash-escaped) and a dropdown's `None` mean "no answer";
- sections may be missing, reordered (edited bodies) or extra; extra ones are reported.

Without a template every `###` heading is a field, keyed by the slug of its label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from incident_response.core.errors import ConfigError

__all__ = [
    "FormField",
    "FormTemplate",
    "ParsedForm",
    "parse_form",
    "slug_id",
]

_NO_RESPONSE = {"_no response_", r"\_no response\_"}
_HEADING = re.compile(r"^###[ \t]+(?P<label>\S.*?)[ \t#]*$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_TASK = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX]?)\]\s*(?P<label>.*?)\s*$")


def slug_id(label: str) -> str:
    """The id GitHub tooling derives from a label: lower case, runs of other characters as `_`."""
    return re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")


def _fold(label: str) -> str:
    return " ".join(label.split()).casefold()


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    required: bool = False
    multiple: bool = False
    options: tuple[str, ...] = ()
    render: str | None = None


@dataclass(frozen=True)
class FormTemplate:
    fields: tuple[FormField, ...]

    def by_label(self) -> dict[str, FormField]:
        return {_fold(f.label): f for f in self.fields}

    def get(self, field_id: str) -> FormField | None:
        return next((f for f in self.fields if f.id == field_id), None)


def _option_label(option: Any) -> str:
    return str(option["label"]) if isinstance(option, dict) else str(option)


def template_from_data(data: Any, source: str = "form") -> FormTemplate:
    if not isinstance(data, dict) or not isinstance(data.get("body"), list):
        msg = f"{source}: an issue form needs a `body:` list of fields"
        raise ConfigError(msg)
    fields = []
    for element in data["body"]:
        kind = element.get("type")
        if kind == "markdown":
            continue
        attributes = element.get("attributes") or {}
        label = str(attributes.get("label", "")).strip()
        fields.append(
            FormField(
                id=str(element.get("id") or slug_id(label)),
                label=label,
                type=str(kind),
                required=bool((element.get("validations") or {}).get("required", False)),
                multiple=bool(attributes.get("multiple", False)),
                options=tuple(_option_label(o) for o in attributes.get("options") or ()),
                render=attributes.get("render"),
            )
        )
    return FormTemplate(tuple(fields))


@dataclass(frozen=True)
class Checkbox:
    label: str
    checked: bool


FieldValue = str | list[str] | list[Checkbox]


@dataclass
class ParsedForm:
    """Answers by field id; unanswered fields are absent from `values`."""

    values: dict[str, FieldValue] = field(default_factory=dict)
    #: ids of template fields whose heading is not in the body at all
    missing: list[str] = field(default_factory=list)
    #: headings in the body that are not labels of the form, with their text
    extra: list[tuple[str, str]] = field(default_factory=list)

    def text(self, field_id: str) -> str | None:
        value = self.values.get(field_id)
        return value if isinstance(value, str) else None

    def choices(self, field_id: str) -> list[str]:
        value = self.values.get(field_id)
        if isinstance(value, list):
            return [v if isinstance(v, str) else v.label for v in value]
        return [value] if isinstance(value, str) else []


def _sections(body: str, labels: dict[str, FormField] | None) -> list[tuple[str, list[str]]]:
    """Split the body at form headings, outside code fences."""
    sections: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    current_field: FormField | None = None
    fence: str | None = None
    for line in body.split("\n"):
        opened = _FENCE.match(line)
        if fence is not None:
            closes = opened and opened["fence"][0] == fence[0] and not opened["info"].strip()
            if closes and opened and len(opened["fence"]) >= len(fence):
                fence = None
        elif opened:
            fence = opened["fence"]
        elif heading := _HEADING.match(line):
            label = heading["label"].strip()
            known = labels.get(_fold(label)) if labels is not None else None
            if labels is None or known is not None:
                current, current_field = [], known
                sections.append((label, current))
                continue
            if current_field is None or current_field.type != "textarea":
                # A stray heading after a non-text answer: an extra section of its own.
                current, current_field = [], None
                sections.append((label, current))
                continue
        if current is not None:
            current.append(line)
    return sections


def _clean(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n").strip()


def _unfence(text: str) -> str:
    lines = text.split("\n")
    if len(lines) >= 2 and _FENCE.match(lines[0]) and _FENCE.match(lines[-1]):
        return "\n".join(lines[1:-1])
    return text


def _convert(form_field: FormField, text: str) -> FieldValue | None:
    if not text or text.casefold() in _NO_RESPONSE:
        return [] if form_field.type == "dropdown" else None
    if form_field.type == "dropdown":
        if text == "None":
            return []
        return [part.strip() for part in text.split(", ")] if form_field.multiple else [text]
    if form_field.type == "checkboxes":
        return [
            Checkbox(m["label"], m["mark"] in ("x", "X"))
            for line in text.split("\n")
            if (m := _TASK.match(line))
        ]
    if form_field.render:
        return _unfence(text)
    return text


def parse_form(body: str | None, template: FormTemplate | None = None) -> ParsedForm:
    """Parse a rendered issue form. Never raises on user text: bad answers are for validation."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    labels = template.by_label() if template is not None else None
    parsed = ParsedForm()
    seen: set[str] = set()
    for label, lines in _sections(text, labels):
        answer = _clean(lines)
        form_field = labels.get(_fold(label)) if labels is not None else None
        if labels is not None and form_field is None:
            parsed.extra.append((label, answer))
            continue
        if form_field is None:
            form_field = FormField(id=slug_id(label), label=label, type="textarea")
        if form_field.id in seen:
            continue  # the first answer wins; a pasted duplicate heading does not override it
        seen.add(form_field.id)
        value = _convert(form_field, answer)
        if value is not None:
            parsed.values[form_field.id] = value
    if template is not None:
        parsed.missing = [f.id for f in template.fields if f.id not in seen]
    return parsed

"""The form parser against every case of three public issue-form parsers' test suites.

Each source has its own output convention; the small projections below turn our neutral
`ParsedForm` into that convention, so the expected files are compared unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from incident_response.core.rules.form import (
    Checkbox,
    ParsedForm,
    parse_form,
    slug_id,
    template_from_data,
)

FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "forms"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


# -- stefanbuck/github-issue-parser: ids -> text; checkboxes -> checked labels; unknown
#    headings keyed by the slug of their label.
def _stefanbuck(parsed: ParsedForm, template_fields: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in parsed.values.items():
        if template_fields.get(key) == "checkboxes":
            out[key] = [box.label for box in value if isinstance(box, Checkbox) and box.checked]
        else:
            out[key] = value
    for label, text in parsed.extra:
        boxes = parse_form(f"### x\n\n{text}", template_from_data(
            {"body": [{"type": "checkboxes", "id": "x", "attributes": {"label": "x"}}]}
        )).values.get("x")
        if isinstance(boxes, list) and boxes:
            out[slug_id(label)] = [b.label for b in boxes if isinstance(b, Checkbox) and b.checked]
        elif text:
            out[slug_id(label)] = text
    return out


STEFANBUCK = sorted(p.name for p in (FORMS / "stefanbuck-github-issue-parser").iterdir())


@pytest.mark.parametrize("case", STEFANBUCK)
def test_stefanbuck_cases(case: str) -> None:
    folder = FORMS / "stefanbuck-github-issue-parser" / case
    form = yaml.safe_load(_read(folder / "form.yml"))
    template = template_from_data(form)
    parsed = parse_form(_read(folder / "issue-body.md"), template)
    kinds = {f.id: f.type for f in template.fields}
    expected = json.loads(_read(folder / "expected.json"))
    assert _stefanbuck(parsed, kinds) == expected


# -- issue-ops/parser: with a template, dropdowns are lists, checkboxes selected/unselected,
#    empty answers left out; without one, raw text keyed by slug.
def _issue_ops(parsed: ParsedForm) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in parsed.values.items():
        if isinstance(value, list) and value and isinstance(value[0], Checkbox):
            boxes = [v for v in value if isinstance(v, Checkbox)]
            out[key] = {
                "selected": [b.label for b in boxes if b.checked],
                "unselected": [b.label for b in boxes if not b.checked],
            }
        else:
            out[key] = value
    return out


ISSUE_OPS = sorted(p.name for p in (FORMS / "issue-ops-parser").iterdir())


@pytest.mark.parametrize("case", ISSUE_OPS)
def test_issue_ops_cases_with_template(case: str) -> None:
    folder = FORMS / "issue-ops-parser" / case
    template = template_from_data(yaml.safe_load(_read(folder / "template.yml")))
    parsed = parse_form(_read(folder / "issue.md"), template)
    expected_file = next(
        f for f in (folder / "parsed-issue-with-template.json", folder / "parsed-issue.json")
        if f.exists()
    )
    assert _issue_ops(parsed) == json.loads(_read(expected_file))


@pytest.mark.parametrize("case", ISSUE_OPS)
def test_issue_ops_templates_read_alike(case: str) -> None:
    """Our reading of each template agrees with issue-ops' (ids, labels, types, options)."""
    folder = FORMS / "issue-ops-parser" / case
    template = template_from_data(yaml.safe_load(_read(folder / "template.yml")))
    if not (folder / "parsed-template.json").exists():
        pytest.skip("issue-ops ships no parsed template for this case")
    expected = json.loads(_read(folder / "parsed-template.json"))
    ours = {
        f.id: {"label": f.label, "type": f.type, "required": f.required,
               "multiple": f.multiple, "options": list(f.options)}
        for f in template.fields
    }
    for field_id, spec in expected.items():
        for key in ("label", "type", "required", "multiple", "options"):
            if key in spec:
                theirs = spec[key]
                if key == "options" and theirs and isinstance(theirs[0], dict):
                    theirs = [option["label"] for option in theirs]
                assert ours[field_id][key] == theirs, (field_id, key)


def test_issue_ops_without_template() -> None:
    folder = FORMS / "issue-ops-parser" / "example"
    parsed = parse_form(_read(folder / "issue.md"))
    expected = json.loads(_read(folder / "parsed-issue-no-template.json"))
    # Without a template nothing says what `_No response_` belongs to, so issue-ops keeps it
    # as text; we read it as "no answer" everywhere (the README's form fields), the one
    # deliberate difference.
    assert expected.pop("the_topics_about_the_thing") == "_No response_"
    assert "the_topics_about_the_thing" not in parsed.values
    assert parsed.values == expected


# -- zentered/issue-forms-body-parser: a Markdown-AST parser. It also splits on `####` and
#    re-serialises Markdown (bullets as `*`, bare links as `<...>`); we keep the user's text
#    as typed and treat deeper headings as part of the answer. The projection compares what
#    both define: the `###` sections, which are unanswered, task-list states, and the text.
ZENTERED = FORMS / "zentered-issue-forms-body-parser"


@pytest.mark.parametrize("number", [1, 3])
def test_zentered_cases(number: int) -> None:
    body = _read(ZENTERED / f"test-issue-{number}.md")
    expected: dict[str, Any] = json.loads(_read(ZENTERED / f"test-issue-{number}.expected.json"))
    parsed = parse_form(body)
    level3 = {k: v for k, v in expected.items() if v["heading"] == 3}
    answered = [slug_id(v["title"]) for v in level3.values() if v["text"] is not None]
    assert list(parsed.values) == answered
    for section in level3.values():
        key = slug_id(section["title"])
        if section["text"] is None:  # `_No response_`, also as `\_No response\_`
            assert key not in parsed.values
            continue
        ours = parsed.values[key]
        assert isinstance(ours, str)
        if "list" in section and all(item["checked"] is not None for item in section["list"]):
            boxes = parse_form(f"### x\n\n{ours}", template_from_data(
                {"body": [{"type": "checkboxes", "id": "x", "attributes": {"label": "x"}}]}
            )).values["x"]
            assert [(b.label, b.checked) for b in boxes if isinstance(b, Checkbox)] == [
                (item["text"], item["checked"]) for item in section["list"]
            ]
        elif "images" in section or ("links" in section and "[" in section["text"]):
            assert ours.startswith(section["text"].replace("\\&", "&"))
        else:
            assert ours == section["text"]
    # A `####` sub-heading zentered splits off stays inside our answer, with its text.
    for section in (v for v in expected.values() if v["heading"] == 4):
        assert any(f"#### {section['title']}" in v for v in parsed.values.values()
                   if isinstance(v, str))


def test_zentered_front_matter_body_has_no_fields() -> None:
    assert parse_form(_read(ZENTERED / "test-issue-2.md")).values == {}


def test_zentered_issue_payload_task_list() -> None:
    payload = json.loads(_read(ZENTERED / "issue.json"))
    parsed = parse_form(payload["issue"]["body"])
    assert parsed.values["list_item_checked"].startswith("*   [x] I agree")

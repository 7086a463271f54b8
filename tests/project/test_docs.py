"""The configuration reference names exactly the keys of the generated schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from incident_response.shell.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _leaves(node: dict[str, Any], prefix: str, defs: dict[str, Any], out: set[str]) -> None:
    if "$ref" in node:
        node = defs[node["$ref"].split("/")[-1]]
    for option in node.get("anyOf", []):
        _leaves(option, prefix, defs, out)
    properties = node.get("properties")
    if node.get("type") == "array" and isinstance(node.get("items"), dict) and (
            "$ref" in node["items"]):
        _leaves(node["items"], prefix + "[]", defs, out)
    elif node.get("type") == "object" and isinstance(node.get("additionalProperties"), dict) \
            and "$ref" in node["additionalProperties"]:
        _leaves(node["additionalProperties"], prefix + ".*", defs, out)
    elif properties:
        for name, sub in properties.items():
            _leaves(sub, f"{prefix}.{name}" if prefix else name, defs, out)
    elif prefix and not any("$ref" in o or o.get("properties") for o in node.get("anyOf", [])):
        out.add(prefix)


def test_the_reference_documents_every_key_of_the_schema_and_no_other() -> None:
    schema = Settings.model_json_schema()
    keys: set[str] = set()
    _leaves(schema, "", schema.get("$defs", {}), keys)
    text = (ROOT / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_.*\[\]]+)` \|", text, re.MULTILINE))
    assert documented == keys, (sorted(keys - documented), sorted(documented - keys))


def test_the_readme_links_the_docs() -> None:
    readme = (ROOT / "README.md").read_text()
    for page in ("adoption", "configuration", "security", "troubleshooting"):
        assert f"docs/{page}.md" in readme


def test_nothing_leans_on_a_document_the_repository_does_not_have() -> None:
    """A contributor who clones the project has only what is in it: no reference to the
    planning documents it was built from (their rules live in docs/process.md)."""
    outside = re.compile(r"CONTRACT(\.md| §)|DOMAIN(\.md| §)|\.\./shared")
    roots = ("scripts", "docs", "incident_templates", "bench", ".github", "tests")
    found = [f"{path.relative_to(ROOT)}:{number}"
             for root in roots for path in (ROOT / root).rglob("*")
             if path.is_file() and path.suffix in (".py", ".md", ".j2", ".yml", ".yaml")
             and "fixtures" not in path.parts
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if outside.search(line)]
    found += [f"{name}:{number}" for name in ("README.md", "action.yml", "CHANGELOG.md",
                                                "pyproject.toml")
              for number, line in enumerate((ROOT / name).read_text().splitlines(), 1)
              if outside.search(line)]
    assert found == []

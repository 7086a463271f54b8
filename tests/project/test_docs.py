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

"""Write the JSON Schema of the policy, for editors: `python -m incident_response.shell.schema`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from incident_response.core.rules.policy import Policy

__all__ = ["schema_text"]


def schema_text() -> str:
    schema = Policy.model_json_schema()
    return json.dumps(schema, indent=2) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "schema/incident-response.schema.json")
    target.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {target}")

"""The layout keeps the design: a pure core, a shell, adapters, and thin commands.

Read from the code's own imports (ast), so a stray import fails here, not in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "scripts" / "incident_response"
VENDORS = ("github", "datadog_api_client", "slack_sdk", "pagerduty", "requests", "urllib3",
           "httpx")
COMMANDS = ("handle", "sweep", "validate", "drill", "init", "monthly_report")


def modules(folder: str = "") -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: p.name)
def test_the_core_imports_neither_the_shell_nor_adapters_nor_a_vendor(path: Path) -> None:
    for name in imported(path):
        assert not name.startswith(("incident_response.shell", "incident_response.adapters",
                                    *(f"incident_response.{c}" for c in COMMANDS))), name
        assert name.split(".")[0] not in VENDORS, name


@pytest.mark.parametrize("path", [p for p in modules() if p.name != "cli.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_command_line_reads_the_environment_and_the_clock(path: Path) -> None:
    """The world is read once, into the run's context (shell/context.py), by cli.py."""
    text = path.read_text(encoding="utf-8")
    for forbidden in ("os.environ", "os.getenv", "datetime.now(", "time.time(", "date.today(",
                      "datetime.utcnow("):
        assert forbidden not in text, f"{path.name} uses {forbidden}"


@pytest.mark.parametrize("command", COMMANDS)
def test_command_modules_do_not_import_each_other(command: str) -> None:
    path = PACKAGE / f"{command}.py"
    paths = [path] if path.exists() else modules(command)
    others = [f"incident_response.{c}" for c in COMMANDS if c != command]
    for module in paths:
        for name in imported(module):
            assert not name.startswith(tuple(others)), f"{module.name} imports {name}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_assert_is_for_tests_only(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not any(isinstance(node, ast.Assert) for node in ast.walk(tree))

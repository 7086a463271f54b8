"""The layout keeps the design: a pure, vendor-neutral core in layers, adapters, a shell, and
thin commands on top; and docs/architecture.md names every module.

Read from the code's own imports (ast), so a stray import fails here, not in review.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "scripts" / "incident_response"
VENDOR_SDKS = ("github", "datadog_api_client", "slack_sdk", "pagerduty", "requests", "urllib3",
               "httpx", "httpx2")
#: the vendors behind the capabilities: the core names none of them
VENDORS = re.compile(r"datadog|slack|pager ?duty", re.IGNORECASE)
#: where the core may still spell a vendor: the stored record's own names (its JSON field
#: aliases and its effect keys' spellings), which never change once shipped
STORED_NAMES = ("core/record/state.py", "core/record/keys.py")
#: the core's layers, lowest first: a module imports only from its own layer or lower ones
CORE_LAYERS = ("vocabulary", "errors", "names", "texts", "record", "rules", "decision", "figures")
#: the package's outer rooms, lowest first
ROOMS = ("resources", "core", "adapters", "shell", "commands", "cli", "__main__")


def modules(folder: str = "") -> list[Path]:
    found = sorted((PACKAGE / folder).rglob("*.py"))
    assert found, f"no modules under {folder!r}: the layout moved and this test must follow"
    return found


def name_of(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
        ".__init__")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _ours(names: set[str]) -> set[str]:
    return {n for n in names if n.startswith("incident_response.")}


def _room(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def _core_layer(module: str) -> int:
    part = module.split(".")[2]
    return CORE_LAYERS.index(part)


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_imports_nothing_outside_it_and_no_vendor_sdk(path: Path) -> None:
    for name in imported(path):
        assert name.split(".")[0] not in VENDOR_SDKS, f"{path.name} imports {name}"
        if name.startswith("incident_response."):
            assert name.startswith(("incident_response.core", "incident_response.resources")), (
                f"{path.name} imports {name}")


@pytest.mark.parametrize("path", [p for p in modules("core") if p.name != "__init__.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_layers_import_only_downwards(path: Path) -> None:
    """vocabulary < errors < names < texts < record < rules < decision < figures."""
    own = _core_layer(name_of(path))
    for name in _ours(imported(path)):
        if name.startswith("incident_response.core.") and name.count(".") >= 3:
            target = name.split(".")[2]
            if target in CORE_LAYERS:
                assert CORE_LAYERS.index(target) <= own, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_names_no_vendor(path: Path) -> None:
    """Adding another pager, incident tool or chat changes nothing in core/: no identifier,
    string or comment there names Datadog, Slack or PagerDuty (the stored record's own
    spellings aside)."""
    if str(path.relative_to(PACKAGE)) in STORED_NAMES:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
        names += [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
        names += [n.name for n in ast.walk(tree)
                  if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not [n for n in names if VENDORS.search(n)], path.name
        return
    found = [line for line in path.read_text(encoding="utf-8").splitlines()
             if VENDORS.search(line)]
    assert found == []


@pytest.mark.parametrize("path", [p for p in modules() if p.parent != PACKAGE
                                  or p.name != "__init__.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_rooms_import_only_rooms_below_them(path: Path) -> None:
    """resources < core < adapters < shell < commands < cli; adapters import no shell and no
    command, the shell no command (commands/ may hold the drill's in-memory stand-ins, which
    the shell never sees)."""
    own = ROOMS.index(_room(name_of(path)))
    for name in _ours(imported(path)):
        target = _room(name)
        if target in ROOMS:
            assert ROOMS.index(target) <= own, f"{path.relative_to(PACKAGE)} imports {name}"


@pytest.mark.parametrize("path", modules("adapters"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_an_adapter_imports_no_other_vendors_adapter(path: Path) -> None:
    own = name_of(path).split(".")
    vendor = own[2] if len(own) > 3 else None
    for name in _ours(imported(path)):
        parts = name.split(".")
        if parts[1] == "adapters" and len(parts) > 3 and vendor and parts[2] not in (
                "ports", "transport", "https"):
            assert parts[2] == vendor, f"{path.relative_to(PACKAGE)} imports {name}"


@pytest.mark.parametrize("path", [p for p in modules() if p.name != "cli.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_command_line_reads_the_environment_and_the_clock(path: Path) -> None:
    """The world is read once, into the run's context (shell/context.py), by cli.py."""
    text = path.read_text(encoding="utf-8")
    for forbidden in ("os.environ", "os.getenv", "datetime.now(", "time.time(", "date.today(",
                      "datetime.utcnow("):
        assert forbidden not in text, f"{path.name} uses {forbidden}"


@pytest.mark.parametrize("command", [p.stem for p in (PACKAGE / "commands").iterdir()
                                     if p.stem != "__init__" and not p.stem.startswith("_")
                                     and p.stem != "__pycache__"])
def test_commands_do_not_import_each_other(command: str) -> None:
    own = f"incident_response.commands.{command}"
    path = PACKAGE / "commands" / f"{command}.py"
    paths = [path] if path.exists() else modules(f"commands/{command}")
    for module in paths:
        for name in _ours(imported(module)):
            if name.startswith("incident_response.commands."):
                assert name.startswith(own), f"{module.name} imports {name}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_assert_is_for_tests_only(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not any(isinstance(node, ast.Assert) for node in ast.walk(tree))


def test_the_map_names_every_module_and_no_other() -> None:
    """docs/architecture.md's tables show every module of the package, and only those."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"^\| `([a-z_/]+\.py)` \|", text, re.MULTILINE))
    actual = {str(p.relative_to(PACKAGE)) for p in modules() if p.name != "__init__.py"}
    assert shown == actual, (sorted(actual - shown), sorted(shown - actual))


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "unit").glob("test_*.py")),
                         ids=lambda p: p.name)
def test_unit_tests_use_no_fake_and_no_world(path: Path) -> None:
    """The core's unit tests need neither a server nor the program's process."""
    for name in imported(path):
        assert not name.startswith(("tests.fakes", "tests.conftest")), f"{path.name}: {name}"
    assert "world: World" not in path.read_text(encoding="utf-8")

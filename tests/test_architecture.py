"""What ships and how the layers point: the kit runs without pytest, and imports go one way only."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WITHOUT_PYTEST = """
import importlib
import importlib.abc
import sys


class RefusePytest(importlib.abc.MetaPathFinder):
    # Behaves as if pytest were not installed, although it is in this virtualenv.
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pytest", "_pytest"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, RefusePytest())
for name in ("pytest", "connector.testing"):  # the blocker works: the plugin itself needs pytest
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        pass
    else:
        raise SystemExit(f"{name} imported although pytest is blocked")

for name in (
    "connector", "connector.cli", "connector.runtime", "emulator.app", "emulator.demo",
    "connector.apps.okta.app", "connector.apps.contacts.app", "connector.apps.personio.app",
):
    importlib.import_module(name)

from connector.cli import main
from emulator.app import create_app

create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{sys.argv[1]}/emulator.db", "RUNNER_THREAD": False})
for argv in (["--help"], ["validate"]):
    try:
        main(argv, prog_name="connector")
    except SystemExit as exit:
        assert exit.code == 0, (argv, exit.code)
print("pytest loaded:", "pytest" in sys.modules)
"""


def test_pytest_is_only_a_test_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [requirement.split(">")[0].split("[")[0].strip() for requirement in project["dependencies"]]
    assert "pytest" not in runtime
    assert any(r.startswith("pytest") for r in project["optional-dependencies"]["testing"])
    assert any(r.startswith("pytest") for r in project["optional-dependencies"]["test"])


def test_the_kit_the_emulator_and_the_apps_run_where_pytest_is_not_installed(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WITHOUT_PYTEST), str(tmp_path)],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "okta 1.0.0: ok" in run.stdout and "Usage: connector" in run.stdout
    assert "pytest loaded: False" in run.stdout


# ---- the import graph: kit <- apps <- emulator <- demo; sandboxes <- demo, CLI and tests ----

PACKAGES = ("connector", "auth", "triggers", "actions", "searches", "emulator", "sandboxes")
#: Inside ``connector/`` but above the kit: the shipped apps' assembly, the CLI (which drives the
#: store, the emulator and the sandboxes) and the pytest plugin (which starts sandboxes).
ABOVE_THE_KIT = ("connector.apps", "connector.cli", "connector.testing")
APPS = ("auth", "triggers", "actions", "searches", "connector.apps")
#: One module per operation, one folder per kind (as Zapier's triggers/creates/searches), and per kind
#: the constant each module exports. What operations share lives in the app's home, ``connector.apps.<app>``.
OPERATIONS = {"triggers": ("TRIGGER",), "actions": ("ACTION",), "searches": ("SEARCH",)}
#: The one module of an app's home that imports its operations: the assembly of ``APP``.
ASSEMBLY = "app"
#: The demo sits on top of the emulator: it starts sandboxes and adds demo data; the emulator never needs it.
DEMO = "emulator.demo"
SANDBOXES = "sandboxes"
#: Who may start a sandbox: the demo, the ``connector sandbox``/``emulate`` commands, the pytest plugin.
SANDBOX_USERS = ("emulator.demo", "connector.cli.sandbox", "connector.cli.emulate", "connector.testing")
#: Imports that break a rule today, each with why; the test fails when one disappears, so it is removed.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {
}


def _within(module: str, packages: str | tuple[str, ...]) -> bool:
    names = (packages,) if isinstance(packages, str) else packages
    return any(module == name or module.startswith(name + ".") for name in names)


def _imports() -> list[tuple[str, str, int]]:
    """Every import between the project's own modules (lazy and type-checking ones too), with its line."""
    import grimp

    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                found.append((importer, imported, int(detail["line_number"])))
    return found


def _may_not_import_operations(rule: str, importer: str) -> bool:
    """Operations of any kind, and an app's home outside its assembly, import no operation."""
    if rule == "operations":
        return _within(importer, tuple(OPERATIONS))
    return rule == "homes" and _within(importer, "connector.apps") and not importer.endswith("." + ASSEMBLY)


def _breaches(rule: str) -> list[str]:
    breaches = []
    for importer, imported, line in _imports():
        if (importer, imported) in KNOWN_EXCEPTIONS:
            continue
        if rule == "kit" and _within(importer, "connector") and not _within(importer, ABOVE_THE_KIT):
            broken = not _within(imported, "connector") or _within(imported, ABOVE_THE_KIT)
        elif rule == "apps" and _within(importer, APPS):
            broken = _within(imported, ("emulator", "connector.cli", "connector.testing"))
        elif _may_not_import_operations(rule, importer):
            broken = _within(imported, tuple(OPERATIONS))
        elif rule == "demo" and _within(importer, "emulator") and not _within(importer, DEMO):
            broken = _within(imported, DEMO)
        elif rule == "sandboxes-import" and _within(importer, SANDBOXES):
            broken = not _within(imported, SANDBOXES)
        elif rule == "sandboxes-imported" and not _within(importer, SANDBOXES):
            broken = _within(imported, SANDBOXES) and not _within(importer, SANDBOX_USERS)
        else:
            broken = False
        if broken:
            breaches.append(f"{importer} (line {line}) imports {imported}")
    return breaches


def test_the_kit_imports_nothing_of_the_apps_the_emulator_or_the_cli() -> None:
    assert _breaches("kit") == []


def test_the_apps_never_import_the_emulator() -> None:
    assert _breaches("apps") == []


def test_triggers_actions_and_searches_never_import_one_another() -> None:
    # Shared fields and API helpers live in the app's home (connector/apps/<app>/), not in an operation.
    assert _breaches("operations") == []


def test_an_apps_home_imports_its_operations_only_in_its_assembly() -> None:
    assert _breaches("homes") == []


def test_every_module_of_an_operation_folder_is_one_operation() -> None:
    """So a newcomer finds an operation by its kind and key alone: ``searches/okta/find_user.py``."""
    import importlib

    strays = []
    for kind, constants in OPERATIONS.items():
        for path in sorted((ROOT / kind).glob("*/*.py")):
            if path.name == "__init__.py":
                continue
            module = importlib.import_module(f"{kind}.{path.parent.name}.{path.stem}")
            if not any(hasattr(module, constant) for constant in constants):
                strays.append(f"{kind}/{path.parent.name}/{path.name} defines none of {constants}")
    assert strays == []


def test_the_emulator_never_imports_its_demo() -> None:
    assert _breaches("demo") == []


def test_the_sandboxes_import_nothing_of_the_product() -> None:
    assert _breaches("sandboxes-import") == []


def test_only_the_demo_the_cli_and_the_test_plugin_reach_into_the_sandboxes() -> None:
    assert _breaches("sandboxes-imported") == []


def test_every_known_exception_to_the_layers_still_exists() -> None:
    present = {(importer, imported) for importer, imported, _line in _imports()}
    assert [pair for pair in KNOWN_EXCEPTIONS if pair not in present] == []

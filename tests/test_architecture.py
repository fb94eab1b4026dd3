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
    "connector.apps.okta", "connector.apps.contacts", "connector.apps.personio",
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

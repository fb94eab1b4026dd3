"""What ships: ``pip install connector-kit`` in a clean virtualenv, without extras, runs the product.

The story of a user who installs the kit to run the emulator against the real services: the wheel is
built from this tree (``pip wheel --no-deps``) and installed, dependencies from the package index, into
a fresh virtualenv. There, neither the sandboxes nor pytest can be imported; ``connector --help`` and
``connector validate`` work; ``create_app`` serves the emulator; ``connector emulate`` serves the
emulator alone and says so in one line; ``connector sandbox okta`` names the command that adds the
sandboxes. The sandboxes' own wheel holds the sandboxes and nothing of the product.

One module-scoped virtualenv serves every test here (building it takes a minute under load).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SANDBOXES_INSTALL = "pip install 'connector-kit[sandboxes]'"
#: What the product's wheel holds at its top level: the packages the user asked for, nothing else.
PRODUCT_PACKAGES = {"connector", "triggers", "actions", "searches", "auth", "emulator"}
#: Never copied into the build: the tree's own virtualenv, caches, build leftovers and what is not shipped.
NOT_SOURCE_AT_TOP = {".venv", ".git", "build", "dist", "data", "tests", "bench", "docs", "scripts"}
NOT_SOURCE_ANYWHERE = shutil.ignore_patterns("__pycache__", "*.egg-info", ".mypy_cache", ".ruff_cache", ".pytest_cache")


def _not_source(folder: str, names: list[str]) -> set[str]:
    ignored = set(NOT_SOURCE_ANYWHERE(folder, names))
    if Path(folder) == ROOT:
        ignored |= NOT_SOURCE_AT_TOP & set(names)
    return ignored

pytestmark = pytest.mark.slow


@dataclass
class CleanInstall:
    """A fresh virtualenv with the product's wheel installed without extras."""

    venv: Path
    product_wheel: Path
    sandboxes_wheel: Path
    installed: list[str]

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def run(self, *argv: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "CONNECTOR_"))}
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def clean_install(tmp_path_factory: pytest.TempPathFactory) -> CleanInstall:
    base = tmp_path_factory.mktemp("ships")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=_not_source)  # build from a copy: the tree stays free of build/
    wheels = base / "wheels"
    for project in (source, source / "sandboxes"):
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(project), "-w", str(wheels)],
            capture_output=True, text=True, timeout=300,
        )
        assert built.returncode == 0, built.stderr[-3000:]
    product = next(wheels.glob("connector_kit-*.whl"))
    sandboxes = next(wheels.glob("connector_kit_sandboxes-*.whl"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(product)],
        capture_output=True, text=True, timeout=600,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    listed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    names = sorted(line.split("==")[0].lower() for line in listed.stdout.splitlines() if "==" in line)
    return CleanInstall(venv, product, sandboxes, names)


def _top_level(wheel: Path) -> set[str]:
    return {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist() if ".dist-info/" not in name}


def test_the_product_wheel_holds_the_product_packages_and_no_sandbox(clean_install: CleanInstall) -> None:
    assert _top_level(clean_install.product_wheel) == PRODUCT_PACKAGES
    names = zipfile.ZipFile(clean_install.product_wheel).namelist()
    assert not [n for n in names if "sandboxes/" in n and not n.startswith("emulator/demo/")]
    for data in ("emulator/ui/templates/ui/no_sandboxes.html", "connector/scaffold/package/tests/test_app.py.tmpl",
                 "emulator/demo/templates/demo/sandboxes.html", "emulator/demo/static/sandboxes.js"):
        assert data in names  # templates ship with the code that renders them
    assert {f"{package}/py.typed" for package in PRODUCT_PACKAGES} <= set(names)  # typed, as PEP 561 says


def test_the_sandboxes_wheel_holds_the_sandboxes_and_nothing_of_the_product(clean_install: CleanInstall) -> None:
    assert _top_level(clean_install.sandboxes_wheel) == {"sandboxes"}
    names = set(zipfile.ZipFile(clean_install.sandboxes_wheel).namelist())
    for module in ("sandboxes/okta/__init__.py", "sandboxes/contacts/__init__.py", "sandboxes/personio/__init__.py",
                   "sandboxes/transport.py", "sandboxes/contract_check.py", "sandboxes/py.typed"):
        assert module in names


def test_installing_without_extras_pulls_neither_the_sandboxes_nor_pytest(clean_install: CleanInstall) -> None:
    assert "connector-kit" in clean_install.installed
    for absent in ("connector-kit-sandboxes", "pytest", "respx", "playwright", "celery", "mypy"):
        assert absent not in clean_install.installed
    for tmp in ("sandboxes", "pytest"):
        imported = clean_install.run(clean_install.bin("python"), "-c", f"import {tmp}", cwd=clean_install.venv)
        assert imported.returncode != 0
        assert f"No module named '{tmp}'" in imported.stderr


def test_the_command_line_validates_every_shipped_app(clean_install: CleanInstall, tmp_path: Path) -> None:
    helped = clean_install.run(clean_install.bin("connector"), "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "Usage: connector" in helped.stdout
    validated = clean_install.run(clean_install.bin("connector"), "validate", cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
    for app in ("okta", "contacts", "personio"):
        assert f"{app} 1.0.0: ok" in validated.stdout


CREATE_APP = """
import sys
from emulator.app import create_app

app = create_app({"DATABASE_URL": f"sqlite:///{sys.argv[1]}/emulator.db", "CSRF_ENABLED": False})
client = app.test_client()
apps = client.get("/api/apps")
assert apps.status_code == 200, apps.status_code
print("apps:", ",".join(sorted(a["key"] for a in apps.get_json()["apps"])))
flows = client.post("/api/flows", json={"name": "x"})
print("flow without trigger:", flows.status_code)
page = client.get("/flows").get_data(as_text=True)
print("sandboxes in the menu:", ">Sandboxes</a>" in page)
print("sandboxes page:", client.get("/sandboxes").get_data(as_text=True).count("No sandboxes run"))
print("connections:", client.get("/api/connections").status_code)
"""


def test_create_app_serves_the_emulator_without_the_sandboxes(clean_install: CleanInstall, tmp_path: Path) -> None:
    served = clean_install.run(clean_install.bin("python"), "-c", textwrap.dedent(CREATE_APP), str(tmp_path),
                               cwd=tmp_path)
    assert served.returncode == 0, served.stderr[-3000:]
    lines = served.stdout.splitlines()
    assert "apps: contacts,okta,personio" in lines
    assert "flow without trigger: 422" in lines  # the JSON API checks the flow, as with the sandboxes
    assert "sandboxes in the menu: False" in lines
    assert "sandboxes page: 1" in lines
    assert "connections: 404" in lines  # no credential store given: a clear answer, not a crash


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def emulate_alone(clean_install: CleanInstall, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """``connector emulate`` in the clean install; yields its URL, its first stderr line and its token."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "CONNECTOR_"))}
    with subprocess.Popen(
        [clean_install.bin("connector"), "emulate", "--port", str(port), "--data", str(tmp_path / "data")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env,
    ) as process:
        try:
            assert process.stdout is not None and process.stderr is not None
            first = process.stdout.readline()
            assert first.startswith("Emulator running at"), (first, process.stderr.read() if process.poll() else "")
            token = (tmp_path / "data" / "access.token").read_text().strip()
            yield f"http://127.0.0.1:{port}", process.stderr.readline(), token
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_emulate_without_the_sandboxes_serves_the_emulator_alone_and_says_so(
    emulate_alone: tuple[str, str, str],
) -> None:
    url, notice, token = emulate_alone
    assert notice.startswith("The sandboxes are not installed: serving the emulator alone")
    assert SANDBOXES_INSTALL in notice
    headers = {"X-Emulator-Token": token}
    deadline = time.monotonic() + 30
    while True:
        try:
            apps = httpx.get(f"{url}/api/apps", headers=headers, timeout=10)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert apps.status_code == 200
    assert {a["key"] for a in apps.json()["apps"]} == {"okta", "contacts", "personio"}
    assert httpx.get(f"{url}/api/connections", headers=headers, timeout=10).json() == {"connections": []}
    assert httpx.get(f"{url}/api/apps", timeout=10).status_code == 401  # the access token still guards it


def test_serving_a_sandbox_without_them_names_the_command_that_adds_them(
    clean_install: CleanInstall, tmp_path: Path,
) -> None:
    refused = clean_install.run(clean_install.bin("connector"), "sandbox", "okta", "--port", "0", cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"Error: `connector sandbox okta` needs the local sandboxes, which are not installed; "
        f"add them with: {SANDBOXES_INSTALL}"
    ]

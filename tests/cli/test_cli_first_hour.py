"""A connector author's first hour on the command line: `connector init` → its tests pass → `validate` →
`invoke` against the fake API on a real port → `connect` → one more operation with `scaffold` → the
package installs and registers its app through its entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from connector.cli import main
from emulator.serving import ServedApp, serve

pytestmark = pytest.mark.slow
APP_SPEC = "recipes_connector.app:APP"
KEY = "fake-api-key-123"


def _ok(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def _pytest(package: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=package, capture_output=True,
        text=True, timeout=300, env={**os.environ, "PYTHONPATH": ""},
    )


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """`connector init recipes`, and the author standing in the new folder."""
    printed = _ok("init", "recipes", "--dir", str(tmp_path / "recipes"))
    assert "Created the recipes connector" in printed and "pip install -e ." in printed
    monkeypatch.chdir(tmp_path / "recipes")
    monkeypatch.syspath_prepend(str(tmp_path / "recipes"))
    yield tmp_path / "recipes"
    for name in [m for m in sys.modules if m.split(".")[0] == "recipes_connector"]:
        del sys.modules[name]


@pytest.fixture
def fake_api(package: Path) -> Iterator[ServedApp]:
    from recipes_connector.fake import create_fake

    with serve(create_fake()) as served:
        yield served


def test_a_new_connector_package_passes_its_own_tests_out_of_the_box(package: Path) -> None:
    run = _pytest(package)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "16 passed" in run.stdout and "failed" not in run.stdout


def test_the_new_app_validates_and_runs_against_its_fake_on_a_real_port(package: Path, fake_api: ServedApp) -> None:
    assert _ok("validate", "recipes", "--app", APP_SPEC).strip() == "recipes 0.1.0: ok (4 operations)"
    common = ["--app", APP_SPEC, "--field", f"api_key={KEY}", "--base-url", fake_api.base_url]
    categories = json.loads(_ok("invoke", "recipes.list_categories", *common))
    created = json.loads(_ok("invoke", "recipes.create_item", *common, "--input",
                             json.dumps({"name": "Pea soup", "category_id": categories[0]["id"]})))
    found = json.loads(_ok("invoke", "recipes.find_item", *common, "--input", '{"name": "pea"}'))
    polled = json.loads(_ok("invoke", "recipes.new_item", *common))
    assert created["name"] == "Pea soup" and created["category_id"] == categories[0]["id"]
    assert [item["id"] for item in found] == [created["id"]]
    assert polled[0]["id"] == created["id"]


def test_the_new_app_connects_from_the_cli_with_its_own_fields(
    package: Path, fake_api: ServedApp, tmp_path: Path
) -> None:
    printed = _ok("connect", "--app", APP_SPEC, "recipes", "--api-key", KEY, "--base-url", fake_api.base_url,
                  "--data-dir", str(tmp_path / "data"))
    assert printed.strip() == "Connected recipes (recipes): Test Kitchen"


def test_scaffolded_operations_are_listed_validated_and_tested(package: Path) -> None:
    for kind, name in (("trigger", "new_order"), ("action", "archive_item"), ("search", "find_order")):
        assert "listed it in" in _ok("scaffold", kind, name)
    assert _ok("validate", "recipes", "--app", APP_SPEC).strip() == "recipes 0.1.0: ok (7 operations)"
    run = _pytest(package)
    assert run.returncode == 0, run.stdout + run.stderr
    refused = CliRunner().invoke(main, ["scaffold", "action", "archive_item"])
    assert refused.exit_code == 2 and "exists already" in refused.output


def test_an_oauth2_package_passes_its_tests_too(tmp_path: Path) -> None:
    _ok("init", "pantry", "--auth", "oauth2", "--dir", str(tmp_path / "pantry"))
    run = _pytest(tmp_path / "pantry")
    assert run.returncode == 0, run.stdout + run.stderr


def test_init_refuses_a_name_an_installed_app_uses_and_a_folder_in_use(tmp_path: Path) -> None:
    taken = CliRunner().invoke(main, ["init", "okta", "--dir", str(tmp_path / "okta")])
    assert taken.exit_code == 2 and "already uses the key 'okta'" in taken.output
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    busy = CliRunner().invoke(main, ["init", "recipes", "--dir", str(tmp_path / "busy")])
    assert busy.exit_code == 2 and "exists and is not empty" in busy.output
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_the_installed_package_registers_its_app_through_the_entry_point(package: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(package)], check=True, capture_output=True, timeout=300,
    )
    listed = subprocess.run(
        [sys.executable, "-m", "connector.cli", "validate", "recipes"], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(target)},
    )
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == "recipes 0.1.0: ok (4 operations)"


def test_an_oauth2_connector_connects_through_its_consent_page_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket
    import threading

    import httpx

    _ok("init", "pantry", "--auth", "oauth2", "--dir", str(tmp_path / "pantry"))
    monkeypatch.chdir(tmp_path / "pantry")
    monkeypatch.syspath_prepend(str(tmp_path / "pantry"))
    from pantry_connector.fake import create_fake

    def consent_in_a_browser(url: str) -> bool:
        threading.Thread(target=lambda: httpx.get(url, follow_redirects=True, timeout=10)).start()
        return True

    monkeypatch.setattr("webbrowser.open", consent_in_a_browser)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        callback_port = probe.getsockname()[1]
    try:
        with serve(create_fake()) as fake:
            printed = _ok("connect", "--app", "pantry_connector.app:APP", "pantry", "--oauth", "--client-id", "cid",
                          "--client-secret", "csecret", "--base-url", fake.base_url, "--port", str(callback_port),
                          "--open-browser", "--data-dir", str(tmp_path / "data"))
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "pantry_connector"]:
            del sys.modules[name]
    assert "Open this URL to connect" in printed and f"{fake.base_url}/oauth/authorize?" in printed
    assert printed.strip().endswith("Connected pantry (pantry): Test Kitchen")
    from auth.store import open_store

    store = open_store(str(tmp_path / "data"))
    (record,) = store.list()
    assert store.fields(record.id)["access_token"] == "fake-access-token-123"

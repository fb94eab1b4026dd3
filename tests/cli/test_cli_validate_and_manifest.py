"""``connector validate`` and ``connector manifest``: both installed apps are clean and fully listed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from connector.apps.contacts.app import APP as CONTACTS
from connector.apps.okta.app import APP as OKTA
from connector.cli import main


def test_validate_finds_both_installed_apps_clean() -> None:
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert f"okta {OKTA.version}: ok ({len(OKTA.operations)} operations)" in result.stdout
    assert f"contacts {CONTACTS.version}: ok ({len(CONTACTS.operations)} operations)" in result.stdout


def test_the_manifests_list_every_operation_of_both_apps(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    result = CliRunner().invoke(main, ["manifest", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = [Path(line) for line in result.stdout.splitlines()]
    assert sorted(path.name for path in written) == [
        "contacts.manifest.json", "okta.manifest.json", "personio.manifest.json"
    ]
    for app in (OKTA, CONTACTS):
        manifest = json.loads((out / f"{app.key}.manifest.json").read_text())
        assert manifest["app"]["key"] == app.key
        kinds = ("triggers", "actions", "searches", "searchOrCreates")
        listed = {op["key"] for kind in kinds for op in manifest.get(kind, [])}
        assert listed == {op.key for op in app.operations}

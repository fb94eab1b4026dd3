"""``connector validate`` and ``connector manifest``: both installed apps are clean and fully listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def test_a_second_validate_skips_only_the_operations_that_passed_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONNECTOR_CACHE_DIR", str(tmp_path))
    first = CliRunner().invoke(main, ["validate"])
    assert first.exit_code == 0, first.output
    memo_file = tmp_path / "manifest-validated.json"
    remembered = json.loads(memo_file.read_text())["passed"]
    assert len(remembered) >= len(OKTA.operations)
    again = CliRunner().invoke(main, ["validate"])
    assert again.output == first.output


def test_a_broken_operation_is_reported_on_every_run_and_never_remembered(tmp_path: Path) -> None:
    from connector.manifest import build_manifest, validate_manifest
    from connector.validation_memo import ValidationMemo

    document = build_manifest(OKTA)
    broken = json.loads(json.dumps(document))
    broken["actions"][0]["key"] = "Not A Key"
    memo = ValidationMemo(tmp_path / "memo.json", salt="schema")
    for _ in range(2):
        problems = [str(p) for p in validate_manifest(broken, memo)]
        assert any("Not A Key" in p for p in problems), problems
        memo.save()
        memo = ValidationMemo(tmp_path / "memo.json", salt="schema")
    assert not memo.passed(memo.key(broken["actions"][0]))
    assert memo.passed(memo.key(broken["actions"][1]))
    # Another schema (a new kit) checks everything again.
    assert not ValidationMemo(tmp_path / "memo.json", salt="another schema").passed(memo.key(broken["actions"][1]))

"""The `connector` command line: JSON on success, one clear line and a non-zero exit on failure."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from connector.cli import main

RECIPES = "recipes_app:APP"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_every_command_has_help(runner):
    for args in (["--help"], ["validate", "--help"], ["manifest", "--help"], ["invoke", "--help"],
                 ["sandbox", "--help"], ["sandbox", "okta", "--help"], ["sandbox", "contacts", "--help"],
                 ["sandbox", "personio", "--help"], ["connect", "personio", "--help"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
        assert "Usage:" in result.output


def test_validate_reports_a_valid_app(runner):
    result = runner.invoke(main, ["validate", "recipes", "--app", RECIPES])
    assert result.exit_code == 0, result.output
    assert "recipes 1.0.0: ok" in result.output


def test_manifest_writes_one_json_document_per_app(runner, tmp_path):
    result = runner.invoke(main, ["manifest", "recipes", "--app", RECIPES, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "recipes.manifest.json").read_text())
    assert document["app"]["key"] == "recipes"
    assert {a["key"] for a in document["actions"]} == {"create_recipe"}


def test_invoke_with_bad_json_says_what_is_wrong(runner):
    result = runner.invoke(main, ["invoke", "recipes.create_recipe", "--app", RECIPES, "--input", "{name:"])
    assert result.exit_code == 2
    assert "--input: not valid JSON" in result.output
    assert "Traceback" not in result.output


def test_invoke_with_invalid_input_names_the_field_before_any_call(runner):
    result = runner.invoke(main, ["invoke", "recipes.create_recipe", "--app", RECIPES, "--input", '{"servings": "x"}'])
    assert result.exit_code == 2
    assert "name" in result.output and "servings" in result.output


def test_invoke_of_an_unknown_app_lists_the_known_ones(runner):
    result = runner.invoke(main, ["invoke", "nope.create", "--app", RECIPES])
    assert result.exit_code == 2
    assert "unknown app 'nope'" in result.output and "recipes" in result.output


def test_invoke_runs_the_operation_against_a_real_port_and_prints_json(runner):
    from recipes_app import recipes_service

    from emulator.serving import serve

    with serve(recipes_service()) as served:
        result = runner.invoke(
            main,
            ["invoke", "recipes.create_recipe", "--app", RECIPES, "--field", "token=secret-token-123",
             "--base-url", served.base_url, "--input", '{"name": "Pho"}', "--trace"],
        )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["output"] == {"id": 1, "name": "Pho", "servings": 2}
    assert printed["trace"][0]["status"] == 201
    assert "secret-token-123" not in result.output


def test_the_command_list_reads_the_same_before_and_after_every_command_is_imported(runner):
    import click

    from connector.cli import COMMANDS, LazyGroup

    lazy = LazyGroup(name="connector", lazy=COMMANDS, help=main.help)
    before = runner.invoke(lazy, ["--help"]).output
    assert not lazy.commands  # --help imported none of them
    loaded = LazyGroup(name="connector", lazy=COMMANDS, help=main.help)
    for name in COMMANDS:
        assert isinstance(loaded.get_command(click.Context(loaded), name), click.Command)
    assert runner.invoke(loaded, ["--help"]).output == before

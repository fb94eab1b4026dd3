"""One rule for output schemas everywhere: the CLI, the pytest fixtures and the emulator all reject a
`null` in a non-nullable output field by default; `--lenient` is the explicit way out."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from connector.cli import main
from connector.errors import ResultError
from connector.registry import load_object

NULL_NAME_APP = '''
from dataclasses import replace

from connector.definitions import Search
from recipes_app import APP as RECIPES, RECIPE_OUTPUT

NAMELESS = Search(key="nameless", noun="Recipe", label="Nameless", description="A recipe with no name.",
                  output_fields=RECIPE_OUTPUT, sample={"id": 1, "name": "Soup", "servings": 2},
                  perform=lambda ctx, values: [{"id": 1, "name": None, "servings": 2}])
APP = replace(RECIPES, key="nameless_recipes", searches=(NAMELESS,))
'''
EXPECTED = (
    "nameless_recipes.nameless has a bug in its connector code (the service is not at fault; fix the connector): "
    "item 0 does not match its output schema at name: None is not of type 'string'"
)


@pytest.fixture
def nameless_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "nameless_recipes.py").write_text(NULL_NAME_APP)
    monkeypatch.chdir(tmp_path)
    return "nameless_recipes:APP"


def test_invoke_rejects_a_null_name_by_default(nameless_app: str) -> None:
    result = CliRunner().invoke(main, ["invoke", "nameless_recipes.nameless", "--app", nameless_app])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: ResultError: {EXPECTED}"


def test_invoke_lenient_is_the_explicit_way_out(nameless_app: str) -> None:
    result = CliRunner().invoke(main, ["invoke", "nameless_recipes.nameless", "--app", nameless_app, "--lenient"])
    assert result.exit_code == 0, result.output
    assert '"name": null' in result.stdout


def test_the_pytest_fixture_rejects_it_with_the_same_message(nameless_app: str, invoke_operation) -> None:
    with pytest.raises(ResultError) as caught:
        invoke_operation(load_object(nameless_app), "nameless", None)
    assert caught.value.message == EXPECTED

"""A connector's own bugs are named as the connector's, with its app and operation, in one failure style:
an `error:` line, the traceback only behind `--debug`, and the HTTP trace kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from recipes_app import recipes_service

from connector.cli import main
from emulator.serving import serve

BROKEN_APP = '''
from dataclasses import replace

from connector.definitions import Action, Field, Trigger
from recipes_app import APP as RECIPES


def _post_then_crash(ctx, values):
    ctx.http.post("/recipes", json={"name": values["name"]})
    return values["no_such_key"]


BROKEN = (
    Action(key="post_then_crash", noun="Recipe", label="Crash", description="Posts, then crashes.",
           input_fields=(Field("name"),), perform=_post_then_crash),
    Action(key="wrong_type", noun="Recipe", label="Wrong type", description="An input with a typo'd type.",
           input_fields=(Field("servings", type="int"),), perform=lambda ctx, values: {}),
)
HOOK = Trigger(key="new_order", noun="Order", label="New Order", description="Orders.", kind="hook",
               list_samples=lambda ctx, values: [])
APP = replace(RECIPES, key="broken_recipes", actions=(*RECIPES.actions, *BROKEN),
              triggers=(*RECIPES.triggers, HOOK))
'''


@pytest.fixture
def broken_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "broken_recipes.py").write_text(BROKEN_APP)
    monkeypatch.chdir(tmp_path)
    return "broken_recipes:APP"


def _invoke(broken_app: str, url: str, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, [
        *(["--debug"] if "--debug" in args else []), "invoke", *[a for a in args if a != "--debug"],
        "--app", broken_app, "--field", "token=secret-token-123", "--base-url", url,
    ])
    return result.exit_code, result.stdout, result.stderr


def test_a_crashing_perform_prints_one_error_line_and_keeps_the_trace(broken_app: str) -> None:
    service = recipes_service()
    with serve(service) as served:
        code, out, err = _invoke(broken_app, served.base_url, "broken_recipes.post_then_crash",
                                 "--input", '{"name": "Soup"}', "--trace")
    assert code == 1 and out == ""
    assert "Traceback" not in err
    error_lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert error_lines == [
        "error: CodeCrashed: broken_recipes.post_then_crash has a bug in its connector code (the service is not "
        "at fault; fix the connector): perform raised KeyError: 'no_such_key'; run `connector --debug ...` "
        "for the traceback"
    ]
    trace = json.loads(err[: err.index("error: ")])["trace"]
    assert [(e["method"], e["status"]) for e in trace] == [("POST", 201)]
    assert "secret-token-123" not in err


def test_debug_shows_the_traceback_of_the_connectors_code(broken_app: str) -> None:
    with serve(recipes_service()) as served:
        code, _out, err = _invoke(broken_app, served.base_url, "--debug", "broken_recipes.post_then_crash",
                                  "--input", '{"name": "Soup"}')
    assert code == 1
    assert "Traceback (most recent call last)" in err and "_post_then_crash" in err
    assert err.rstrip().splitlines()[-1].startswith("error: CodeCrashed: broken_recipes.post_then_crash")


def test_an_unknown_field_type_is_the_connectors_bug_not_the_services(broken_app: str) -> None:
    code, _out, err = _invoke(broken_app, "http://recipes.test", "broken_recipes.wrong_type", "--input", "{}")
    assert code == 1
    assert err.strip() == (
        "error: DefinitionError: broken_recipes.wrong_type has a bug in its connector code (the service is not "
        "at fault; fix the connector): field 'servings' has unknown type 'int'"
    )


def test_a_hook_trigger_without_subscribe_names_the_app_and_operation(broken_app: str) -> None:
    code, _out, err = _invoke(broken_app, "http://recipes.test", "broken_recipes.new_order", "--step", "subscribe",
                              "--target-url", "http://hooks.test/1")
    assert code == 1
    assert err.strip() == (
        "error: DefinitionError: broken_recipes.new_order has a bug in its connector code (the service is not "
        "at fault; fix the connector): has no subscribe function"
    )


def test_a_trigger_item_without_an_id_names_the_app_and_operation(broken_app: str) -> None:
    code, _out, err = _invoke(broken_app, "http://recipes.test", "broken_recipes.broken_no_ids")
    assert code == 1
    assert err.strip().startswith(
        "error: ResultError: broken_recipes.broken_no_ids has a bug in its connector code (the service is not "
        "at fault; fix the connector): item 0 needs a primitive 'id' (got NoneType)"
    )

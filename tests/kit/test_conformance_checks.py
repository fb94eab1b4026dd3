"""Each conformance check, by name: the recipes app passes it, and a recipes app broken against its rule
fails it with a message naming the operation. The generated suite holds one test per check that applies."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from recipes_app import APP, recipes_service

from connector.conformance import CONFORMANCE_CHECKS, CONFORMANCE_CHECKS_BY_NAME, ConformanceSetup, conformance_suite
from connector.context import Connection, Context
from connector.definitions import App, Field, Trigger

#: What a failed check raises: an assertion, or pytest's "DID NOT RAISE" when a refusal was expected.
FAILED = (AssertionError, pytest.fail.Exception)


@pytest.fixture
def setup() -> ConformanceSetup:
    service = recipes_service()
    service.config["recipes"].append({"id": 1, "name": "Soup", "servings": 2})
    transport = httpx.WSGITransport(app=service)
    return ConformanceSetup(
        connection=Connection(app="recipes", fields={"token": "secret-token-123"}, transport=transport),
        bad_connection=Connection(app="recipes", fields={"token": "wrong"}, transport=transport),
        inputs={"create_recipe": {"name": "Pho"}},
    )


def _with_trigger(trigger: Trigger) -> App:
    return replace(RECIPES, triggers=(trigger,))


def _fresh_ids() -> Callable[[Context, dict[str, Any]], list[dict[str, Any]]]:
    counter = itertools.count(100)
    return lambda ctx, values: [{"id": next(counter), "name": "Again", "servings": 1}]


HOOKS: list[str] = []
NEW_RECIPE = APP.triggers[0]
CREATE = APP.actions[0]
#: The recipes app without its deliberately broken (and slow) hidden triggers.
RECIPES = replace(APP, triggers=(NEW_RECIPE,))

#: check name -> (operation key, the app broken against the rule, the failure's words)
BROKEN: dict[str, tuple[str | None, App, str]] = {
    "sample_matches_the_output_schema": (
        "new_recipe", _with_trigger(replace(NEW_RECIPE, sample={"id": "one", "name": "Soup", "servings": 2})),
        "recipes.new_recipe sample breaks its output schema at id",
    ),
    "sample_matches_what_the_operation_returns": (
        "new_recipe", _with_trigger(replace(NEW_RECIPE, sample={**NEW_RECIPE.sample, "cuisine": "Thai"})),
        "recipes.new_recipe sample has keys the real output lacks: ['cuisine']",
    ),
    "invalid_input_makes_no_http_call": (  # a required field with a default is never missing
        "create_recipe",
        replace(RECIPES, actions=(replace(CREATE, input_fields=(Field("name", required=True, default="Soup"),)),)),
        "DID NOT RAISE",
    ),
    "bad_credentials_fail_the_connection_test": (  # a test that never asks the vendor
        None, replace(RECIPES, auth=replace(APP.auth, test=lambda ctx: {"user": "anyone"})), "DID NOT RAISE",
    ),
    "polling_twice_returns_nothing_new_the_second_time": (
        "new_recipe", _with_trigger(replace(NEW_RECIPE, perform=_fresh_ids())),
        "recipes.new_recipe fired 1 item(s) again with nothing changed",
    ),
    "subscribe_then_unsubscribe_leaves_no_hook_behind": (
        "new_recipe",
        _with_trigger(replace(
            NEW_RECIPE, kind="hook", perform=None, list_samples=NEW_RECIPE.perform,
            subscribe=lambda ctx, values: HOOKS.append("hook") or {"id": len(HOOKS)},
            unsubscribe=lambda ctx, values: None,  # forgets to delete the hook
            parse_delivery=lambda ctx, request: [],
        )),
        "recipes.new_recipe unsubscribe left its hook behind",
    ),
    "running_twice_with_the_same_input_leaves_one_record": (
        "create_recipe", replace(RECIPES, actions=(replace(CREATE, idempotent=True),)),  # claims it, creates twice
        "recipes.create_recipe made a second record on a repeated run: 2 vs 3",
    ),
}


def test_every_check_has_a_story_here() -> None:
    assert sorted(BROKEN) == sorted(CONFORMANCE_CHECKS_BY_NAME)


@pytest.mark.parametrize("name", list(BROKEN))
def test_an_app_broken_against_a_rule_fails_that_check(name: str, setup: ConformanceSetup) -> None:
    key, broken, words = BROKEN[name]
    setup.hooks = lambda: len(HOOKS)
    check = CONFORMANCE_CHECKS_BY_NAME[name]
    with pytest.raises(FAILED) as failed:
        check.check(broken, key, setup)
    assert words in str(failed.value)


#: The checks that apply to the recipes app as it is (it has no hook trigger and no replay-safe action).
APPLIES = [c.name for c in CONFORMANCE_CHECKS if c.operations is None or c.operations(RECIPES)]


@pytest.mark.parametrize("name", APPLIES)
def test_the_recipes_app_passes_every_check_that_applies_to_it(name: str, setup: ConformanceSetup) -> None:
    check = CONFORMANCE_CHECKS_BY_NAME[name]
    for key in check.operations(RECIPES) if check.operations else [None]:
        # A skip (no valid input given for that operation) is what the generated test does too.
        with contextlib.suppress(pytest.skip.Exception):
            check.check(RECIPES, key, setup)


def test_the_suite_has_one_test_per_check_that_applies() -> None:
    suite = conformance_suite(RECIPES)
    tests = sorted(name for name in vars(suite) if name.startswith("test_"))
    # Checks with nothing to check in this app are left out rather than skipped.
    assert tests == sorted(f"test_{name}" for name in APPLIES)
    assert "subscribe_then_unsubscribe_leaves_no_hook_behind" not in APPLIES
    assert suite.__name__ == "TestRecipesConformance"
    assert suite.test_sample_matches_the_output_schema.__doc__ == (
        CONFORMANCE_CHECKS_BY_NAME["sample_matches_the_output_schema"].rule
    )


def _parametrized_keys(test: object) -> list[str]:
    marks = [mark for mark in getattr(test, "pytestmark", []) if mark.name == "parametrize"]
    return [param.values[0] for mark in marks for param in mark.args[1]]


def test_operations_run_elsewhere_leave_only_the_checks_that_run_them() -> None:
    every = [op.key for op in RECIPES.operations]
    elsewhere = every[0]
    suite = conformance_suite(RECIPES, run_elsewhere={elsewhere})
    assert elsewhere not in _parametrized_keys(suite.test_sample_matches_what_the_operation_returns)
    # The checks that need no run against the vendor still cover it.
    assert elsewhere in _parametrized_keys(suite.test_sample_matches_the_output_schema)


def test_run_elsewhere_naming_an_unknown_operation_is_refused() -> None:
    with pytest.raises(ValueError, match="does not have: no_such_operation"):
        conformance_suite(RECIPES, run_elsewhere={"no_such_operation"})

"""Each platform result check, by name: an operation that breaks its rule fails through ``invoke`` with
that rule's message, and one that keeps every rule passes them all."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from recipes_app import APP

from connector.context import Connection, Context, Meta
from connector.definitions import Action, App, Field, Search, Trigger
from connector.errors import ResultError
from connector.result_checks import CHECKS_BY_NAME, RESULT_CHECKS
from connector.runtime import invoke

CONNECTION = Connection(app="recipes", fields={"token": "secret-token-123"})


def _app_returning(result: Any, kind: type = Trigger, **more: Any) -> App:
    """The recipes app with one operation ``broken`` whose perform (and subscribe) return ``result``."""

    def perform(ctx: Context, values: dict[str, Any]) -> Any:
        return result

    fields = dict(key="broken", noun="Recipe", label="Broken", description="Returns what the test says.",
                  sample={"id": 1}, perform=perform, output_fields=(Field("id", type="integer"),), **more)
    operation = kind(**fields)
    return replace(APP, triggers=(operation,) if kind is Trigger else (),
                   actions=(operation,) if kind is Action else (),
                   searches=(operation,) if kind is Search else ())


#: check name -> (the app, the step, strict?, what the failure says)
BREAKING: dict[str, tuple[App, str, bool, str]] = {
    "hook_step_returns_an_object": (
        replace(_app_returning([]), auth=replace(APP.auth, test=lambda ctx: ["not", "an", "object"])),
        "test", False, "broken.test must return an object, got list",
    ),
    "action_returns_an_object": (_app_returning([{"id": 1}], Action), "perform", False,
                                 "must return an object, got list"),
    "list_operation_returns_a_list": (_app_returning({"id": 1}), "perform", False, "must return a list of objects"),
    "list_items_are_objects": (_app_returning([{"id": 1}, "two"]), "perform", False, "item 1 must be an object"),
    "trigger_items_have_primitive_ids": (_app_returning([{"id": {"n": 1}}]), "perform", False,
                                         "needs a primitive 'id'"),
    "trigger_ids_are_unique": (_app_returning([{"id": 1}, {"id": 2}, {"id": 1}]), "perform", False,
                               "returned the id '1' twice (item 2)"),
    "results_match_their_output_schema": (_app_returning([{"id": "one"}], Search), "perform", True,
                                          "does not match its output schema at id"),
}


def test_every_check_has_a_story_here() -> None:
    assert sorted(BREAKING) == sorted(CHECKS_BY_NAME)
    assert [check.name for check in RESULT_CHECKS] == list(CHECKS_BY_NAME)


@pytest.mark.parametrize("name", list(BREAKING))
def test_a_result_that_breaks_a_rule_fails_with_that_rules_message(name: str) -> None:
    app, step, strict, message = BREAKING[name]
    check = CHECKS_BY_NAME[name]
    operation = app.operations[0]
    assert check.applies(operation, step, strict)  # type: ignore[arg-type]
    with pytest.raises(ResultError, match=message.replace("(", r"\(").replace(")", r"\)")):
        invoke(app, operation, CONNECTION, {}, Meta(), step=step, strict=strict)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", [Trigger, Search])
def test_a_result_that_keeps_every_rule_passes_them_all(kind: type) -> None:
    app = _app_returning([{"id": 2}, {"id": 1}], kind)
    assert invoke(app, "broken", CONNECTION, {}, strict=True).output == [{"id": 2}, {"id": 1}]

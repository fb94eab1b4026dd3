"""The one runtime path: input checked before HTTP, results checked like a hosted platform."""

from __future__ import annotations

import httpx
import pytest
from recipes_app import APP, recipes_service

from connector.context import Connection, Meta
from connector.errors import BadInput, ExpiredAuth, ResultError, TimeLimit
from connector.runtime import invoke


@pytest.fixture
def service():
    return recipes_service()


@pytest.fixture
def connection(service) -> Connection:
    return Connection(app="recipes", fields={"token": "secret-token-123"}, transport=httpx.WSGITransport(app=service))


def test_an_action_creates_through_the_service_and_returns_the_object(connection, service):
    result = invoke(APP, "create_recipe", connection, {"name": "Pho", "servings": "4"})
    assert result.output == {"id": 1, "name": "Pho", "servings": 4}
    assert service.config["recipes"] == [{"id": 1, "name": "Pho", "servings": 4}]


def test_defaults_fill_the_input_the_user_left_out(connection):
    result = invoke(APP, "create_recipe", connection, {"name": "Pho"})
    assert result.input == {"name": "Pho", "servings": 2}
    assert result.output["servings"] == 2


def test_bad_input_names_the_field_and_makes_no_http_call(connection, service):
    with pytest.raises(BadInput) as caught:
        invoke(APP, "create_recipe", connection, {"servings": "many"})
    fields = {p.field for p in caught.value.problems}
    assert {"name", "servings"} <= fields
    assert service.config["calls"] == []


def test_a_trigger_returns_items_newest_first_and_a_trial_caps_them_at_three(connection):
    for n in range(5):
        invoke(APP, "create_recipe", connection, {"name": f"dish {n}"})
    items = invoke(APP, "new_recipe", connection).output
    assert [i["id"] for i in items] == [5, 4, 3, 2, 1]
    trial = invoke(APP, "new_recipe", connection, meta=Meta(trial=True)).output
    assert [i["id"] for i in trial] == [5, 4, 3]


def test_duplicate_trigger_ids_fail_loudly(connection):
    with pytest.raises(ResultError, match="twice"):
        invoke(APP, "broken_duplicates", connection)


def test_trigger_items_without_an_id_fail_loudly(connection):
    with pytest.raises(ResultError, match="primitive 'id'"):
        invoke(APP, "broken_no_ids", connection)


def test_strict_mode_checks_output_against_its_schema(connection, service):
    service.config["recipes"].append({"id": "not-a-number", "name": "Odd"})
    with pytest.raises(ResultError, match="output schema at id"):
        invoke(APP, "list_recipes", connection)
    assert invoke(APP, "list_recipes", connection, strict=False).output[0]["name"] == "Odd"


def test_an_operation_that_overruns_its_time_limit_is_stopped(connection):
    with pytest.raises(TimeLimit, match=r"0\.2 s limit"):
        invoke(APP, "slow_recipes", connection, time_limit=0.2)


def test_a_refused_api_token_asks_the_user_to_reconnect(service):
    bad = Connection(app="recipes", fields={"token": "wrong"}, transport=httpx.WSGITransport(app=service))
    with pytest.raises(ExpiredAuth, match="cannot be refreshed"):
        invoke(APP, "list_recipes", bad, retry=None)


def test_the_trace_records_the_exchange_without_the_secret(connection):
    result = invoke(APP, "create_recipe", connection, {"name": "Pho"}, trace=True)
    assert len(result.trace) == 1
    text = str(result.trace)
    assert "POST" in text and "/recipes" in text
    assert "secret-token-123" not in text


def test_an_api_token_or_password_the_app_forgot_to_mark_secret_stays_out_of_the_trace(service):
    fields = {"token": "secret-token-123", "api_token": "leaky-api-token-7", "password": "hunter2-pass"}
    connection = Connection(app="recipes", fields=fields, transport=httpx.WSGITransport(app=service))
    result = invoke(APP, "create_recipe", connection, {"name": "leaky-api-token-7 with hunter2-pass"}, trace=True)
    text = str(result.trace)
    assert "/recipes" in text
    assert "leaky-api-token-7" not in text and "hunter2-pass" not in text


def test_the_connection_test_runs_through_the_same_path(connection):
    assert invoke(APP, "new_recipe", connection, step="test").output == {"user": "chef"}


def test_an_unknown_operation_lists_the_known_ones(connection):
    with pytest.raises(BadInput, match="create_recipe"):
        invoke(APP, "make_soup", connection)


def test_a_failed_call_keeps_its_redacted_trace(service):
    bad = Connection(app="recipes", fields={"token": "wrong-secret"}, transport=httpx.WSGITransport(app=service))
    with pytest.raises(ExpiredAuth) as caught:
        invoke(APP, "list_recipes", bad, retry=None, trace=True)
    assert caught.value.trace[0]["status"] == 401
    assert "wrong-secret" not in str(caught.value.trace)

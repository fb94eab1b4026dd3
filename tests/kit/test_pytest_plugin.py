"""The pytest plugin: a connector author tests an operation in a line or two."""

from __future__ import annotations

import httpx
import pytest
from recipes_app import recipes_service

from connector.context import Connection
from connector.errors import BadInput, ResultError

pytest_plugins = ["pytester"]


@pytest.fixture
def recipes_connection() -> Connection:
    return Connection(
        app="recipes", fields={"token": "secret-token-123"}, transport=httpx.WSGITransport(app=recipes_service())
    )


def test_an_author_invokes_an_action_in_one_line(invoke_operation, load_app, recipes_connection):
    out = invoke_operation(load_app("recipes_app:APP"), "create_recipe", recipes_connection, {"name": "Pho"}).output
    assert out == {"id": 1, "name": "Pho", "servings": 2}


def test_the_fixture_checks_results_strictly_by_default(invoke_operation, load_app, recipes_connection):
    app = load_app("recipes_app:APP")
    with pytest.raises(ResultError):
        invoke_operation(app, "broken_no_ids", recipes_connection)
    with pytest.raises(BadInput, match="name"):
        invoke_operation(app, "create_recipe", recipes_connection, {})


def test_the_plugin_is_registered_through_its_entry_point(pytester):
    pytester.makepyfile(
        """
        def test_fixtures_exist(invoke_operation, load_app, connector_apps, okta_sandbox, contacts_sandbox):
            assert callable(invoke_operation) and callable(load_app)
            assert isinstance(connector_apps, dict)
            assert okta_sandbox.base_url and contacts_sandbox.base_url
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_personio_operation_runs_in_two_lines(invoke_operation, personio_sandbox, personio_connection):
    from connector.apps.personio.app import APP

    personio_sandbox.seed_employees(3)
    found = invoke_operation(APP, "list_employees", personio_connection, {}).output
    assert len(found) == 3 and all(item["email"] for item in found)


def test_a_conformance_failure_names_the_field_that_breaks_the_schema(pytester):
    pytester.makepyfile(
        """
        from dataclasses import replace

        import httpx
        import pytest
        from recipes_app import APP, recipes_service

        from connector.conformance import ConformanceSetup, conformance_suite
        from connector.context import Connection

        def no_servings(ctx, values):
            return [{**recipe, "servings": None} for recipe in ctx.http.get("/recipes").json()]

        BROKEN = replace(APP, triggers=(replace(APP.triggers[0], perform=no_servings),), searches=(), actions=())
        TestRecipes = conformance_suite(BROKEN)

        @pytest.fixture
        def conformance_setup():
            service = recipes_service()
            service.config["recipes"].append({"id": 1, "name": "Soup", "servings": 2})
            transport = httpx.WSGITransport(app=service)
            good = Connection(app="recipes", fields={"token": "secret-token-123"}, transport=transport)
            bad = Connection(app="recipes", fields={"token": "wrong"}, transport=transport)
            return ConformanceSetup(connection=good, bad_connection=bad)
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-k", "sample_matches_what")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*recipes.new_recipe output breaks its schema at servings: None is not of type 'integer'*"]
    )


def test_an_author_names_the_app_once_and_gets_sandbox_connection_and_run(pytester):
    pytester.makeconftest(
        """
        import pytest
        from connector.apps.contacts.app import APP

        @pytest.fixture
        def connector_app():
            return APP
        """
    )
    pytester.makepyfile(
        """
        def test_a_contact_is_created_counted_and_announced(run, sandbox, request_counter, hook_receiver):
            sandbox.set_app_webhook("https://platform.test/hooks/apps/contacts")
            contact = run.output("create_contact", {"email": "ada@example.com"})
            assert contact["id"] in sandbox.state.contacts
            assert "POST /contacts/" in request_counter.requests
            assert [d.json()["id"] for d in hook_receiver.where(type="ContactCreate")] == [contact["id"]]
            assert run("get_contact", {"contact_id": contact["id"]}).output[0]["email"] == "ada@example.com"
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_run_without_a_named_app_says_how_to_name_it(pytester):
    pytester.makepyfile(
        """
        def test_needs_the_app(run):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*def connector_app(): return APP*"])


def test_an_app_without_a_sandbox_fixture_is_told_which_fixture_to_write(pytester):
    pytester.makeconftest(
        """
        import pytest
        from recipes_app import APP

        @pytest.fixture
        def connector_app():
            return APP
        """
    )
    pytester.makepyfile(
        """
        def test_needs_a_sandbox(run):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*app 'recipes' has no recipes_sandbox fixture: define `recipes_sandbox`*"])

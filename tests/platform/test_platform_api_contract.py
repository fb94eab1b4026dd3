"""The emulator's JSON API against its own OpenAPI document, with every schemathesis check.

schemathesis reads ``/api/openapi.json`` from the platform ``connector emulate`` serves (in-process,
through WSGI: no sockets, a few seconds) and sends generated requests, valid and invalid, to every
operation; every check it has runs on every answer (server errors, undocumented statuses and bodies,
invalid input accepted, valid input refused, methods not allowed without ``Allow``, auth ignored, ...).
The stateful phase follows the document's OpenAPI links: a flow created by ``POST /api/flows`` is
read, changed, turned on and off and deleted through the id the create answered.

Runs are bounded and repeatable: few examples per operation, derandomized generation, no database of
earlier failures.

The settings live in ``schemathesis.toml`` at the top of the repository, which ``st run`` reads as
well: what the API answers 422 for beyond JSON Schema is declared there per operation as an expected
answer to schema-valid input, and 410 for a hook URL of an unknown or switched-off flow (REST hooks).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput

from emulator.access import ACCESS_TOKEN_HEADER
from emulator.demo import Environment, build_environment, seed_demo

#: The settings `st run` uses too: every check, the expected answers per operation, the seed.
SETTINGS = Path(__file__).resolve().parents[2] / "schemathesis.toml"
MAX_EXAMPLES = 6
STATEFUL_SCENARIOS = 40
STATEFUL_STEPS = 12


def _config(token: str) -> SchemathesisConfig:
    settings = tomllib.loads(SETTINGS.read_text())
    assert settings["generation"]["max-examples"] == MAX_EXAMPLES and settings["checks"]["enabled"] is True
    return SchemathesisConfig.from_dict({**settings, "headers": {ACCESS_TOKEN_HEADER: token}})


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    env = build_environment("http://127.0.0.1:5990", tmp_path_factory.mktemp("contract") / "data",
                            okta_users=3, contacts=3, employees=3, runner_thread=False)
    seed_demo(env)
    yield env
    env.close()


@pytest.fixture(scope="module")
def emulator_schema(platform: Environment) -> Any:
    headers = {ACCESS_TOKEN_HEADER: platform.access_token}
    return schemathesis.openapi.from_wsgi("/api/openapi.json", platform.wsgi, config=_config(platform.access_token),
                                          headers=headers)


schema = schemathesis.pytest.from_fixture("emulator_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32 reads ``node._nodeid``, which pytest 9.2 no longer keeps; give it the id."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@schema.parametrize()
@hypothesis.settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_every_operation_answers_as_its_document_says(case: Any, platform: Environment) -> None:
    case.call_and_validate(headers={ACCESS_TOKEN_HEADER: platform.access_token})


def test_create_read_update_delete_chains_follow_the_documented_links(
    emulator_schema: Any, platform: Environment
) -> None:
    followed: list[tuple[str, str, int]] = []
    token = platform.access_token

    class Workflow(emulator_schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {ACCESS_TOKEN_HEADER: token}}

        def step(self, input: StepInput) -> StepOutput:
            output: StepOutput = super().step(input)
            transition = input.transition
            if transition is not None and not transition.is_inferred and input.is_applied:
                followed.append((transition.id, input.case.operation.label, output.response.status_code))
            return output

    run_state_machine_as_test(
        Workflow,
        settings=hypothesis.settings(max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS,
                                     derandomize=True, deadline=None, database=None,
                                     suppress_health_check=list(hypothesis.HealthCheck)),
    )
    # Which links hypothesis walks depends on the run; that it walks several, with ids that work, does not.
    links = {link.split(" -> ")[1].split("] ")[1] for link, _label, _status in followed}
    succeeded = {link.split(" -> ")[1].split("] ")[1] for link, _label, status in followed if status < 300}
    assert len(links) >= 3, f"the stateful phase followed too few documented links: {sorted(links)}"
    assert any(name.startswith(("Read", "Delete", "Change")) for name in succeeded), sorted(succeeded)


def _pointer(document: Any, expression: str) -> Any:
    """The value a ``$response.body#/a/0/b`` runtime expression points at."""
    value = document
    for part in expression.removeprefix("$response.body#/").split("/"):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def test_every_link_of_a_new_flow_hands_its_id_to_an_operation_that_finds_it(platform: Environment) -> None:
    """create -> read -> change -> turn on/off -> ... -> delete, walked by the document's own links."""
    client = platform.emulator.test_client()
    headers = platform.api_headers
    document = client.get("/api/openapi.json", headers=headers).get_json()
    create = document["paths"]["/api/flows"]["post"]
    example = document["components"]["schemas"]["FlowInput"]["examples"][0]
    created = client.post("/api/flows", json=example, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    links = create["responses"]["201"]["links"]
    ordered = sorted(links.items(), key=lambda item: item[1]["operationRef"].endswith("/delete"))
    for name, link in ordered:
        path, method = link["operationRef"].removeprefix("#/paths/").rsplit("/", 1)
        path = path.replace("~1", "/").replace("~0", "~")
        [(parameter, expression)] = link["parameters"].items()
        value = _pointer(created.get_json(), expression)
        url = path.replace("{" + parameter + "}", value) if "{" + parameter + "}" in path else path
        url = url.replace("{index}", "0")  # the new flow has no steps: its step 0 is a 404 naming "index"
        query = {} if "{" + parameter + "}" in path else {parameter: value}
        body = {"name": "Renamed by its link"} if method == "patch" else ({} if method == "post" else None)
        answer = client.open(url, method=method.upper(), query_string=query, json=body, headers=headers)
        documented = document["paths"][path][method]["responses"]
        assert str(answer.status_code) in documented, (name, answer.status_code, answer.get_data(as_text=True))
        missing = answer.status_code == 404 and answer.get_json()["error"]["field"] != "index"
        assert not missing, f"{name}: the id the create answered was not found at {url}"
    assert client.get(f"/api/flows/{created.get_json()['id']}", headers=headers).status_code == 404  # deleted last


def test_the_document_declares_its_links_and_its_auth(platform: Environment) -> None:
    client = platform.emulator.test_client()
    document = client.get("/api/openapi.json", headers=platform.api_headers).get_json()
    created = document["paths"]["/api/flows"]["post"]["responses"]["201"]["links"]
    targets = {link["operationRef"] for link in created.values()}
    assert "#/paths/~1api~1flows~1{flow_id}/get" in targets and "#/paths/~1api~1flows~1{flow_id}/delete" in targets
    assert document["components"]["securitySchemes"]["accessToken"]["name"] == ACCESS_TOKEN_HEADER
    assert document["paths"]["/hooks/{flow_id}"]["post"]["security"] == []


def test_a_method_a_path_does_not_take_is_405_with_allow(platform: Environment) -> None:
    client = platform.emulator.test_client()
    for path in ("/api/flows", "/api/connections/oauth/start", "/hooks/flow_x", "/api/sandboxes/okta/users"):
        answer = client.open(path, method="TRACE", headers=platform.api_headers)
        assert answer.status_code == 405, path
        assert answer.headers.get("Allow"), f"{path}: a 405 must say which methods are allowed"
        assert answer.get_json()["error"]["message"]


@pytest.mark.parametrize("path", ["/api/sandboxes/okta/users", "/api/sandboxes/personio/employees"])
def test_a_sandbox_record_is_created_only_from_a_json_body(platform: Environment, path: str) -> None:
    client = platform.emulator.test_client()
    no_body = client.post(path, headers=platform.api_headers)
    form = client.post(path, data={"first_name": "Ada"}, headers=platform.api_headers)
    assert (no_body.status_code, form.status_code) == (415, 415)  # neither says it is JSON
    empty = client.post(path, data="", content_type="application/json", headers=platform.api_headers)
    assert empty.status_code == 400 and empty.get_json()["error"]["field"] == "body"
    assert client.post(path, json={}, headers=platform.api_headers).status_code == 201  # {} asks for a random one


@pytest.mark.parametrize("query", ["/api/sandboxes/personio/employees?limit=", "/api/runs?limit=",
                                   "/api/sandboxes/okta/users?limit=", "/api/sandboxes/okta/users?limit=ten",
                                   "/api/runs?status=", "/api/runs?offset="])
def test_an_empty_query_value_is_refused_not_taken_as_the_default(platform: Environment, query: str) -> None:
    answer = platform.emulator.test_client().get(query, headers=platform.api_headers)
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.get_json()["error"]["field"] in query


def test_an_unknown_hook_url_is_410_as_documented(platform: Environment, tmp_path: Path) -> None:
    client = platform.emulator.test_client()
    document = client.get("/api/openapi.json", headers=platform.api_headers).get_json()
    assert "410" in document["paths"]["/hooks/{flow_id}"]["post"]["responses"]
    assert client.post("/hooks/flow_unknown", json={}).status_code == 410

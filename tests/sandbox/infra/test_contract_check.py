"""The contract check catches what it is for: anti-examples on a tiny app with its own contract, the old
Personio bug caught on the real sandbox, and the contracts covering every endpoint the sandboxes serve."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask, jsonify, request

from connector.http import USER_AGENT
from sandboxes.contract_check import (
    ADMIN_PREFIX,
    CONTRACTS_DIR,
    Contract,
    ContractCheckMiddleware,
    ContractChecks,
    Deviation,
    Violation,
)
from sandboxes.okta import OktaSandbox
from sandboxes.okta.catalogue_store import load_routes
from sandboxes.okta.lifecycle import TRANSITIONS
from sandboxes.personio import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, PersonioSandbox

THING = {"type": "object", "required": ["id"], "additionalProperties": False,
         "properties": {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}}}
CONTRACT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "things", "version": "1", "x-source": {"vendor": "test"}},
    "paths": {
        "/things": {
            "get": {"x-source": "test", "responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}}}},
            "post": {"x-source": "test",
                     "parameters": [{"name": "Version", "in": "header", "required": True,
                                     "schema": {"enum": ["2021-07-28"]}}],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["name"], "additionalProperties": False,
                         "properties": {"name": {"type": "string"}}}}}},
                     "responses": {"200": {"description": "ok", "content": {
                         "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}},
        },
        "/things/{thingId}": {"get": {"x-source": "test", "responses": {"404": {"description": "none"}}}},
        "/things/{thingId}/picture": {"post": {"x-source": "test", "requestBody": {"required": True, "content": {
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "additionalProperties": False,
                                               "properties": {"file": {"type": "string", "format": "binary"}}}}}},
            "responses": {"200": {"description": "ok"}}}},
        "/things/{thingId}/certificate": {"post": {"x-source": "test", "requestBody": {"required": True, "content": {
            "application/pkix-cert": {"schema": {"type": "string", "format": "binary"}}}},
            "responses": {"200": {"description": "ok"}}}},
    },
    "components": {"schemas": {"Thing": THING}},
}


def things_app() -> Flask:
    """A fake vendor that answers whatever a test tells it to."""
    app = Flask("things")
    app.config["answer"] = ([{"id": 1, "name": "one"}], 200)

    @app.route("/things", methods=["GET", "POST"])
    def things():  # type: ignore[no-untyped-def]
        body, status = app.config["answer"]
        return jsonify(body), status

    @app.post("/things/<thing_id>/<part>")
    def thing_file(thing_id: str, part: str):  # type: ignore[no-untyped-def]
        return "", 200

    @app.get("/secret")
    def secret():  # type: ignore[no-untyped-def]
        return jsonify(ok=True)

    @app.post(f"{ADMIN_PREFIX}faults")
    def faults():  # type: ignore[no-untyped-def]
        return jsonify(request.get_json(silent=True) or {}), 201

    return app


@pytest.fixture
def world() -> tuple[Flask, ContractChecks, Callable[..., httpx.Client], list[Deviation]]:
    app = things_app()
    checks = ContractChecks(enabled=True)
    deviations: list[Deviation] = []
    app.wsgi_app = ContractCheckMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, "things", checks, contract=lambda name: Contract(name, CONTRACT, deviations)
    )

    def client(*, connector: bool = False) -> httpx.Client:
        headers = {"User-Agent": USER_AGENT if connector else "pytest"}
        return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://things.test", headers=headers)

    return app, checks, client, deviations


def only(checks: ContractChecks) -> Violation:
    [violation] = checks.take()
    return violation


def test_a_documented_answer_to_a_documented_request_passes(world) -> None:
    app, checks, client, _ = world
    client(connector=True).get("/things")
    app.config["answer"] = ({"id": 2, "name": None}, 200)
    client(connector=True).post("/things", json={"name": "two"}, headers={"Version": "2021-07-28"})
    assert checks.take() == [] and checks.checked == 2


def test_an_undocumented_status_is_reported(world) -> None:
    app, checks, client, _ = world
    app.config["answer"] = ({"id": 1}, 201)
    client().post("/things", json={"name": "x"})
    violation = only(checks)
    assert (violation.kind, violation.status) == ("status", 201)
    assert "201 is not documented for POST /things (documented: 200)" in str(violation)


def test_an_unknown_field_in_an_answer_is_reported(world) -> None:
    app, checks, client, _ = world
    app.config["answer"] = ([{"id": 1, "name": "one", "colour": "red"}], 200)
    client().get("/things")
    violation = only(checks)
    assert violation.kind == "response body" and "'colour' was unexpected" in violation.detail
    assert "at /0" in violation.detail


def test_a_wrong_type_or_a_null_where_none_is_allowed_is_reported(world) -> None:
    app, checks, client, _ = world
    app.config["answer"] = ([{"id": None}], 200)
    client().get("/things")
    assert "None is not of type 'integer'" in only(checks).detail


def test_an_undocumented_endpoint_is_reported_for_the_sandbox_and_for_a_connector(world) -> None:
    _, checks, client, _ = world
    client().get("/secret")
    served = only(checks)
    assert served.kind == "endpoint" and "serves the path" in served.detail
    client(connector=True).get("/nowhere")  # a 404 from the sandbox is fine; the connector's call is not
    called = only(checks)
    assert called.kind == "endpoint" and "a connector called" in called.detail
    client(connector=True).delete("/things")
    assert "DELETE on /things" in checks.take()[0].detail


def test_a_connector_request_body_that_breaks_the_schema_is_reported(world) -> None:
    app, checks, client, _ = world
    app.config["answer"] = ({"id": 2}, 200)
    client(connector=True).post("/things", json={"name": "x", "nickname": "y"}, headers={"Version": "2021-07-28"})
    violation = only(checks)
    assert violation.kind == "request body" and violation.status is None
    assert "'nickname' was unexpected" in violation.detail
    client(connector=True).post("/things", json={"name": 5}, headers={"Version": "2021-07-28"})
    assert "5 is not of type 'string'" in only(checks).detail
    app.config["answer"] = ([], 200)
    client(connector=True).get("/things", params={"colour": "red"})
    assert "query parameter 'colour' is not documented" in only(checks).detail


def test_a_connector_file_upload_must_carry_the_documented_part_and_type(world) -> None:
    _, checks, client, _ = world
    connector = client(connector=True)
    connector.post("/things/1/picture", files={"file": ("a.png", b"\x89PNG\r\n", "image/png")})
    connector.post("/things/1/certificate", content=b"\x30\x82\x01", headers={"Content-Type": "application/pkix-cert"})
    assert checks.take() == []
    connector.post("/things/1/picture", files={"image": ("a.png", b"\x89PNG\r\n", "image/png")})
    wrong_part = only(checks)
    assert wrong_part.kind == "request body"
    assert "'file' is a required property" in wrong_part.detail or "'image' was unexpected" in wrong_part.detail
    connector.post("/things/1/certificate", content=b"-----BEGIN", headers={"Content-Type": "application/x-pem-file"})
    assert "content type 'application/x-pem-file' is not documented (use one of application/pkix-cert)" in \
        only(checks).detail
    connector.post("/things/1/picture", content=b"--x--", headers={"Content-Type": "multipart/form-data"})
    assert "names no boundary" in only(checks).detail


def test_a_missing_or_wrong_required_header_and_a_bad_path_value_are_reported(
    contract_violations: Callable[[], list[Violation]], world
) -> None:
    app, checks, client, _ = world
    app.config["answer"] = ({"id": 2}, 200)
    client(connector=True).post("/things", json={"name": "x"})
    assert "required header 'Version' is missing" in only(checks).detail
    client(connector=True).post("/things", json={"name": "x"}, headers={"Version": "v3"})
    assert "header parameter Version='v3'" in only(checks).detail
    sandbox = PersonioSandbox()
    with httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url,
                      headers={"User-Agent": USER_AGENT}) as http:
        token = http.post("/v1/auth", json={"client_id": DEFAULT_CLIENT_ID,
                                            "client_secret": DEFAULT_CLIENT_SECRET}).json()["data"]["token"]
        http.get("/v1/company/employees/ada", headers={"Authorization": f"Bearer {token}"})
        http.get("/v1/company/employees/1")
    path_value, no_token = contract_violations()
    assert "path parameter employee_id='ada'" in path_value.detail
    assert "no credential: the operation needs the Authorization header" in no_token.detail


def test_requests_from_other_clients_are_not_held_to_the_request_schema(world) -> None:
    app, checks, client, _ = world
    app.config["answer"] = ({"id": 2}, 200)
    client().post("/things", json={"nickname": "tests probe the sandbox with bad input on purpose"})
    assert checks.take() == []


def test_listed_deviations_excuse_exactly_what_they_name(world) -> None:
    app, checks, client, deviations = world
    deviations.append(Deviation.parse({"method": "POST", "path": "/things", "what": "status 201",
                                       "reason": "the fake vendor creates"}))
    deviations.append(Deviation.parse({"method": "GET", "path": "/things", "what": "field", "field": "colour",
                                       "reason": "a documented extra"}))
    app.config["answer"] = ({"id": 1}, 201)
    client().post("/things", json={"name": "x"})
    app.config["answer"] = ([{"id": 1, "colour": "red"}], 200)
    client().get("/things")
    assert checks.take() == []
    app.config["answer"] = ([{"id": 1, "colour": "red", "size": 3}], 200)
    client().get("/things")
    assert "'size'" in only(checks).detail
    deviations.append(Deviation.parse({"method": "GET", "path": "/things", "what": "field name",
                                       "reason": "the fake vendor leaves unnamed things' names out as 0"}))
    app.config["answer"] = ([{"id": 1, "name": 0}], 200)
    client().get("/things")
    app.config["answer"] = ([{"id": "one"}], 200)
    client().get("/things")
    assert "'one' is not of type 'integer'" in only(checks).detail
    with pytest.raises(ValueError, match="reason"):
        Deviation.parse({"method": "GET", "path": "/things", "what": "status 500"})


def test_the_sandboxes_own_controls_are_skipped_and_counted(world) -> None:
    _, checks, client, _ = world
    client(connector=True).post(f"{ADMIN_PREFIX}faults", json={"error_rate": 1})
    assert checks.take() == [] and checks.skipped_admin == 1 and checks.checked == 0


def test_a_sandbox_without_a_contract_is_not_checked() -> None:
    app = things_app()
    checks = ContractChecks(enabled=True)
    app.wsgi_app = ContractCheckMiddleware(app.wsgi_app, "nothing", checks,  # type: ignore[method-assign]
                                           contract=lambda name: None)
    app.test_client().get("/secret")
    assert checks.take() == [] and checks.checked == 0


def test_the_old_personio_update_sending_weekly_hours_would_have_failed_the_suite(
    contract_violations: Callable[[], list[Violation]],
) -> None:
    sandbox = PersonioSandbox()
    [employee_id] = sandbox.seed_employees(1)
    with httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url,
                      headers={"User-Agent": USER_AGENT}) as http:
        token = http.post("/v1/auth", json={"client_id": DEFAULT_CLIENT_ID,
                                            "client_secret": DEFAULT_CLIENT_SECRET}).json()["data"]["token"]
        answer = http.patch(f"/v1/company/employees/{employee_id}", json={"employee": {"weekly_hours": 20}},
                            headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200  # Personio, and now the sandbox, ignore it: nothing else would tell
    [violation] = contract_violations()
    assert violation.kind == "request body" and "'weekly_hours' was unexpected" in violation.detail


@pytest.mark.parametrize("sandbox", [OktaSandbox, PersonioSandbox])
def test_the_contract_documents_every_endpoint_the_sandbox_serves(sandbox: Callable[[], Any]) -> None:
    app = sandbox().app
    name = "okta" if sandbox is OktaSandbox else "personio"
    contract = Contract.load(name)
    assert contract is not None
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith((ADMIN_PREFIX, "/static/")):
            continue  # the sandbox's own controls, not vendor endpoints
        if rule.endpoint.startswith("okta_catalogue."):
            # The generic store's catch-all routes answer only the operations of its table (404 or 405
            # otherwise, as Okta does): each of those must be documented.
            for route in load_routes():
                _, operation = contract.match(route.method, route.template)
                assert operation is not None, f"{route.method} {route.template} is not in {name}.openapi.json"
            continue
        operations = [""]
        if "<operation>" in rule.rule:  # one Flask rule, one documented path per operation it runs
            operations = list(TRANSITIONS) if "/users/" in rule.rule else ["activate", "deactivate", "verify"]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for operation_name in operations:
                path = rule.rule.replace("<operation>", operation_name).replace("<", "{").replace(">", "}")
                _, operation = contract.match(method, path)
                assert operation is not None, f"{method} {path} is served but not in {name}.openapi.json"


@pytest.mark.parametrize("document", sorted(CONTRACTS_DIR.glob("*.openapi.json")), ids=lambda path: path.name)
def test_every_contract_is_a_valid_openapi_3_1_document(document: Path) -> None:
    from openapi_spec_validator import validate

    contract = json.loads(document.read_text())
    assert contract["openapi"].startswith("3.1")
    validate(contract)


@pytest.mark.parametrize("name", ["okta", "personio"])
def test_each_contract_names_its_sources_and_every_deviation_its_reason(name: str) -> None:
    document = json.loads((CONTRACTS_DIR / f"{name}.openapi.json").read_text())
    assert document["openapi"].startswith("3.1") and document["info"]["x-source"]["repository"]
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert operations and all(op.get("x-source") for op in operations)
    deviations = json.loads(Path(CONTRACTS_DIR / f"{name}.deviations.json").read_text())
    assert all(Deviation.parse(entry).reason for entry in deviations)


@pytest.mark.parametrize("name", ["okta", "personio"])
def test_each_sandbox_readme_lists_every_contract_endpoint(name: str) -> None:
    readme = (Path(__file__).resolve().parents[3] / "sandboxes" / name / "README.md").read_text()
    document = json.loads((CONTRACTS_DIR / f"{name}.openapi.json").read_text())
    for path, item in document["paths"].items():
        for method in item:
            assert f"| `{method.upper()} {path}` |" in readme, f"{method.upper()} {path} is missing from the table"


def test_a_head_request_is_checked_as_the_documented_get_without_its_body(world) -> None:
    _, checks, client, _ = world
    assert client().head("/things").status_code == 200
    assert checks.take() == [] and checks.checked == 1


def test_an_id_holding_an_escaped_slash_is_one_path_parameter_not_another_endpoint(world) -> None:
    app, checks, client, _ = world

    @app.get("/things/<path:thing_id>")
    def one_thing(thing_id: str):  # type: ignore[no-untyped-def]
        return "", 404

    client(connector=True).get("/things/..%2F..%2Fsecret")  # decoded by httpx: /things/../../secret
    with app.test_client() as werkzeug_client:  # keeps the raw request line: one segment "a/b"
        werkzeug_client.get("/things/a%2Fb", headers={"User-Agent": USER_AGENT})
    assert checks.take() == [] and checks.checked == 2


def test_a_command_run_inside_the_test_session_keeps_violations_in_memory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from sandboxes.contract_check import CHECKS, LOG_ENV

    monkeypatch.setenv(LOG_ENV, str(tmp_path / "log.jsonl"))
    assert CHECKS.enabled and CHECKS.enable_from_environment() is False and CHECKS.log_path is None
    fresh = ContractChecks()
    assert fresh.enable_from_environment() is True and fresh.log_path == tmp_path / "log.jsonl"


def test_a_long_array_is_checked_on_items_spread_over_it_first_and_last_included(world) -> None:
    app, checks, client, _ = world
    things: list[dict[str, Any]] = [{"id": n} for n in range(1000)]
    things[-1] = {"id": "last"}
    app.config["answer"] = (things, 200)
    client().get("/things")
    assert "at /999/id: 'last' is not of type 'integer'" in only(checks).detail


def test_an_error_answer_to_an_unknown_path_is_a_refusal_not_a_served_endpoint(world) -> None:
    app, checks, client, _ = world

    @app.get("/")
    def root():  # type: ignore[no-untyped-def]
        return jsonify(message="send the Version header"), 400

    client().get("/")
    client().get("/nowhere")
    assert checks.take() == []


def test_a_users_own_api_request_is_not_held_to_the_documented_endpoints_but_its_answer_is(world) -> None:
    """The "API request" action sends what the user typed: the vendor (here the sandbox) answers 404 to
    an unknown path, and that is the user's business, not a connector breaking the contract."""
    from connector.api_request import USER_AGENT as USER_REQUEST_AGENT

    app, checks, client, _ = world
    users = client()
    users.headers["User-Agent"] = USER_REQUEST_AGENT
    assert users.get("/nowhere", params={"anything": 1}).status_code == 404
    app.config["answer"] = ({"id": 2}, 200)
    users.post("/things", json={"nickname": "the user's own body"})
    assert checks.take() == [] and checks.user_requests == 2
    app.config["answer"] = ([{"id": 1, "colour": "red"}], 200)
    users.get("/things")  # the sandbox's answer is still held to the vendor's document
    assert "'colour' was unexpected" in only(checks).detail

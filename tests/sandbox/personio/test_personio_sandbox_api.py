"""The Personio sandbox behaves like Personio's v1 employee API: auth, listing, paging, filters, writes, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from personio_sandbox_support import SandboxClock

from sandboxes.personio import DEFAULT_CLIENT_ID, PersonioSandbox, PersonioSettings


def test_a_credential_gets_a_day_long_token_and_a_wrong_secret_gets_the_error_envelope(anonymous: httpx.Client) -> None:
    good = anonymous.post("/v1/auth", params={"client_id": DEFAULT_CLIENT_ID, "client_secret": "papi-sandbox-secret"})
    assert good.status_code == 200 and good.json()["success"] is True
    assert good.json()["data"]["expires_in"] == 86400 and good.json()["data"]["token"]
    bad = anonymous.post("/v1/auth", json={"client_id": DEFAULT_CLIENT_ID, "client_secret": "wrong"})
    assert bad.status_code == 401
    assert bad.json()["success"] is False and bad.json()["error"]["code"] == 401


def test_employee_calls_without_a_live_token_are_refused(anonymous: httpx.Client, clock: SandboxClock,
                                                        api: httpx.Client) -> None:
    assert anonymous.get("/v1/company/employees").status_code == 401
    assert api.get("/v1/company/employees").status_code == 200
    clock.now += 86400
    refused = api.get("/v1/company/employees")
    assert refused.status_code == 401 and "POST /v1/auth" in refused.json()["error"]["message"]


def test_the_listing_pages_by_offset_with_the_documented_envelope(
    personio_sandbox: PersonioSandbox, api: httpx.Client
) -> None:
    personio_sandbox.seed_employees(120)
    body = api.get("/v1/company/employees", params={"limit": 50, "offset": 100}).json()
    assert body["metadata"] == {"total_elements": 120, "current_page": 2, "total_pages": 3}
    assert (body["offset"], body["limit"], len(body["data"])) == (100, 50, 20)
    employee = body["data"][0]
    assert employee["type"] == "Employee"
    assert employee["attributes"]["id"] == {"label": "ID", "value": 101, "type": "integer", "universal_id": "id"}
    assert employee["attributes"]["dynamic_1146702"]["universal_id"] is None
    assert employee["attributes"]["department"]["value"]["type"] == "Department"
    default = api.get("/v1/company/employees").json()
    assert default["limit"] == 50 and len(default["data"]) == 50


def test_a_limit_over_100_or_a_bad_offset_is_a_clear_422(api: httpx.Client) -> None:
    for params in ({"limit": 101}, {"offset": -1}, {"limit": "ten"}, {"updated_since": "yesterday"}):
        answer = api.get("/v1/company/employees", params=params)
        assert answer.status_code == 422 and answer.json()["success"] is False
        assert answer.json()["error"]["code"] == 422
        assert answer.json()["error"]["message"].startswith(next(iter(params)))


def test_email_and_updated_since_filter_and_attributes_narrow_the_answer(
    personio_sandbox: PersonioSandbox, api: httpx.Client, clock: SandboxClock
) -> None:
    personio_sandbox.seed_employees(10)
    clock.now += 100
    personio_sandbox.update_employee(3, position="Chief of Staff")
    by_email = api.get("/v1/company/employees", params={"email": "ADA@example.com"}).json()
    assert by_email["data"] == []
    since = datetime.fromtimestamp(int(clock.now), UTC).replace(tzinfo=None).isoformat()
    changed = api.get("/v1/company/employees", params={"updated_since": since}).json()
    assert [e["attributes"]["id"]["value"] for e in changed["data"]] == [3]
    narrow = api.get("/v1/company/employees", params={"attributes[]": ["email"], "limit": 1}).json()
    assert set(narrow["data"][0]["attributes"]) == {"id", "email"}


def test_writes_validate_each_field_and_move_last_modified_only_on_a_real_change(
    personio_sandbox: PersonioSandbox, api: httpx.Client, clock: SandboxClock
) -> None:
    made = api.post("/v1/company/employees", json={"employee": {"email": "ada@example.com", "first_name": "Ada",
                                                                 "last_name": "Lovelace"}})
    employee_id = made.json()["data"]["id"]
    duplicate = api.post("/v1/company/employees", json={"employee": {"email": "ADA@example.com", "first_name": "A",
                                                                      "last_name": "L"}})
    assert duplicate.status_code == 422 and duplicate.json() == {
        "success": False, "error": {"code": 422, "message": f"email: has already been taken (employee {employee_id})"}}
    before = personio_sandbox.employees.get(employee_id)["last_modified_at"]
    clock.now += 5
    same = api.patch(f"/v1/company/employees/{employee_id}", json={"employee": {"first_name": "Ada"}})
    assert same.status_code == 200
    assert personio_sandbox.employees.get(employee_id)["last_modified_at"] == before
    api.patch(f"/v1/company/employees/{employee_id}", json={"employee": {"status": "leave"}})
    assert personio_sandbox.employees.get(employee_id)["last_modified_at"] == before + 5
    wrong = api.patch(f"/v1/company/employees/{employee_id}", json={"employee": {"status": "gone"}})
    assert wrong.status_code == 422 and wrong.json()["error"]["message"].startswith("status:")
    assert api.get("/v1/company/employees/999").status_code == 404


def test_employee_calls_are_limited_per_minute_with_retry_after(clock: SandboxClock) -> None:
    sandbox = PersonioSandbox(PersonioSettings(employees_per_minute=2, burst_per_second=None), clock=clock)
    with httpx.Client(transport=sandbox.transport(), base_url=sandbox.base_url) as client:
        token = client.post("/v1/auth", json={"client_id": DEFAULT_CLIENT_ID,
                                              "client_secret": "papi-sandbox-secret"}).json()["data"]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        statuses = [client.get("/v1/company/employees", headers=headers).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        throttled = client.get("/v1/company/employees", headers=headers)
        assert int(throttled.headers["Retry-After"]) >= 1 and throttled.json()["error"]["code"] == 429
        clock.now += 60
        assert client.get("/v1/company/employees", headers=headers).status_code == 200


def test_faults_inject_errors_in_the_vendor_envelope(personio_sandbox: PersonioSandbox, api: httpx.Client) -> None:
    personio_sandbox.faults.update(error_rate=1.0)
    failed = api.get("/v1/company/employees")
    assert failed.status_code == 500 and failed.json() == {
        "success": False, "error": {"code": 500, "message": "Internal Server Error"}}


def test_seeding_is_deterministic(clock: SandboxClock) -> None:
    first, second = PersonioSandbox(clock=clock), PersonioSandbox(clock=clock)
    first.seed_employees(20, seed=7)
    second.seed_employees(20, seed=7)
    assert first.employees.records == second.employees.records


def test_the_documented_writable_attributes_are_written_and_unknown_ones_ignored(
    personio_sandbox: PersonioSandbox, api: httpx.Client
) -> None:
    for kind, name in (("department", "Research"), ("subcompany", "ACME GmbH"), ("office", "Munich")):
        personio_sandbox.define_org_unit(kind, name)
    boss = api.post("/v1/company/employees", json={"employee": {
        "email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper"}}).json()["data"]["id"]
    made = api.post("/v1/company/employees", json={"employee": {
        "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace", "hire_date": "2020-01-31",
        "weekly_working_hours": 32, "subcompany": "ACME GmbH", "supervisor_id": boss}})
    assert made.status_code == 200, made.text
    ada = made.json()["data"]["id"]
    patched = api.patch(f"/v1/company/employees/{ada}", json={"employee": {
        "weekly_working_hours": 40, "department": "Research", "office": "Munich", "weekly_hours": 10,
        "email": "other@example.com", "nickname": "Countess"}})
    assert patched.json() == {"success": True, "data": {"id": ada}, "meta": []}
    attributes = api.get(f"/v1/company/employees/{ada}").json()["data"]["attributes"]
    assert attributes["weekly_working_hours"]["value"] == 40
    assert attributes["email"]["value"] == "ada@example.com"  # not updatable: ignored, as Personio does
    assert attributes["subcompany"]["value"]["attributes"]["name"] == "ACME GmbH"
    assert attributes["department"]["value"]["attributes"]["name"] == "Research"
    assert attributes["supervisor"]["value"]["attributes"]["id"]["value"] == boss
    unset = api.patch(f"/v1/company/employees/{ada}", json={"employee": {"supervisor_id": None}})
    assert unset.status_code == 200
    assert api.get(f"/v1/company/employees/{ada}").json()["data"]["attributes"]["supervisor"]["value"] is None


def test_an_unknown_supervisor_or_org_unit_is_refused_or_reported(api: httpx.Client) -> None:
    ada = api.post("/v1/company/employees", json={"employee": {
        "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"}}).json()["data"]["id"]
    missing = api.patch(f"/v1/company/employees/{ada}", json={"employee": {"supervisor_id": 4711}})
    assert missing.status_code == 422
    assert missing.json()["error"] == {"code": 422, "message": "supervisor_id: Supervisor with ID 4711 not found"}
    itself = api.patch(f"/v1/company/employees/{ada}", json={"employee": {"supervisor_id": ada}})
    assert itself.status_code == 422
    ignored = api.patch(f"/v1/company/employees/{ada}", json={"employee": {"department": "Nowhere",
                                                                           "position": "Analyst"}})
    assert ignored.status_code == 200 and "department: 'Nowhere'" in ignored.json()["meta"][0]
    attributes = api.get(f"/v1/company/employees/{ada}").json()["data"]["attributes"]
    assert (attributes["department"]["value"], attributes["position"]["value"]) == (None, "Analyst")

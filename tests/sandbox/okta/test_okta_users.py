"""Users: create, read, update, delete as a client of the Okta API sees them."""

from __future__ import annotations

import httpx
import pytest
from okta_test_support import assert_okta_error, new_profile

from sandboxes.okta import OktaSandbox


def create(client: httpx.Client, profile: dict, password: str | None = "Secr3t!pass", **params: str) -> httpx.Response:
    body: dict = {"profile": profile}
    if password is not None:
        body["credentials"] = {"password": {"value": password}}
    return client.post("/api/v1/users", json=body, params=params)


def test_a_user_created_with_a_password_is_active_and_the_password_is_never_echoed(client: httpx.Client) -> None:
    response = create(client, new_profile())
    assert response.status_code == 200
    user = response.json()
    assert user["id"].startswith("00u") and len(user["id"]) == 20
    assert user["status"] == "ACTIVE"
    assert user["credentials"] == {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}}
    assert "Secr3t" not in response.text
    assert user["_links"]["self"]["href"].endswith(f"/api/v1/users/{user['id']}")
    assert "suspend" in user["_links"] and "activate" not in user["_links"]
    assert "transitioningToStatus" not in user


@pytest.mark.parametrize(
    ("params", "password", "status"),
    [
        ({"activate": "false"}, "pw-1234567", "STAGED"),
        ({}, None, "PROVISIONED"),
        ({"activate": "true", "provider": "true"}, None, "ACTIVE"),
        ({"nextLogin": "changePassword"}, "pw-1234567", "PASSWORD_EXPIRED"),
    ],
)
def test_creation_options_decide_the_first_status(
    client: httpx.Client, params: dict[str, str], password: str | None, status: str
) -> None:
    user = create(client, new_profile(), password, **params).json()
    assert user["status"] == status
    if params.get("provider") == "true":
        assert user["credentials"]["provider"]["type"] == "FEDERATION"


def test_a_login_differing_only_in_case_or_diacritics_is_a_duplicate(client: httpx.Client) -> None:
    assert create(client, new_profile("Zoë", "Ünal", login="zoë.ünal@example.com")).status_code == 200
    response = create(client, new_profile("Zoe", "Unal", login="ZOE.UNAL@example.com"))
    body = assert_okta_error(response, 400, "E0000001")
    assert body["errorCauses"] == [
        {"errorSummary": "login: An object with this field already exists in the current organization"}
    ]


def test_a_profile_missing_required_fields_names_each_field(client: httpx.Client) -> None:
    response = client.post("/api/v1/users", json={"profile": {"login": "x@example.com"}})
    body = assert_okta_error(response, 400, "E0000001")
    causes = " ".join(cause["errorSummary"] for cause in body["errorCauses"])
    assert "email:" in causes and "firstName:" in causes and "lastName:" in causes


def test_a_user_can_be_read_by_id_or_by_login(client: httpx.Client) -> None:
    user = create(client, new_profile()).json()
    assert client.get(f"/api/v1/users/{user['id']}").json()["id"] == user["id"]
    assert client.get("/api/v1/users/JANE.DOE@example.com").json()["id"] == user["id"]
    body = assert_okta_error(client.get("/api/v1/users/00unknown0000000000x"), 404, "E0000007")
    assert "00unknown0000000000x" in body["errorSummary"]


def test_post_merges_the_profile_and_put_replaces_it(client: httpx.Client, clock) -> None:
    user = create(client, {**new_profile(), "title": "Engineer"}).json()
    clock.advance(5)
    merged = client.post(f"/api/v1/users/{user['id']}", json={"profile": {"department": "R&D"}}).json()
    assert merged["profile"]["title"] == "Engineer" and merged["profile"]["department"] == "R&D"
    assert merged["lastUpdated"] > user["lastUpdated"]
    replaced = client.put(f"/api/v1/users/{user['id']}", json={"profile": new_profile()}).json()
    assert "title" not in replaced["profile"] and "department" not in replaced["profile"]


def test_renaming_a_login_onto_another_users_login_is_refused(client: httpx.Client) -> None:
    create(client, new_profile("Ann", "Lee"))
    bob = create(client, new_profile("Bob", "Lee")).json()
    response = client.post(f"/api/v1/users/{bob['id']}", json={"profile": {"login": "ann.lee@example.com"}})
    assert_okta_error(response, 400, "E0000001")


def test_delete_deactivates_first_and_deletes_on_the_second_call(client: httpx.Client) -> None:
    user = create(client, new_profile()).json()
    assert client.delete(f"/api/v1/users/{user['id']}").status_code == 204
    assert client.get(f"/api/v1/users/{user['id']}").json()["status"] == "DEPROVISIONED"
    assert client.delete(f"/api/v1/users/{user['id']}").status_code == 204
    assert_okta_error(client.get(f"/api/v1/users/{user['id']}"), 404, "E0000007")
    # The login is free again once the user is gone.
    assert create(client, new_profile()).status_code == 200


def test_a_post_without_body_or_content_length_gets_411_but_content_length_zero_is_accepted(
    client: httpx.Client,
) -> None:
    user = create(client, new_profile(), None).json()
    url = f"/api/v1/users/{user['id']}/lifecycle/deactivate"
    no_length = client.build_request("POST", url)
    del no_length.headers["Content-Length"]
    assert_okta_error(client.send(no_length), 411, "E0000411")
    assert client.post(url, headers={"Content-Length": "0"}).status_code == 200


def test_malformed_json_unknown_paths_and_wrong_methods_get_okta_error_bodies(client: httpx.Client) -> None:
    assert_okta_error(client.post("/api/v1/users", content=b"{not json"), 400, "E0000003")
    assert_okta_error(client.get("/api/v1/nothing-here"), 404, "E0000008")
    assert_okta_error(client.patch("/api/v1/users"), 405, "E0000022")


def test_create_user_from_python_goes_through_the_api_code_and_the_log(sandbox: OktaSandbox,
                                                                      client: httpx.Client) -> None:
    user = sandbox.create_user(new_profile(), password="pw-1234567")
    assert client.get(f"/api/v1/users/{user['id']}").json()["status"] == "ACTIVE"
    events = [e["eventType"] for e in client.get("/api/v1/logs").json()]
    assert events == ["user.lifecycle.create", "user.lifecycle.activate"]


def test_seeding_is_deterministic_and_does_not_write_the_log(clock) -> None:
    first, second = OktaSandbox(clock=clock), OktaSandbox(clock=clock)
    initial = first.seed_users(50, seed=7)
    assert initial == second.seed_users(50, seed=7)
    more = first.seed_users(10, seed=7)  # continues the sequence: new people, new ids
    assert len(set(more)) == 10 and set(more).isdisjoint(initial)
    assert len(first.state.users.records) == 60
    assert first.state.log.events == []
    first.seed_users(5, seed=8, log=True)
    assert len(first.state.log.events) == 5


def test_users_me_is_the_api_tokens_admin_and_not_a_listed_user(okta_sandbox):
    import httpx

    with httpx.Client(base_url=okta_sandbox.base_url, transport=okta_sandbox.transport(),
                      headers={"Authorization": f"SSWS {okta_sandbox.settings.token}"}) as client:
        me = client.get("/api/v1/users/me")
        assert me.status_code == 200
        assert me.json()["profile"]["login"] == "admin@sandbox.example.com"
        listed = client.get("/api/v1/users").json()
        assert me.json()["id"] not in {u["id"] for u in listed}

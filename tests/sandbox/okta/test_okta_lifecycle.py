"""The user lifecycle matrix: which operation is allowed from which status, and Okta's refusals."""

from __future__ import annotations

import itertools

import httpx
import pytest
from okta_test_support import assert_okta_error, new_profile

from sandboxes.okta import OktaSandbox

_numbers = itertools.count()

SETUPS: dict[str, list[str]] = {
    "STAGED": [],
    "PROVISIONED": ["activate"],
    "ACTIVE": ["activate", "@password"],
    "SUSPENDED": ["activate", "@password", "suspend"],
    "RECOVERY": ["activate", "@password", "reset_password"],
    "PASSWORD_EXPIRED": ["activate", "@password", "expire_password"],
    "LOCKED_OUT": ["activate", "@password", "@lock"],
    "DEPROVISIONED": ["deactivate"],
}


def user_in(status: str, sandbox: OktaSandbox, client: httpx.Client) -> str:
    """Create a STAGED user and walk it into ``status`` through the API."""
    profile = new_profile(login=f"user{next(_numbers)}@example.com")
    user_id = client.post("/api/v1/users", params={"activate": "false"}, json={"profile": profile}).json()["id"]
    for step in SETUPS[status]:
        if step == "@password":
            client.post(f"/api/v1/users/{user_id}", json={"credentials": {"password": {"value": "pw-123456"}}})
            client.post(f"/api/v1/users/{user_id}/lifecycle/deactivate")
            client.post(f"/api/v1/users/{user_id}/lifecycle/activate")
        elif step == "@lock":
            sandbox.lock_out_user(user_id)
        else:
            assert client.post(f"/api/v1/users/{user_id}/lifecycle/{step}").status_code == 200
    assert client.get(f"/api/v1/users/{user_id}").json()["status"] == status
    return user_id


MATRIX = [
    # (status, operation, expected status or error (http, code))
    ("STAGED", "activate", "PROVISIONED"),
    ("DEPROVISIONED", "activate", "PROVISIONED"),
    ("ACTIVE", "activate", (403, "E0000016")),
    ("SUSPENDED", "activate", (403, "E0000038")),
    ("PROVISIONED", "reactivate", "PROVISIONED"),
    ("RECOVERY", "reactivate", "PROVISIONED"),
    ("ACTIVE", "reactivate", (403, "E0000038")),
    ("STAGED", "reactivate", (403, "E0000038")),
    ("ACTIVE", "deactivate", "DEPROVISIONED"),
    ("SUSPENDED", "deactivate", "DEPROVISIONED"),
    ("STAGED", "deactivate", "DEPROVISIONED"),
    ("DEPROVISIONED", "deactivate", (403, "E0000038")),
    ("ACTIVE", "suspend", "SUSPENDED"),
    ("STAGED", "suspend", (400, "E0000001")),
    ("SUSPENDED", "suspend", (400, "E0000001")),
    ("SUSPENDED", "unsuspend", "ACTIVE"),
    ("ACTIVE", "unsuspend", (400, "E0000001")),
    ("LOCKED_OUT", "unlock", "ACTIVE"),
    ("ACTIVE", "unlock", (403, "E0000038")),
    ("ACTIVE", "reset_password", "RECOVERY"),
    ("STAGED", "reset_password", (403, "E0000038")),
    ("ACTIVE", "expire_password", "PASSWORD_EXPIRED"),
    ("DEPROVISIONED", "expire_password", (403, "E0000038")),
]


@pytest.mark.parametrize(("status", "operation", "expected"), MATRIX)
def test_lifecycle_operations_follow_the_documented_status_rules(
    sandbox: OktaSandbox, client: httpx.Client, status: str, operation: str, expected: object
) -> None:
    user_id = user_in(status, sandbox, client)
    response = client.post(f"/api/v1/users/{user_id}/lifecycle/{operation}")
    after = client.get(f"/api/v1/users/{user_id}").json()
    if isinstance(expected, tuple):
        assert_okta_error(response, *expected)
        assert after["status"] == status
    else:
        assert response.status_code == 200, response.text
        assert after["status"] == expected


def test_activation_links_and_reset_urls_are_returned_when_email_is_not_sent(
    sandbox: OktaSandbox, client: httpx.Client
) -> None:
    user_id = user_in("STAGED", sandbox, client)
    activation = client.post(f"/api/v1/users/{user_id}/lifecycle/activate", params={"sendEmail": "false"}).json()
    assert set(activation) == {"activationUrl", "activationToken"}
    assert activation["activationToken"] in activation["activationUrl"]
    active_id = user_in("ACTIVE", sandbox, client)
    reset = client.post(f"/api/v1/users/{active_id}/lifecycle/reset_password", params={"sendEmail": "false"})
    assert list(reset.json()) == ["resetPasswordUrl"]
    assert client.post(f"/api/v1/users/{active_id}/lifecycle/unlock").status_code == 403


def test_lifecycle_on_an_unknown_user_is_404_e0000007(client: httpx.Client) -> None:
    assert_okta_error(client.post("/api/v1/users/00uNOPE/lifecycle/suspend"), 404, "E0000007")


@pytest.mark.parametrize("status", list(SETUPS))
def test_single_user_links_follow_the_status_and_collections_carry_only_self(
    sandbox: OktaSandbox, client: httpx.Client, status: str
) -> None:
    user_id = user_in(status, sandbox, client)
    links = client.get(f"/api/v1/users/{user_id}").json()["_links"]
    expectations = {
        "STAGED": ("activate", "suspend"),
        "PROVISIONED": ("reactivate", "suspend"),
        "ACTIVE": ("suspend", "unsuspend"),
        "SUSPENDED": ("unsuspend", "suspend"),
        "RECOVERY": ("reactivate", "activate"),
        "PASSWORD_EXPIRED": ("expirePassword", "activate"),
        "LOCKED_OUT": ("unlock", "unsuspend"),
        "DEPROVISIONED": ("activate", "deactivate"),
    }
    present, absent = expectations[status]
    assert present in links and absent not in links
    listed = client.get("/api/v1/users", params={"search": f'id eq "{user_id}"'}).json()
    assert listed[0]["_links"] == {"self": links["self"]}


def test_lifecycle_changes_write_system_log_events(sandbox: OktaSandbox, client: httpx.Client) -> None:
    user_id = user_in("SUSPENDED", sandbox, client)
    client.post(f"/api/v1/users/{user_id}/lifecycle/unsuspend")
    types = [event["eventType"] for event in client.get("/api/v1/logs").json()]
    assert types[-2:] == ["user.lifecycle.suspend", "user.lifecycle.unsuspend"]
    assert types[0] == "user.lifecycle.create"

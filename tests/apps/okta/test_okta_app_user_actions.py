"""Stories of an admin's flow managing Okta users: create, change, lifecycle, reset, delete."""

from __future__ import annotations

import pytest
from okta_app_support import CountingTransport, Run, person

from connector.errors import BadInput, ResponseError
from sandboxes.okta import OktaSandbox


def test_a_new_hire_with_a_password_is_created_active_and_in_their_groups(run: Run, sandbox: OktaSandbox) -> None:
    group = run("create_group", {"name": "Engineering"}).output
    user = run("create_user", person(1, password="Corr3ct-Horse!", group_ids=[group["id"]])).output
    assert user["status"] == "ACTIVE"
    assert user["profile"]["login"] == "person1@example.com"
    assert "_links" not in user and "value" not in str(user["credentials"])
    members = run("list_group_members", {"group": group["id"]}).output
    assert [m["id"] for m in members] == [user["id"]]


def test_a_user_created_without_activation_is_staged_and_without_a_password_provisioned(run: Run) -> None:
    staged = run("create_user", person(1, activate=False)).output
    provisioned = run("create_user", person(2)).output
    assert staged["status"] == "STAGED"
    assert provisioned["status"] == "PROVISIONED"


def test_replaying_create_user_returns_the_same_user_instead_of_a_duplicate_login_error(run: Run) -> None:
    first = run("create_user", person(1, login="ann@example.com")).output
    again = run("create_user", person(1, login="ANN@example.com")).output
    assert again["id"] == first["id"]
    assert len(run("list_users", {}).output) == 1


def test_update_user_changes_only_the_given_attributes(run: Run) -> None:
    user = run("create_user", person(1, title="Engineer")).output
    updated = run("update_user", {"user": "person1@example.com", "department": "R&D",
                                  "profile_extra": {"city": "Oslo"}}).output
    assert updated["id"] == user["id"]
    assert updated["profile"]["department"] == "R&D"
    assert updated["profile"]["city"] == "Oslo"
    assert updated["profile"]["title"] == "Engineer"


def test_update_user_with_nothing_to_change_is_refused_before_any_call(
    run: Run, request_counter: CountingTransport
) -> None:
    with pytest.raises(BadInput, match="at least one profile attribute"):
        run("update_user", {"user": "00ub0oNGTSWTBKOLGLNR"})
    assert request_counter.requests == []


def test_a_staged_user_can_be_activated_and_the_link_returned_instead_of_emailed(run: Run) -> None:
    user = run("create_user", person(1, activate=False)).output
    activated = run("activate_user", {"user": user["id"], "send_email": False}).output
    assert activated["status"] == "PROVISIONED"
    assert activated["activationUrl"].startswith("http")


def test_activating_an_active_user_says_it_is_already_active(run: Run) -> None:
    user = run("create_user", person(1, password="Corr3ct-Horse!")).output
    with pytest.raises(ResponseError) as caught:
        run("activate_user", {"user": user["id"]})
    assert f"cannot activate user {user['id']} (person1@example.com): it is already ACTIVE" in caught.value.message
    assert "E0000016" in caught.value.message


def test_suspend_and_unsuspend_an_active_user(run: Run) -> None:
    user = run("create_user", person(1, password="Corr3ct-Horse!")).output
    assert run("suspend_user", {"user": user["id"]}).output["status"] == "SUSPENDED"
    assert run("unsuspend_user", {"user": "person1@example.com"}).output["status"] == "ACTIVE"


def test_suspending_a_staged_user_explains_that_only_active_users_can_be_suspended(run: Run) -> None:
    user = run("create_user", person(1, activate=False)).output
    with pytest.raises(ResponseError) as caught:
        run("suspend_user", {"user": user["id"]})
    message = caught.value.message
    assert message.startswith(f"cannot suspend user {user['id']} (person1@example.com): it is STAGED")
    assert "only ACTIVE users can be suspended" in message
    assert "E0000001" in message


def test_unsuspending_a_user_who_is_not_suspended_names_the_status(run: Run) -> None:
    user = run("create_user", person(1, password="Corr3ct-Horse!")).output
    with pytest.raises(ResponseError, match="it is ACTIVE; only SUSPENDED users can be unsuspended"):
        run("unsuspend_user", {"user": user["id"]})


def test_deactivating_twice_says_the_user_is_already_deprovisioned(run: Run) -> None:
    user = run("create_user", person(1)).output
    assert run("deactivate_user", {"user": user["id"]}).output["status"] == "DEPROVISIONED"
    with pytest.raises(ResponseError, match="it is already DEPROVISIONED"):
        run("deactivate_user", {"user": user["id"]})


def test_reset_password_without_email_returns_the_reset_url(run: Run) -> None:
    user = run("create_user", person(1, password="Corr3ct-Horse!")).output
    reset = run("reset_password", {"user": user["id"], "send_email": False}).output
    assert reset["status"] == "RECOVERY"
    assert "/reset_password/" in reset["resetPasswordUrl"]
    emailed = run("reset_password", {"user": user["id"]}).output
    assert "resetPasswordUrl" not in emailed


def test_an_unknown_user_is_reported_by_the_value_given(run: Run) -> None:
    with pytest.raises(ResponseError, match=r"user: no Okta user has the id or login 'nobody@example\.com'"):
        run("suspend_user", {"user": "nobody@example.com"})


def test_deleting_an_active_user_is_refused_unless_deactivate_first_is_chosen(run: Run, sandbox: OktaSandbox) -> None:
    user = run("create_user", person(1, password="Corr3ct-Horse!")).output
    with pytest.raises(ResponseError) as caught:
        run("delete_user", {"user": user["id"]})
    assert "it is ACTIVE, and Okta deletes only DEPROVISIONED users" in caught.value.message
    assert "'Deactivate first'" in caught.value.message
    assert run("find_user", {"user": user["id"]}).output[0]["status"] == "ACTIVE"  # nothing half-done

    deleted = run("delete_user", {"user": user["id"], "deactivate_first": True}).output
    assert deleted == {"id": user["id"], "login": "person1@example.com", "deleted": True, "previous_status": "ACTIVE"}
    assert run("find_user", {"user": user["id"]}).output == []


def test_a_deactivated_user_is_deleted_in_one_step(run: Run, request_counter: CountingTransport) -> None:
    user = run("create_user", person(1)).output
    run("deactivate_user", {"user": user["id"]})
    request_counter.requests.clear()
    assert run("delete_user", {"user": user["id"]}).output["previous_status"] == "DEPROVISIONED"
    assert [r for r in request_counter.requests if r.startswith("DELETE")] == [f"DELETE /api/v1/users/{user['id']}"]

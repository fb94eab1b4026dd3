"""Stories of flows that manage Okta groups and who is in them."""

from __future__ import annotations

import pytest
from okta_app_support import Run, person

from connector.apps.okta.app import APP
from connector.definitions import DynamicChoices
from connector.errors import BadInput, ResponseError


def test_replaying_create_group_returns_the_group_made_the_first_time(run: Run) -> None:
    first = run("create_group", {"name": "Sales", "description": "Closers"}).output
    again = run("create_group", {"name": "Sales"}).output
    assert again["id"] == first["id"]
    assert first["profile"] == {"name": "Sales", "description": "Closers"}
    assert [g["id"] for g in run("find_group", {"name": "Sales"}).output] == [first["id"]]


def test_update_group_renames_and_keeps_the_description(run: Run) -> None:
    group = run("create_group", {"name": "Sales", "description": "Closers"}).output
    renamed = run("update_group", {"group": group["id"], "name": "Revenue"}).output
    assert renamed["profile"] == {"name": "Revenue", "description": "Closers"}
    with pytest.raises(BadInput, match="new name or a new description"):
        run("update_group", {"group": group["id"]})


def test_delete_group_removes_it_but_not_its_members(run: Run) -> None:
    group = run("create_group", {"name": "Temp"}).output
    user = run("create_user", person(1)).output
    run("add_user_to_group", {"group": group["id"], "user": user["id"]})
    assert run("delete_group", {"group": group["id"]}).output == {"id": group["id"], "name": "Temp", "deleted": True}
    assert run("find_group", {"name": "Temp"}).output == []
    assert run("find_user", {"user": user["id"]}).output[0]["id"] == user["id"]


def test_adding_and_removing_a_member_by_login_is_safe_to_repeat(run: Run) -> None:
    group = run("create_group", {"name": "Support"}).output
    user = run("create_user", person(1)).output
    for _ in range(2):
        added = run("add_user_to_group", {"group": group["id"], "user": "person1@example.com"}).output
        assert added == {"id": f"{group['id']}:{user['id']}", "group_id": group["id"], "user_id": user["id"],
                         "member": True}
    assert [m["id"] for m in run("list_group_members", {"group": group["id"]}).output] == [user["id"]]
    for _ in range(2):
        assert run("remove_user_from_group", {"group": group["id"], "user": user["id"]}).output["member"] is False
    assert run("list_group_members", {"group": group["id"]}).output == []


def test_an_unknown_group_is_a_clear_okta_not_found(run: Run) -> None:
    run("create_user", person(1))
    with pytest.raises(ResponseError, match="E0000007"):
        run("add_user_to_group", {"group": "00gNOSUCHGROUP000000", "user": "person1@example.com"})


def test_the_group_picker_lists_groups_by_name_from_list_groups(run: Run) -> None:
    field = next(f for f in APP.operation("add_user_to_group").input_fields if f.key == "group")
    assert field.dynamic == DynamicChoices("list_groups", "id", "profile.name")
    for name in ("Alpha", "Beta", "Alpine"):
        run("create_group", {"name": name})
    choices = run("list_groups", {"q": "Al"}).output
    assert sorted(g["profile"]["name"] for g in choices) == ["Alpha", "Alpine"]
    assert len(run("list_groups", {"limit": 2}).output) == 2


def test_find_group_by_the_start_of_the_name(run: Run) -> None:
    for name in ("Eng Platform", "Eng Web", "Sales"):
        run("create_group", {"name": name})
    found = run("find_group", {"name": "Eng", "match": "starts_with"}).output
    assert sorted(g["profile"]["name"] for g in found) == ["Eng Platform", "Eng Web"]
    assert run("find_group", {"name": "Eng"}).output == []

"""A first poll reads only the ids of a page, and still refuses a page that is not what it claims."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from connector.context import Connection, Context, Meta
from connector.definitions import Trigger
from connector.errors import ResultError
from connector.id_lists import decode_ids
from connector.runtime import invoke, item_identities, item_identity


def test_the_ids_of_a_page_come_back_in_order_and_nested_ids_are_ignored() -> None:
    page = [
        {"id": "00u1", "type": {"id": "oty1"}, "profile": {"login": "ada@example.com"}},
        {"id": "00u2", "_links": {"self": {"href": "https://acme.okta.com/api/v1/users/00u2"}}},
        {"id": 7, "credentials": {"provider": {"type": "OKTA"}}},
    ]
    assert decode_ids(json.dumps(page).encode()) == ["00u1", "00u2", "7"]


def test_another_key_can_be_the_id() -> None:
    assert decode_ids(b'[{"uuid": "a", "id": "ignored"}, {"uuid": "b"}]', key="uuid") == ["a", "b"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"errorCode": "E0000006"}', "got `object`"),
        (b'[{"id": "00u1"}, {"login": "no-id@example.com"}]', "missing required field `id` - at `$[1]`"),
        (b'[{"id": null}]', "got `null` - at `$[0].id`"),
        (b'[{"id": ["00u1"]}]', "got `array`"),
        (b"<html>maintenance</html>", "malformed"),
    ],
)
def test_a_page_that_is_not_a_list_of_objects_with_ids_names_what_is_wrong(body: bytes, says: str) -> None:
    with pytest.raises(ResultError) as caught:
        decode_ids(body, source="GET /api/v1/users")
    message = str(caught.value)
    assert message.startswith("GET /api/v1/users: expected a JSON list of objects that each have the field 'id'")
    assert says in message


def _trigger(*primary_keys: str) -> Trigger:
    return Trigger(
        key="new_thing", noun="Thing", label="New Thing", description="Triggers on a new thing.",
        perform=lambda ctx, values: [], primary_keys=primary_keys or ("id",),
    )


@pytest.mark.parametrize(
    ("trigger", "items"),
    [
        (_trigger(), [{"id": "a"}, {"id": "b"}]),
        (_trigger(), [{"id": "a"}, {"id": 2}]),  # not all strings: the per-item walk
        (_trigger("user.id", "at"), [{"user": {"id": "u1"}, "at": "t1"}, {"user": {"id": "u2"}, "at": 5}]),
    ],
)
def test_identities_of_a_batch_are_those_of_each_item(trigger: Trigger, items: list[dict]) -> None:
    assert item_identities(trigger, items) == [item_identity(trigger, item, n) for n, item in enumerate(items)]


@pytest.mark.parametrize("bad", [{"name": "no id"}, {"id": None}, {"id": {"nested": 1}}, {"id": True}])
def test_a_batch_with_an_item_without_a_usable_id_fails_like_a_single_item(bad: dict) -> None:
    with pytest.raises(ResultError, match="item 1 needs a primitive 'id'"):
        item_identities(_trigger(), [{"id": "a"}, bad])


def _seeding_app(*primary_keys: str) -> Any:
    """The example app with one trigger whose first poll hands over three ids it already has."""
    from recipes_app import APP

    def perform(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
        if ctx.meta.first_poll:
            ctx.record_seen_ids(["r1", "r2", "r3"], lambda rid: {"id": rid, "user": {"id": rid}, "name": rid})
        return []

    trigger = Trigger(
        key="seeded", noun="Recipe", label="Seeded", description="Hands over what exists on a first poll.",
        sample={"id": "r0", "user": {"id": "r0"}}, perform=perform, primary_keys=primary_keys or ("id",),
    )
    return dataclasses.replace(APP, triggers=(trigger,))


def test_ids_handed_over_as_they_are_reach_the_platform_without_an_item_each() -> None:
    pages: list[list[str]] = []
    result = invoke(_seeding_app(), "seeded", Connection(app="recipes", fields={"token": "t"}),
                    meta=Meta(first_poll=True), seen_sink=pages.append)
    assert pages == [["r1", "r2", "r3"]]
    assert result.output == []


def test_without_the_platform_or_with_another_key_the_ids_become_items() -> None:
    connection = Connection(app="recipes", fields={"token": "t"})
    alone = invoke(_seeding_app(), "seeded", connection, meta=Meta(first_poll=True))
    assert [item["id"] for item in alone.output] == ["r3", "r2", "r1"]  # newest first, as record_seen gives
    pages: list[list[str]] = []
    invoke(_seeding_app("user.id"), "seeded", connection, meta=Meta(first_poll=True), seen_sink=pages.append)
    assert pages == [["r1", "r2", "r3"]]  # each item built, then its identity (user.id) taken

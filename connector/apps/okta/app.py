"""The Okta app: users, groups and their lifecycle, with poll and instant (event hook) triggers, and the
rest of Okta's management API from a generated catalogue.

The hand-written operations are listed here explicitly, so the rules-bearing surface reads in one place;
each lives in its own module under ``triggers/okta/``, ``actions/okta/`` or ``searches/okta/``. The rest
of the management API (applications, authorization servers, policies, hooks, zones, ...) comes from the
catalogue data file beside this module (``catalogue.json``, written by ``scripts/build_okta_catalogue.py``
from Okta's published document, see :mod:`connector.catalogue`); a hand-written operation takes
precedence over a catalogue entry of the same key.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from actions.okta import (
    activate_user,
    add_user_to_group,
    create_group,
    create_user,
    deactivate_user,
    delete_group,
    delete_user,
    expire_password,
    reactivate_user,
    remove_user_from_group,
    reset_factors,
    reset_password,
    suspend_user,
    unlock_user,
    unsuspend_user,
    update_group,
    update_user,
)
from auth.okta import OKTA_AUTH
from connector.api_request import api_request_action
from connector.apps.okta import records
from connector.catalogue import catalogue_operations
from connector.definitions import Action, App, Operation, Search, SearchOrCreate
from searches.okta import find_group, find_user, list_group_members, list_groups, list_users
from triggers.okta import new_user, user_added_to_group, user_deactivated, user_updated

CATALOGUE = Path(__file__).with_name("catalogue.json")

HAND_WRITTEN_ACTIONS: tuple[Action, ...] = (
    api_request_action(app_name="Okta", example_path="/api/v1/users", auth=OKTA_AUTH),
    create_user.ACTION,
    update_user.ACTION,
    activate_user.ACTION,
    deactivate_user.ACTION,
    suspend_user.ACTION,
    unsuspend_user.ACTION,
    reset_password.ACTION,
    reactivate_user.ACTION,
    unlock_user.ACTION,
    expire_password.ACTION,
    reset_factors.ACTION,
    delete_user.ACTION,
    create_group.ACTION,
    update_group.ACTION,
    delete_group.ACTION,
    add_user_to_group.ACTION,
    remove_user_from_group.ACTION,
)
HAND_WRITTEN_SEARCHES: tuple[Search, ...] = (
    find_user.SEARCH,
    list_users.SEARCH,
    find_group.SEARCH,
    list_groups.SEARCH,
    list_group_members.SEARCH,
)


def _with_area(op: Operation) -> Operation:
    """A hand-written operation placed in the catalogue's User or Group area, listed first by pickers."""
    if op.area:
        return op
    return dataclasses.replace(op, area="Group" if "group" in op.key else "User", important=True)


_taken = {op.key for op in (*HAND_WRITTEN_ACTIONS, *HAND_WRITTEN_SEARCHES)}
_catalogue_actions, _catalogue_searches = catalogue_operations(CATALOGUE, taken=_taken)

APP = App(
    key="okta",
    name="Okta",
    version="1.0.0",
    description="Manage Okta users and groups: create, update, activate, suspend, reset passwords and delete "
                "users, manage groups and memberships, and trigger on new, changed and deactivated users.",
    # Every scope an operation may need, for the manifest; a connection still asks for the core ones by default.
    auth=dataclasses.replace(OKTA_AUTH, scopes=tuple(dict.fromkeys(
        [*OKTA_AUTH.scopes, *(s for op in (*_catalogue_actions, *_catalogue_searches) for s in op.scopes)]))),
    sandbox="connector.cli.sandbox:okta_command",
    homepage="https://developer.okta.com/docs/reference/core-okta-api/",
    triggers=(
        new_user.TRIGGER,
        new_user.HOOK_TRIGGER,
        user_updated.TRIGGER,
        user_updated.HOOK_TRIGGER,
        user_deactivated.TRIGGER,
        user_deactivated.HOOK_TRIGGER,
        user_added_to_group.TRIGGER,
        user_added_to_group.HOOK_TRIGGER,
    ),
    actions=(*(_with_area(op) for op in HAND_WRITTEN_ACTIONS), *_catalogue_actions),  # type: ignore[arg-type]
    searches=(*(_with_area(op) for op in HAND_WRITTEN_SEARCHES), *_catalogue_searches),  # type: ignore[arg-type]
    search_or_creates=(
        # One flow step each (Zapier's searchOrCreates): the search runs, the create only when it finds nothing.
        SearchOrCreate.of(
            find_user.SEARCH, create_user.ACTION, key="find_or_create_user", label="Find or Create User",
            description="Finds the Okta user with this ID, login or email; creates the user when there is none. "
                        "The output says which happened.",
            important=True, area="Users",
        ),
        SearchOrCreate.of(
            find_group.SEARCH, create_group.ACTION, key="find_or_create_group", label="Find or Create Group",
            description="Finds the Okta group with this exact name; creates it when there is none. The output says "
                        "which happened.",
            important=True, area="Groups",
        ),
    ),
    record_types=(
        records.RECORD_TYPE,
    ),
)

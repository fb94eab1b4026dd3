"""The Okta app: users, groups and their lifecycle, with poll and instant (event hook) triggers.

Every operation is listed here explicitly, so the app's surface reads in one place; each lives in its
own module under ``triggers/okta/``, ``actions/okta/`` or ``searches/okta/``.
"""

from __future__ import annotations

from actions.okta import (
    activate_user,
    add_user_to_group,
    create_group,
    create_user,
    deactivate_user,
    delete_group,
    delete_user,
    remove_user_from_group,
    reset_password,
    suspend_user,
    unsuspend_user,
    update_group,
    update_user,
)
from auth.okta import OKTA_AUTH
from connector.apps.okta import records
from connector.definitions import App
from searches.okta import find_group, find_user, list_group_members, list_groups, list_users
from triggers.okta import new_user, user_added_to_group, user_deactivated, user_updated

APP = App(
    key="okta",
    name="Okta",
    version="1.0.0",
    description="Manage Okta users and groups: create, update, activate, suspend, reset passwords and delete "
                "users, manage groups and memberships, and trigger on new, changed and deactivated users.",
    auth=OKTA_AUTH,
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
    actions=(
        create_user.ACTION,
        update_user.ACTION,
        activate_user.ACTION,
        deactivate_user.ACTION,
        suspend_user.ACTION,
        unsuspend_user.ACTION,
        reset_password.ACTION,
        delete_user.ACTION,
        create_group.ACTION,
        update_group.ACTION,
        delete_group.ACTION,
        add_user_to_group.ACTION,
        remove_user_from_group.ACTION,
    ),
    searches=(
        find_user.SEARCH,
        list_users.SEARCH,
        find_group.SEARCH,
        list_groups.SEARCH,
        list_group_members.SEARCH,
    ),
    record_types=(
        records.RECORD_TYPE,
    ),
)

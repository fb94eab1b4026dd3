"""The README's testing example works as written, through the plugin's fixtures."""

from __future__ import annotations

from connector.apps.okta.app import APP


def test_a_new_user_can_be_found(invoke_operation, okta_connection):
    person = {"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace"}
    user = invoke_operation(APP, "create_user", okta_connection, person).output
    found = invoke_operation(APP, "find_user", okta_connection, {"user": "ada@example.com"}).output
    assert found[0]["id"] == user["id"]

"""Stories of what a new Okta org holds and what Okta makes on its own, through the catalogue's operations.

A fresh sandbox org starts with the records no API call creates (the default brand, its theme and email
template, the ``default`` authorization server, the built-in user type and user schema, the org contacts);
creating an app makes its signing key, its feature and its two profile mappings; a linked object
definition is named by either relationship name; a write-only token a request sends is never answered.
"""

from __future__ import annotations

from typing import Any

import pytest

from connector.errors import ResponseError
from sandboxes.okta import OktaSandbox

APP = {"signOnMode": "BOOKMARK", "label": "Sample Bookmark App"}
LINK = {"primary": {"name": "manager", "title": "manager", "type": "USER"},
        "associated": {"name": "subordinate", "title": "subordinate", "type": "USER"}}


def person(sandbox: OktaSandbox, name: str) -> str:
    login = f"{name}@example.com"
    profile = {"login": login, "email": login, "firstName": name.title(), "lastName": "Example"}
    return str(sandbox.create_user(profile, password="Sandbox-Passw0rd!")["id"])


def test_a_new_org_has_its_default_brand_theme_template_and_contacts(run: Any) -> None:
    brands = run("list_brands", {}).output
    assert [brand["isDefault"] for brand in brands] == [True]
    brand = brands[0]["id"]
    assert run("get_brand", {"brandId": brand}).output[0]["name"] == "Okta Default"
    themes = run("list_brand_themes", {"brandId": brand}).output
    assert len(themes) == 1 and run("get_brand_theme", {"brandId": brand, "themeId": themes[0]["id"]}).output
    templates = [template["name"] for template in run("list_email_templates", {"brandId": brand}).output]
    assert "UserActivation" in templates
    contacts = [contact["contactType"] for contact in run("list_org_contact_types", {}).output]
    assert contacts == ["BILLING", "TECHNICAL"]
    servers = run("list_authorization_servers", {}).output
    assert [server["id"] for server in servers] == ["default"]
    assert run("get_user_schema", {"schemaId": "default"}).output[0]["name"] == "user"
    assert [kind["name"] for kind in run("list_user_types", {}).output] == ["user"]
    passwords = run("list_policies", {"type": "PASSWORD"}).output
    assert [(policy["name"], policy["system"]) for policy in passwords] == [("Default Policy", True)]
    assert run("list_policies", {"type": "OKTA_SIGN_ON"}).output == []


def test_a_feature_is_enabled_and_disabled_by_the_value_in_its_path(run: Any) -> None:
    feature = run("list_features", {}).output[0]["id"]
    assert run("update_feature_lifecycle", {"featureId": feature, "lifecycle": "ENABLE"}).output["status"] == "ENABLED"
    assert run("get_feature", {"featureId": feature}).output[0]["status"] == "ENABLED"
    assert run("update_feature_lifecycle", {"featureId": feature, "lifecycle": "DISABLE"}).output[
        "status"] == "DISABLED"


def test_an_email_customization_belongs_to_an_existing_template(run: Any) -> None:
    brand = run("list_brands", {}).output[0]["id"]
    made = run("create_email_customization", {
        "brandId": brand, "templateName": "UserActivation", "language": "fr", "subject": "Bienvenue",
        "body": "<p>${activationLink}</p>"}).output
    listed = run("list_email_customizations", {"brandId": brand, "templateName": "UserActivation"}).output
    assert [item["id"] for item in listed] == [made["id"]]
    with pytest.raises(ResponseError) as unknown:
        run("list_email_customizations", {"brandId": brand, "templateName": "NoSuchTemplate"})
    assert unknown.value.status_code == 404


def test_an_app_comes_with_its_key_feature_and_profile_mappings_and_takes_them_away(run: Any) -> None:
    app = run("create_application", APP).output
    keys = run("list_application_keys", {"appId": app["id"]}).output
    assert len(keys) == 1 and run("get_application_key", {"appId": app["id"], "keyId": keys[0]["kid"]}).output
    feature = run("get_feature_for_application", {"appId": app["id"], "featureName": "USER_PROVISIONING"}).output
    assert feature[0]["name"] == "USER_PROVISIONING"
    from_app = run("list_profile_mappings", {"sourceId": app["id"]}).output
    to_app = run("list_profile_mappings", {"targetId": app["id"]}).output
    assert len(from_app) == 1 and len(to_app) == 1 and from_app[0]["target"]["type"] == "user"
    mapping = to_app[0]["id"]
    sent = {"nickName": {"expression": "user.nickName", "pushStatus": "DONT_PUSH"}}
    changed = run("update_profile_mapping", {"mappingId": mapping, "properties": sent}).output
    assert changed["properties"]["nickName"] == sent["nickName"]
    assert len(changed["properties"]) > 1  # the mapping's other properties stay
    assert run("get_profile_mapping", {"mappingId": mapping}).output[0]["properties"]["nickName"] == sent["nickName"]
    run("deactivate_application", {"appId": app["id"]})
    run("delete_application", {"appId": app["id"]})
    assert run("list_profile_mappings", {"targetId": app["id"]}).output == []


def test_a_linked_object_is_named_by_either_relationship_and_links_users_both_ways(
        run: Any, sandbox: OktaSandbox) -> None:
    run("create_linked_object_definition", LINK)
    assert run("get_linked_object_definition", {"linkedObjectName": "subordinate"}).output[0]["primary"][
        "name"] == "manager"
    boss, worker = person(sandbox, "boss"), person(sandbox, "worker")
    run("assign_linked_object_value_for_primary",
        {"userIdOrLogin": worker, "primaryRelationshipName": "manager", "primaryUserId": boss})
    manager = run("list_linked_objects_for_user", {"userIdOrLogin": worker, "relationshipName": "manager"}).output
    assert manager[0]["_links"]["self"]["href"].endswith(f"/api/v1/users/{boss}")
    reports = run("list_linked_objects_for_user", {"userIdOrLogin": boss, "relationshipName": "subordinate"}).output
    assert [link["_links"]["self"]["href"].rsplit("/", 1)[1] for link in reports] == [worker]
    run("delete_linked_object_for_user", {"userIdOrLogin": worker, "relationshipName": "manager"})
    assert run("list_linked_objects_for_user", {"userIdOrLogin": boss, "relationshipName": "subordinate"}).output == []
    run("delete_linked_object_definition", {"linkedObjectName": "manager"})
    with pytest.raises(ResponseError) as gone:
        run("get_linked_object_definition", {"linkedObjectName": "subordinate"})
    assert gone.value.status_code == 404


def test_a_provisioning_token_is_written_never_answered(run: Any) -> None:
    app = run("create_application", APP).output
    answer = run("update_default_provisioning_connection_for_application", {
        "appId": app["id"], "profile": {"authScheme": "TOKEN", "token": "secret-token-value"},
        "baseUrl": "https://scim.example.com/scim"}).output
    assert answer["profile"] == {"authScheme": "TOKEN"}
    read = run("get_default_provisioning_connection_for_application", {"appId": app["id"]}).output
    assert read[0]["profile"] == {"authScheme": "TOKEN"}


def test_a_role_has_a_subscription_per_notification_type_and_changes_its_status(run: Any) -> None:
    role = {"roleRef": "SUPER_ADMIN"}
    listed = run("list_subscriptions_role", role).output
    assert {item["status"] for item in listed} == {"subscribed"} and len(listed) > 1
    kind = listed[0]["notificationType"]
    run("unsubscribe_by_notification_type_role", {**role, "notificationType": kind})
    read = run("get_subscriptions_notification_type_role", {**role, "notificationType": kind}).output[0]
    assert (read["notificationType"], read["status"], read["channels"]) == (kind, "unsubscribed", ["email"])
    other = run("get_subscriptions_notification_type_role", {"roleRef": "APP_ADMIN", "notificationType": kind})
    assert other.output[0]["status"] == "subscribed"  # each role keeps its own
    run("subscribe_by_notification_type_role", {**role, "notificationType": kind})
    assert run("get_subscriptions_notification_type_role", {**role, "notificationType": kind}).output[0][
        "status"] == "subscribed"


def test_a_user_has_subscriptions_only_while_the_user_exists(run: Any, sandbox: OktaSandbox) -> None:
    user = person(sandbox, "subscriber")
    run("unsubscribe_by_notification_type_user", {"userId": user, "notificationType": "OKTA_UPDATE"})
    listed = run("list_subscriptions_user", {"userId": user}).output
    mine = {item["notificationType"]: item["status"] for item in listed}
    assert mine["OKTA_UPDATE"] == "unsubscribed"
    with pytest.raises(ResponseError) as unknown:
        run("list_subscriptions_user", {"userId": "00unosuchuser0000000"})
    assert unknown.value.status_code == 404


def test_the_org_defaults_link_to_this_org_not_the_documents_placeholder(run: Any, sandbox: OktaSandbox) -> None:
    brand = run("list_brands", {}).output[0]
    assert brand["_links"]["self"]["href"] == f"{sandbox.base_url}/api/v1/brands/{brand['id']}"


def test_the_org_defaults_name_this_orgs_address_and_ids_wherever_the_document_wrote_placeholders(
    run: Any, sandbox: OktaSandbox
) -> None:
    base = sandbox.base_url
    # Listed: each record's own id fills its links; read: the path's ids do.
    listed = run("list_authorization_servers", {}).output[0]
    assert listed["issuer"] == f"{base}/oauth2/default"
    assert listed["_links"]["self"]["href"] == f"{base}/api/v1/authorizationServers/default"
    server = run("get_authorization_server", {"authServerId": "default"}).output[0]
    assert server["issuer"] == f"{base}/oauth2/default"
    brand = run("list_brands", {}).output[0]["id"]
    template = run("get_email_template", {"brandId": brand, "templateName": "UserActivation"}).output[0]
    assert template["_links"]["self"]["href"] == (
        f"{base}/api/v1/brands/{brand}/templates/email/UserActivation"
    )
    every_value = str([listed, server, template, run("list_brand_themes", {"brandId": brand}).output])
    assert "{yourOktaDomain}" not in every_value
    assert "{brandId}" not in every_value and "{authorizationServerId}" not in every_value

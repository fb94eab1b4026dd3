"""Write the Okta operation catalogue, the sandbox's resource table and the contract, from Okta's document.

Usage (the vendor repository ``okta/okta-management-openapi-spec`` checked out anywhere, and the list of
operations the user's document asks for, seed 004)::

    python scripts/build_okta_catalogue.py SPEC_REPO SEED_004_FILE [COMMIT]

``COMMIT`` names the vendor repository's commit the document was read at (taken from ``SPEC_REPO``'s git
when it is a checkout); the catalogue's ``source`` cites it with the document's release.

Writes three files, all from the same reading of ``dist/current/management-minimal.yaml``:

- ``connector/apps/okta/catalogue.json``: one entry per operation (key, area, label, our short
  description, method, path template, path/query/body fields with types, required, choices and help,
  output fields, paging kind, scopes, a sample output and a sample input), the seed's list of operations
  with the key that serves each, and the decisions where the seed names something the document lacks;
- ``sandboxes/okta/catalogue_resources.json``: what the sandbox's generic resource store needs per
  operation (its role: create, read, list, replace, update, delete, lifecycle, sub-resource), the fields
  the server sets, the status it answers and the answer's documented members at every depth; the records
  a new org holds (``ORG_DEFAULTS``) and those a create makes besides (``CONSEQUENCES``), each from the
  vendor's example answer fitted to the contract; the sandboxes may not import the product, so they get
  their own file;
- ``docs/contracts/okta.openapi.json``: rebuilt by ``scripts/contracts/build_okta_contract.py``, which
  reads the catalogue for the operations to keep.

Labels come from the vendor's operation ids (with Okta's own spelling of OAuth 2.0, SMS, IdP, ...);
descriptions and help texts are ours, built from facts: the verb, the resource, what the operation
answers (a paged list, the named record, a new record with its id, the status a lifecycle call leaves,
no body), the scope it needs, and for each path id the operation that lists or creates that record.
Samples are the vendor's examples when they fit the contract, else values made from the schema. Every
sample input is checked against the contract's request schema here, so the generated conformance suite
sends only documented bodies.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "contracts"))

import build_okta_contract  # noqa: E402

REPOSITORY = "okta/okta-management-openapi-spec"
DOCUMENT = "dist/current/management-minimal.yaml"
CATALOGUE = ROOT / "connector" / "apps" / "okta" / "catalogue.json"
RESOURCES = ROOT / "sandboxes" / "okta" / "catalogue_resources.json"
METHODS = ("get", "post", "put", "patch", "delete")

#: Seed 004's section names, as our pickers show them.
AREAS = {
    "Application": "Application", "Authenticator": "Authenticator", "Authorizationserver": "Authorization server",
    "Brand": "Brand", "Domain": "Domain", "Eventhook": "Event hook", "Feature": "Feature",
    "Generic Request": "Generic request", "Group": "Group", "Groupschema": "Group schema",
    "Identityprovider": "Identity provider", "Inlinehook": "Inline hook", "Linkedobject": "Linked object",
    "Log": "Log", "Networkzone": "Network zone", "Org": "Org", "Policy": "Policy",
    "Profilemapping": "Profile mapping", "Subscription": "Subscription", "Template": "Template",
    "Threatinsight": "ThreatInsight", "Trustedorigin": "Trusted origin", "User": "User",
    "Userfactor": "User factor", "Userschema": "User schema", "Usertype": "User type",
}

#: Seed rows the vendor document has no operation for, and what serves them instead.
DECISIONS = {
    ("GET", "/<url_path>"): {
        "key": "api_request",
        "reason": "Rewst's 'Generic Request' is not an Okta endpoint but a call to any path of the org with the "
                  "connection's credential: the kit's API request action of the app serves it (any method, "
                  "a path relative to the org, query, headers and body).",
    },
}

#: Hand-written operations that serve a vendor endpoint, with their rules (idempotent creates, lifecycle
#: refusals that name the status, pickers): the catalogue entry for that endpoint yields to them.
HAND_WRITTEN = {
    ("POST", "/api/v1/users"): "create_user",
    ("POST", "/api/v1/users/{id}"): "update_user",
    ("DELETE", "/api/v1/users/{id}"): "delete_user",
    ("GET", "/api/v1/users"): "list_users",
    ("POST", "/api/v1/users/{id}/lifecycle/activate"): "activate_user",
    ("POST", "/api/v1/users/{id}/lifecycle/deactivate"): "deactivate_user",
    ("POST", "/api/v1/users/{id}/lifecycle/suspend"): "suspend_user",
    ("POST", "/api/v1/users/{id}/lifecycle/unsuspend"): "unsuspend_user",
    ("POST", "/api/v1/users/{id}/lifecycle/reset_password"): "reset_password",
    ("POST", "/api/v1/users/{id}/lifecycle/reactivate"): "reactivate_user",
    ("POST", "/api/v1/users/{id}/lifecycle/unlock"): "unlock_user",
    ("POST", "/api/v1/users/{id}/lifecycle/expire_password"): "expire_password",
    ("POST", "/api/v1/users/{id}/lifecycle/reset_factors"): "reset_factors",
    ("GET", "/api/v1/groups"): "list_groups",
    ("POST", "/api/v1/groups"): "create_group",
    ("PUT", "/api/v1/groups/{groupId}"): "update_group",
    ("DELETE", "/api/v1/groups/{groupId}"): "delete_group",
    ("GET", "/api/v1/groups/{groupId}/users"): "list_group_members",
    ("PUT", "/api/v1/groups/{groupId}/users/{userId}"): "add_user_to_group",
    ("DELETE", "/api/v1/groups/{groupId}/users/{userId}"): "remove_user_from_group",
}

#: Sample fields left out, with why.
SAMPLE_TRIMS = {
    # The sandbox's System Log (and many real orgs' events) record no client device.
    "list_log_events": ("device",),
}

#: The operations most users reach for: pickers list them first.
IMPORTANT = {
    "list_applications", "get_application", "create_application", "assign_user_to_application",
    "get_group", "list_group_members", "get_user", "list_user_groups", "unlock_user", "reactivate_user",
    "expire_password", "list_log_events", "list_event_hooks", "list_network_zones", "list_trusted_origins",
    "list_user_types", "list_authorization_servers", "list_policies",
}

#: What Okta's document says, in its descriptions, of the files each upload takes: media types and the size
#: limit ("less than 100kB": 100,000 bytes; "less than 2 MB": 2,000,000 bytes), and for the favicon a square
#: of at most 512 x 512 pixels. The sandbox enforces these; the help texts state them.
UPLOAD_RULES: dict[str, dict[str, Any]] = {
    "uploadBrandThemeLogo": {"types": ["image/png", "image/jpeg", "image/gif"], "max_bytes": 100_000},
    "uploadBrandThemeBackgroundImage": {"types": ["image/png", "image/jpeg", "image/gif"], "max_bytes": 2_000_000},
    "uploadBrandThemeFavicon": {"types": ["image/png", "image/x-icon", "image/vnd.microsoft.icon"],
                                "square_max": 512},
    "uploadApplicationLogo": {"types": ["image/png", "image/jpeg", "image/svg+xml", "image/gif"],
                              "max_bytes": 1_000_000},
}
#: Readable names of the media types above, for help texts.
TYPE_WORDS = {"image/png": "PNG", "image/jpeg": "JPG", "image/gif": "GIF", "image/x-icon": "ICO",
              "image/svg+xml": "SVG"}
#: File names for sample certificates, by the request type the document gives the example for.
CERT_FILENAMES = {"application/pkix-cert": "certificate.der", "application/x-x509-ca-cert": "certificate.cer",
                  "application/x-pem-file": "certificate.pem"}


def sample_png() -> str:
    """A 1 x 1 transparent PNG, base64: the sample file of the image uploads (the document gives none)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00")) + chunk(b"IEND", b""))
    return base64.b64encode(png).decode()


def file_help(where: str, rule: dict[str, Any] | None) -> str:
    """The help text of an upload's file field: the two ways to give it, where it goes, Okta's limits."""
    text = ('The file: an https URL to download, or {"filename", "content_type", "content_base64"}. ' + where)
    if rule:
        text += " Okta takes " + ", ".join(TYPE_WORDS.get(t, t) for t in rule["types"] if t in TYPE_WORDS)
        if rule.get("max_bytes"):
            text += f" files under {rule['max_bytes']:,} bytes"
        if rule.get("square_max"):
            text += f" images, square, at most {rule['square_max']} x {rule['square_max']} pixels"
        text += "."
    return text


def upload_body(vendor: Vendor, operation_id: str, content: dict[str, Any], fields: list[dict[str, Any]],
                taken: set[str]) -> tuple[str, list[str], bool, Any]:
    """A file body (multipart/form-data, or a raw binary body in one of several types): its kind, the
    documented types, whether it is required and a sample body; adds its fields to ``fields``."""
    rule = UPLOAD_RULES.get(operation_id)
    if "multipart/form-data" in content:
        schema = vendor.merged(content["multipart/form-data"].get("schema", {}))
        required = set(schema.get("required", []))
        sample: dict[str, Any] = {}
        for name, sub in schema.get("properties", {}).items():
            sub = vendor.merged(sub)
            key = field_key(name if name not in taken else "body_" + name)
            taken.add(key)
            if sub.get("format") == "binary":
                fields.append({"key": key, "name": name, "in": "body", "label": words(name).capitalize(),
                               "type": "file", "required": name in required,
                               "help": file_help(f"Sent as the multipart/form-data part {name!r}.", rule)})
                sample[name] = {"filename": "sample.png", "content_type": "image/png", "content_base64": sample_png()}
            else:
                field = input_field(vendor, key, name, "body", sub, name in required)
                field["help"] = field["help"].replace("Sent in the JSON body", f"Sent as the part {name!r}")
                fields.append(field)
        return "multipart", ["multipart/form-data"], bool(required), sample
    types = list(content)
    fields.append({"key": "file", "name": "file", "in": "body", "label": "Certificate", "type": "file",
                   "required": True,
                   "help": file_help("Sent as the whole request body, with the file's content type when Okta "
                                     f"documents it ({', '.join(types)}), else the first of those.", rule)})
    sample = None
    for kind, media in content.items():  # the document's example that is a certificate itself, not a file name
        example = media.get("example") or (media.get("schema") or {}).get("example")
        if isinstance(example, str) and not example.startswith("@"):
            sample = {"filename": CERT_FILENAMES.get(kind, "certificate"), "content_type": kind,
                      "content_base64": example}
            break
    return "raw", types, True, {"file": sample} if sample else None


#: Collections whose records are named by another member than ``id`` (or ``kid``): the members, in the
#: order the store tries them. A linked object definition is named by either of its two relationship
#: names; an email template by its name; an org contact by its type; an app feature by its name.
KEY_PATHS = {
    "/api/v1/meta/schemas/user/linkedObjects": ["primary.name", "associated.name"],
    "/api/v1/brands/{brandId}/templates/email": ["name"],
    "/api/v1/org/contacts": ["contactType"],
    "/api/v1/apps/{appId}/features": ["name"],
    "/api/v1/roles/{roleRef}/subscriptions": ["notificationType"],
    "/api/v1/users/{userId}/subscriptions": ["notificationType"],
}

#: Path segments whose id names a record of another collection: an app's user schema lives under
#: ``/meta/schemas/apps/{appId}``, the app being ``/api/v1/apps/{appId}``.
PARENT_ALIASES = {"/api/v1/meta/schemas/apps": "/api/v1/apps",
                  # a user's linked-object values are named by the definition's relationship name
                  "/api/v1/users/{userIdOrLogin}/linkedObjects": "/api/v1/meta/schemas/user/linkedObjects"}

#: Query parameters of a listing that page, search or shape it rather than match a member.
LIST_CONTROLS = {"after", "before", "limit", "q", "filter", "search", "expand", "sortBy", "sortOrder", "cursor"}

#: A user's linked-object values (Okta's document: setting a user's primary makes the user one of the
#: primary's associated users; reading by the primary name gives the user's primary, by the associated
#: name the users linked to the user; deleting by the primary name removes the user's primary): kept
#: apart from the generic roles because one value answers under two names.
LINK_ROLES = {"assign_linked_object_value_for_primary": "link_set", "list_linked_objects_for_user": "link_list",
              "delete_linked_object_for_user": "link_delete"}

#: What a new Okta org holds that no API call creates, each record taken from the vendor's example answer
#: of the operation named by ``from`` (its members that the contract refuses left out), with ``set``
#: applied: Okta's document describes each org as having one default brand (``isDefault``) with its theme
#: and its email templates (the document's example names ``UserActivation``), the ``default`` custom
#: authorization server, the org's self-service features, the built-in ``user`` type (``default: true``)
#: and its ``default`` user schema, the ``BILLING`` and ``TECHNICAL`` contacts (the ``contactType`` enum)
#: and the default password policy. ``collection`` may name an earlier default's collection in braces: that
#: record's key fills it.
#: ``each`` takes every item of the vendor's example list (the contacts) instead of the first; ``key`` names
#: the record in its path where that is not a member (the user schema's id is its URL, its path says
#: ``default``).
ORG_DEFAULTS: list[dict[str, Any]] = [
    # no default app named: the example's names an app this org does not have
    {"collection": "/api/v1/brands", "from": "get_brand", "set": {"isDefault": True, "defaultApp": {}}},
    {"collection": "/api/v1/brands/{brandId}/themes", "from": "get_brand_theme"},
    {"collection": "/api/v1/brands/{brandId}/templates/email", "from": "get_email_template"},
    {"collection": "/api/v1/authorizationServers", "from": "get_authorization_server",
     "set": {"id": "default", "name": "default", "description": "Default Authorization Server",
             "audiences": ["api://default"], "issuer": "https://{yourOktaDomain}/oauth2/default"}},
    {"collection": "/api/v1/features", "from": "get_feature"},
    {"collection": "/api/v1/meta/types/user", "from": "get_user_type",
     "set": {"displayName": "User", "name": "user", "description": "Okta user profile template with default "
             "permission settings", "default": True}},
    {"collection": "/api/v1/meta/schemas/user", "from": "get_user_schema", "key": "default",
     "set": {"id": "https://{yourOktaDomain}/meta/schemas/user/default"}},
    {"collection": "/api/v1/org/contacts", "from": "list_org_contact_types", "each": True},
    # the org's default password policy (``system: true``), as the document's ListPolicies example shows it;
    # (its placeholder words for id and timestamps replaced by values of their documented form)
    {"collection": "/api/v1/policies", "from": "list_policies",
     "set": {"id": "00p1defaultpwdpol0g4", "name": "Default Policy", "description": "The default policy applies "
             "in all situations if no other policy applies.", "created": "2023-05-17T22:25:57.000Z",
             "lastUpdated": "2023-05-17T22:25:57.000Z",
             "_links": {"self": {"href": "https://{yourOktaDomain}/api/v1/policies/00p1defaultpwdpol0g4",
                                 "hints": {"allow": ["GET", "PUT"]}}}}},
]

#: Collections holding one record per value the document enumerates for the item's path id: a role's or
#: a user's notification subscriptions exist for every ``NotificationType`` (``subscribe``/``unsubscribe``
#: only change their status). Each record is ``{key: value, **set}``; the document says Okta sends only
#: ``email`` channels, and a subscription starts ``subscribed`` (the status enum's first value).
ENUMERATED_RECORDS: dict[str, dict[str, Any]] = {
    "/api/v1/roles/{roleRef}/subscriptions": {"key": "notificationType",
                                              "set": {"channels": ["email"], "status": "subscribed"}},
    "/api/v1/users/{userId}/subscriptions": {"key": "notificationType",
                                             "set": {"channels": ["email"], "status": "subscribed"}},
}

#: Records Okta makes as a consequence of a create: an app gets its signing key, its user schema, the two
#: profile mappings between its user profile and Okta's user profile, and (for provisioning apps) its
#: features. In ``set``, ``{id}`` and ``{name}`` stand for the new record's own, ``{user_type}`` for the
#: org's default user type; ``collection`` names the new record's id as its placeholder.
CONSEQUENCES: dict[str, list[dict[str, Any]]] = {
    "/api/v1/apps": [
        {"collection": "/api/v1/apps/{appId}/credentials/keys", "from": "get_application_key"},
        {"collection": "/api/v1/apps/{appId}/features", "from": "get_feature_for_application"},
        {"collection": "/api/v1/mappings", "from": "get_profile_mapping",
         "set": {"source": {"id": "{id}", "name": "{name}", "type": "appuser"},
                 "target": {"id": "{user_type}", "name": "user", "type": "user"}}},
        {"collection": "/api/v1/mappings", "from": "get_profile_mapping",
         "set": {"source": {"id": "{user_type}", "name": "user", "type": "user"},
                 "target": {"id": "{id}", "name": "{name}", "type": "appuser"}}},
    ],
}

VERBS = {
    "list": "Lists", "get": "Reads", "create": "Creates", "replace": "Replaces", "update": "Updates",
    "delete": "Deletes", "activate": "Activates", "deactivate": "Deactivates", "assign": "Assigns",
    "unassign": "Removes the assignment of", "revoke": "Revokes", "generate": "Generates",
    "publish": "Publishes", "clone": "Clones", "upload": "Uploads", "verify": "Verifies", "add": "Adds",
    "remove": "Removes", "reset": "Resets", "suspend": "Suspends", "unsuspend": "Unsuspends",
    "unlock": "Unlocks", "expire": "Expires", "reactivate": "Reactivates", "rotate": "Rotates",
    "enroll": "Enrolls", "unenroll": "Unenrolls", "preview": "Previews", "send": "Sends", "execute": "Runs",
    "change": "Changes", "forgot": "Starts recovery of", "link": "Links", "unlink": "Unlinks",
    "enable": "Enables", "disable": "Disables", "subscribe": "Subscribes to", "unsubscribe": "Unsubscribes from",
    "upsert": "Creates or replaces", "test": "Tests", "validate": "Validates", "extend": "Extends",
    "lock": "Locks", "poll": "Polls", "set": "Sets", "bulk": "Applies in bulk",
}


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower().replace("__", "_")


def words(name: str) -> str:
    return snake(name).replace("_", " ")


def norm(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


class Vendor:
    """The vendor document with refs resolved on demand."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            node = self.pointer(node["$ref"])
            seen += 1
        return node

    def pointer(self, ref: str) -> Any:
        node: Any = self.spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def merged(self, schema: Any, depth: int = 0) -> dict[str, Any]:
        """One object view of a schema: refs resolved, ``allOf`` merged, ``oneOf``/``anyOf`` variants unioned."""
        schema = self.resolve(schema) or {}
        if depth > 8 or not isinstance(schema, dict):
            return {}
        out: dict[str, Any] = {k: v for k, v in schema.items() if k not in ("allOf", "oneOf", "anyOf")}
        for part in schema.get("allOf", []):
            sub = self.merged(part, depth + 1)
            out.setdefault("properties", {}).update(sub.get("properties", {}))
            out["required"] = sorted({*out.get("required", []), *sub.get("required", [])})
            for key in ("type", "enum", "format", "items"):
                if key in sub and key not in out:
                    out[key] = sub[key]
        variants = [self.merged(part, depth + 1) for part in schema.get("oneOf", []) + schema.get("anyOf", [])]
        if variants:
            props: dict[str, Any] = {}
            for variant in variants:
                for name, sub in variant.get("properties", {}).items():
                    props.setdefault(name, sub)
            out.setdefault("properties", {})
            for name, sub in props.items():
                out["properties"].setdefault(name, sub)
            common = set.intersection(*(set(v.get("required", [])) for v in variants))
            out["required"] = sorted({*out.get("required", []), *common})
            for key in ("type", "enum", "format", "items"):
                for variant in variants:
                    if key in variant and key not in out:
                        out[key] = variant[key]
        if "properties" in out and "type" not in out:
            out["type"] = "object"
        return out

    def example(self, media: dict[str, Any]) -> Any:
        """The first example of a media object, resolved, or None."""
        if "example" in media:
            return media["example"]
        for example in (media.get("examples") or {}).values():
            example = self.resolve(example)
            if isinstance(example, dict) and "value" in example:
                return example["value"]
        return None

    def instance(self, schema: Any, depth: int = 0) -> Any:
        """A small value that fits ``schema``: required properties only, first enum value, typed defaults."""
        raw = self.resolve(schema) or {}
        if isinstance(raw, dict) and (raw.get("oneOf") or raw.get("anyOf")) and not raw.get("allOf"):
            return self.instance((raw.get("oneOf") or raw.get("anyOf"))[0], depth + 1)
        schema = self.merged(raw)
        if "default" in schema and schema["default"] is not None:
            return copy.deepcopy(schema["default"])
        if schema.get("enum"):
            return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        if kind == "object" or "properties" in schema:
            if depth > 6:
                return {}
            return {name: self.instance(schema["properties"][name], depth + 1)
                    for name in schema.get("required", []) if name in schema.get("properties", {})}
        if kind == "array":
            if (schema.get("minItems") or depth == 1) and depth <= 6:  # a required top-level list gets one item
                return [self.instance(schema.get("items", {}), depth + 1)]
            return []
        if kind == "integer":
            return int(schema.get("minimum", 1))
        if kind == "number":
            return float(schema.get("minimum", 1))
        if kind == "boolean":
            return True
        return _string_for(schema)


def _string_for(schema: dict[str, Any]) -> str:
    fmt = schema.get("format", "")
    if fmt == "date-time":
        return "2026-01-01T00:00:00.000Z"
    if fmt in ("uri", "url"):
        return "https://example.com/hook"
    if fmt == "email":
        return "someone@example.com"
    if fmt == "ipv4":
        return "10.0.0.1"
    length = max(int(schema.get("minLength", 1)), 1)
    text = "sample"
    return (text * (length // len(text) + 1))[: max(length, len(text))][: schema.get("maxLength", 64)]


FIELD_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
               "object": "dict", "array": "list"}


def field_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind is None and "properties" in schema:
        kind = "object"
    if kind == "string" and schema.get("format") == "date-time":
        return "datetime"
    return FIELD_TYPES.get(kind or "string", "string")


def item_type(vendor: Vendor, schema: dict[str, Any]) -> str:
    if field_type(schema) != "list":
        return "string"
    items = vendor.merged(schema.get("items", {}))
    kind = field_type(items)
    return kind if kind in ("string", "integer", "number", "boolean", "dict") else "dict"


def resource_words(path: str) -> str:
    """The resource a path is about, in words: ``/api/v1/apps/{appId}/credentials/keys`` -> ``credentials keys``."""
    literal = [s for s in path.split("/")[3:] if s and not s.startswith("{")]
    return " ".join(words(s.replace("-", "_")) for s in literal[-2:]) or "org"


def describe(operation_id: str, method: str, path: str, summary: str) -> str:
    """Our own short description: the verb of the operation id, what it acts on, and where."""
    parts = snake(operation_id).split("_")
    verb = VERBS.get(parts[0], parts[0].capitalize() + "s")
    rest = " ".join(parts[1:]) or resource_words(path)
    return f"{verb} {rest} ({method} {path})."


#: Where a user finds the id of a record the hand-written operations serve, by collection.
HAND_WRITTEN_SOURCES = {
    "userId": "The id of an Okta user (00u...): the New User trigger, Find User or List Users give it",
    "groupId": "The id of an Okta group (00g...): Find Group or List Groups give it",
}
#: Okta's own spelling of words the operation ids run together.
SPELLING = {"o auth2": "OAuth 2.0", "O auth2": "OAuth 2.0", " sms ": " SMS ", "Sms ": "SMS ", " idp": " IdP",
            " csr": " CSR", " jwk": " JWK", " iam": " IAM"}
#: What a lifecycle call leaves the record's status as, where Okta's document states one.
LIFECYCLE_STATUS = {"activate": "ACTIVE", "deactivate": "INACTIVE", "suspend": "SUSPENDED",
                    "unsuspend": "ACTIVE"}


def explain(operations: list[dict[str, Any]]) -> None:
    """Say more than the verb: what each operation answers, and where each path id comes from.

    Descriptions get one sentence on the answer (a list read page by page, the record named, the new
    record with its id, the status a lifecycle call leaves, an empty answer) and the scope Okta asks
    for. A path id's help names the operation that lists (or else creates) that collection, so a user
    building a flow knows which step gives it.
    """
    lists = {norm(e["path"]): e for e in operations if e["method"] == "GET" and e["returns"] == "list"}
    creates = {norm(e["path"]): e for e in operations if e["method"] == "POST" and norm(e["path"]) in lists}
    for entry in operations:
        for wrong, right in SPELLING.items():
            entry["label"] = f"{entry['label']} ".replace(wrong, right).rstrip()
        entry["description"] = f"{entry['description']} {answer_sentence(entry, norm(entry['path']) in creates)}"
        for wrong, right in SPELLING.items():
            entry["description"] = entry["description"].replace(wrong, right)
        if entry["scopes"]:
            entry["description"] += f" Okta scope: {', '.join(entry['scopes'])}."
    posts = {norm(e["path"]): e for e in operations if e["method"] == "POST" and not e["path"].endswith("}")
             and "/lifecycle/" not in e["path"]}
    by_name: dict[str, str] = {}  # a path id's name -> the help found for it where its collection is clear
    unsourced: list[dict[str, Any]] = []
    for entry in operations:
        parts = entry["path"].split("/")
        for field in entry["fields"]:
            if field["in"] != "path" or field.get("choices") is not None:
                continue
            collection = "/".join(parts[:parts.index("{" + field["name"] + "}")])
            known = {"/api/v1/users": "userId", "/api/v1/groups": "groupId"}.get(collection, field["name"])
            source = lists.get(norm(collection)) or posts.get(norm(collection))
            if known in HAND_WRITTEN_SOURCES:
                field["help"] = f"{HAND_WRITTEN_SOURCES[known]}. Goes into the request path."
            elif source is not None:
                how = "lists them" if source["method"] == "GET" else "answers with it"
                field["help"] = (f"{words(field['name']).capitalize()}: '{source['label']}' ({source['key']}) {how}. "
                                 "Goes into the request path.")
                by_name.setdefault(field["name"], field["help"])
            else:
                unsourced.append(field)
    for field in unsourced:  # the same name elsewhere has a clear source (an appId is an application's id)
        field["help"] = by_name.get(field["name"], field["help"])


def answer_sentence(entry: dict[str, Any], creates: bool) -> str:
    """One sentence on what the operation answers, from its method, path, status and answer's shape."""
    method, path, returns = entry["method"], entry["path"], entry["returns"]
    action = path.rsplit("/", 1)[-1]
    if "/lifecycle/" in path and action in LIFECYCLE_STATUS:
        return f"Its status becomes {LIFECYCLE_STATUS[action]}."
    if returns == "empty":
        return f"Okta answers {entry['status']} with no body."
    if returns == "list":
        paged = " page by page (Okta's after cursor, followed by the kit)" if entry["paging"] == "link" else ""
        return f"Answers with a list{paged}."
    if creates:
        return "Answers with the new record and the id Okta gave it."
    if method == "GET":
        return "Answers with the record the path names, or Okta's 404 when there is none."
    if method == "PUT" and entry["key"].startswith("replace"):
        return "Replaces the whole record with what is sent and answers with it."
    return "Answers with Okta's result."


def help_for(name: str, where: str, schema: dict[str, Any]) -> str:
    what = {"path": "Goes into the request path", "query": "Sent as a query parameter",
            "body": "Sent in the JSON body"}[where]
    kind = field_type(schema)
    extra = ""
    if kind == "dict":
        extra = "; a JSON object"
    elif kind == "list":
        extra = "; a list (JSON or comma-separated)"
    if schema.get("enum"):
        extra += "; one of the listed values"
    if "default" in schema and schema["default"] is not None and not isinstance(schema["default"], dict | list):
        extra += f"; Okta's default is {schema['default']!r}"
    return f"{words(name).capitalize()}. {what}{extra}."


def input_field(vendor: Vendor, key: str, name: str, where: str, schema: Any, required: bool) -> dict[str, Any]:
    schema = vendor.merged(schema)
    field: dict[str, Any] = {"key": key, "name": name, "in": where, "label": words(name).capitalize(),
                             "type": field_type(schema), "required": bool(required),
                             "help": help_for(name, where, schema)}
    if field["type"] == "list":
        field["item_type"] = item_type(vendor, schema)
    enum = [v for v in schema.get("enum", []) if isinstance(v, str)]
    if enum and field["type"] == "string":
        field["choices"] = enum
    if "minimum" in schema:
        field["minimum"] = schema["minimum"]
    return field


def field_key(name: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not key[:1].isalpha():
        key = "f" + key
    return key[:64]


def parse_seed(text: str) -> list[dict[str, str]]:
    """Seed 004's operations: section, title, method and path."""
    rows: list[dict[str, str]] = []
    area = ""
    title = ""
    for line in text.splitlines():
        if line.startswith("### "):
            area = line[4:].strip()
        elif line.startswith("## "):
            title = line[3:].strip()
        match = re.search(r"`(GET|POST|PUT|DELETE|PATCH)`</mark> `<example>\.okta\.com(/[^`]*)`", line)
        if match:
            rows.append({"area": AREAS.get(area, area), "title": title, "method": match[1], "path": match[2]})
    return rows


def output_fields(vendor: Vendor, schema: dict[str, Any]) -> list[dict[str, Any]]:
    if field_type(schema) == "list":
        schema = vendor.merged(schema.get("items", {}))
    out = []
    for name, sub in sorted(schema.get("properties", {}).items()):
        if name.startswith("_") or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
            continue
        sub = vendor.merged(sub)
        kind = field_type(sub)
        field = {"key": name, "label": words(name).capitalize(), "type": "string" if kind == "datetime" else kind}
        if kind == "list":
            field["item_type"] = item_type(vendor, sub)
        out.append(field)
    return out


def success(responses: dict[str, Any]) -> tuple[int, Any]:
    """The documented success answer: the first 2xx, else the first 3xx (Okta's support grants redirect)."""
    for prefix in ("2", "3"):
        for status in sorted(responses):
            if str(status).startswith(prefix):
                return int(status), responses[status]
    return 200, {}


def build_operation(vendor: Vendor, row: dict[str, str], method: str, path: str) -> dict[str, Any]:
    item = vendor.spec["paths"][path]
    op = item[method.lower()]
    operation_id = op["operationId"]
    key = snake(operation_id).replace("application_administrator", "app_admin")
    params = list({(p["name"], p["in"]): p for p in (
        vendor.resolve(p) for p in [*item.get("parameters", []), *op.get("parameters", [])])}.values())
    fields: list[dict[str, Any]] = []
    taken: set[str] = set()
    for p in params:
        if p["in"] not in ("path", "query"):
            continue
        field = input_field(vendor, field_key(p["name"]), p["name"], p["in"], p.get("schema", {}),
                            p["in"] == "path" or bool(p.get("required")))
        fields.append(field)
        taken.add(field["key"])
    body_kind = None
    content_types: list[str] = []
    body_required = False
    sample_body: Any = None
    body = vendor.resolve(op.get("requestBody"))
    if body:
        content = body.get("content") or {}
        media = content.get("application/json")
        if media is not None:
            schema = vendor.merged(media.get("schema", {}))
            body_required = bool(body.get("required"))
            sample_body = vendor.example(media)
            if field_type(schema) == "dict" and schema.get("properties"):
                body_kind = "fields"
                required = set(schema.get("required", []))
                for name, sub in schema["properties"].items():
                    sub_merged = vendor.merged(sub)
                    if sub_merged.get("readOnly") or name.startswith("_"):
                        continue
                    key_name = field_key(name)
                    if key_name in taken:
                        key_name = field_key("body_" + name)
                    fields.append(input_field(vendor, key_name, name, "body", sub, name in required))
                    taken.add(key_name)
                if sample_body is None:
                    sample_body = vendor.instance(media.get("schema", {}))
            else:
                body_kind = "whole"
                fields.append({"key": "body", "name": "body", "in": "body", "label": "Body",
                               "type": "list" if field_type(schema) == "list" else "dict",
                               "item_type": "dict", "required": body_required,
                               "help": "The request's JSON body, as Okta documents it for this operation."})
                if sample_body is None:
                    sample_body = vendor.instance(media.get("schema", {}))
        else:
            body_kind, content_types, body_required, sample_body = upload_body(
                vendor, operation_id, content, fields, taken)
    status, response = success(op.get("responses", {}))
    response = vendor.resolve(response)
    response_media = next((m for k, m in (response.get("content") or {}).items() if "json" in k), None)
    response_schema = vendor.merged(response_media.get("schema", {})) if response_media else {}
    returns = "empty"
    if response_media is not None and response_media.get("schema"):
        returns = "list" if field_type(response_schema) == "list" else "object"
    query_names = {p["name"] for p in params if p["in"] == "query"}
    paging = "link" if returns == "list" and "after" in query_names else "none"
    kind = "search" if method == "GET" else "action"
    sample = vendor.example(response_media) if response_media else None
    if isinstance(sample, list):
        sample = sample[0] if sample else None
    if not isinstance(sample, dict):
        sample = vendor.instance(response_media.get("schema", {}).get("items", response_media.get("schema", {})))\
            if response_media and response_media.get("schema") else {}
        if not isinstance(sample, dict):
            sample = {"value": sample}
    outputs = output_fields(vendor, response_schema)
    for field in outputs:  # the vendor's examples sometimes give a number where the schema says text
        if field["type"] == "string" and isinstance(sample.get(field["key"]), int | float):
            sample[field["key"]] = str(sample[field["key"]])
    scopes = sorted({scope for requirement in op.get("security", []) for scope in requirement.get("oauth2", [])})
    label = snake(operation_id).replace("_", " ").capitalize()
    entry: dict[str, Any] = {
        "key": key,
        "area": row["area"],
        "label": label,
        "description": describe(operation_id, method, path, op.get("summary", "")),
        "kind": kind,
        "semantics": semantics(method, path),
        "method": method,
        "path": path,
        "vendor_operation": operation_id,
        "fields": fields,
        "body": body_kind,
        **({"content_types": content_types} if content_types else {}),
        "body_required": body_required,
        "returns": returns,
        "status": status,
        "paging": paging,
        "output_fields": outputs,
        "scopes": scopes,
        "sample": sample,
        "important": key in IMPORTANT,
        "seed_title": row["title"],
    }
    generated = vendor.instance(body["content"]["application/json"].get("schema", {})) if body_kind in (
        "fields", "whole") else None
    # The vendor's example, with a made value for any required field the example leaves out.
    entry["sample_input"] = {**sample_input(entry, generated), **sample_input(entry, sample_body)}
    entry["_fallback_input"] = sample_input(entry, generated)
    return entry


def semantics(method: str, path: str) -> str:
    """create for a POST to a collection, delete for a DELETE, update for every other change."""
    if method == "DELETE":
        return "delete"
    if method == "POST" and not path.endswith("}") and "/lifecycle/" not in path:
        return "create"
    return "update"


def sample_input(entry: dict[str, Any], body: Any) -> dict[str, Any]:
    """Input values that make a documented request: required query values and the body's fields."""
    values: dict[str, Any] = {}
    for field in entry["fields"]:
        if field["in"] == "query" and field["required"]:
            values[field["key"]] = field.get("choices", ["sample"])[0] if field["type"] == "string" else (
                int(field.get("minimum", 1)) if field["type"] == "integer" else True)
    if entry["body"] == "whole" and body is not None:
        values["body"] = body
    elif entry["body"] in ("fields", "multipart", "raw") and isinstance(body, dict):
        by_name = {f["name"]: f["key"] for f in entry["fields"] if f["in"] == "body"}
        values.update({by_name[name]: value for name, value in body.items() if name in by_name})
    return values


def resource_role(entry: dict[str, Any], collections: set[str], listed: frozenset[str] = frozenset(),
                  seeded: frozenset[str] = frozenset()) -> dict[str, Any]:
    """How the sandbox's generic store answers one operation.

    An item of a collection nothing creates is still a record when the org starts with it or another
    create makes it (``seeded``: read, replace, update and delete it by key), or when the collection is
    listed (``listed``: assignments and links, made by a PUT or POST on the item, read and removed there).
    """
    method, path = entry["method"], entry["path"]
    segments = path.split("/")
    last = segments[-1]
    parent = "/".join(segments[:-1])
    role = "sub"
    collection = path
    enumerated_action = last.startswith("{") and any(
        f["in"] == "path" and f["name"] == last[1:-1] and f.get("choices") for f in entry["fields"])
    if method == "POST" and last in ("subscribe", "unsubscribe") and "/".join(segments[:-2]) in seeded:
        # ``.../subscriptions/{notificationType}/subscribe``: the subscription's status changes
        return {"role": "lifecycle", "collection": "/".join(segments[:-2]), "action": last}
    if method == "POST" and enumerated_action and segments[-2].startswith("{") and (
            "/".join(segments[:-2]) in seeded | collections):
        # ``/features/{featureId}/{lifecycle}``: the action is the path's value (ENABLE, DISABLE)
        return {"role": "lifecycle", "collection": "/".join(segments[:-2]), "action": last}
    if last.startswith("{"):
        collection = parent
        role = {"GET": "read", "PUT": "replace", "POST": "update", "PATCH": "update", "DELETE": "delete"}[method]
        if collection in seeded and collection not in collections:
            pass
        elif collection in listed and collection not in collections:
            role = {"GET": "read", "PUT": "put_member", "POST": "put_member", "DELETE": "delete_member"}.get(
                method, "sub")
        elif collection not in collections:
            role = {"GET": "sub", "PUT": "put_member", "DELETE": "delete_member"}.get(method, "sub")
    elif method == "POST" and path in collections:
        role = "create"
    elif method == "POST" and last == "generate" and parent in listed:  # a new signing key in the collection
        role = "generate"
        collection = parent
    elif (method == "POST" and last == "clone" and segments[-2].startswith("{") and "/".join(segments[:-2]) in listed
          and any(f["in"] == "query" and f["name"].startswith("target") for f in entry["fields"])):
        role = "clone"  # a key copied to another app or IdP, the one the query's target names
        collection = "/".join(segments[:-2])
    elif method == "GET" and entry["returns"] == "list":
        role = "list"
    elif len(segments) >= 3 and segments[-2] == "lifecycle" and segments[-3].startswith("{"):
        role = "lifecycle"
        collection = "/".join(segments[:-3])
    return {"role": role, "collection": collection, "action": last}


def vendor_commit(spec_repo: Path, given: str | None) -> str:
    if given:
        return given
    import subprocess

    done = subprocess.run(["git", "-C", str(spec_repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def main(spec_repo: Path, seed_file: Path, commit: str | None = None) -> None:
    spec = yaml.load((spec_repo / DOCUMENT).read_text(), Loader=yaml.CSafeLoader)
    build_okta_contract.apply_corrections(spec)  # the contract's corrections of the document, read the same way
    version = spec["info"]["version"]
    vendor = Vendor(spec)
    vendor_ops = {(m.upper(), norm(p)): p for p, item in spec["paths"].items() for m in item if m in METHODS}
    seed = parse_seed(seed_file.read_text())
    operations: list[dict[str, Any]] = []
    seed_rows: list[dict[str, Any]] = []
    keys: set[str] = set()
    for row in seed:
        vendor_path = vendor_ops.get((row["method"], norm(row["path"])))
        record = {**row}
        if vendor_path is None:
            decision = DECISIONS[(row["method"], row["path"])]
            record.update(decision)
            seed_rows.append(record)
            continue
        entry = build_operation(vendor, row, row["method"], vendor_path)
        hand = HAND_WRITTEN.get((row["method"], vendor_path))
        record.update({"key": hand or entry["key"], "vendor_path": vendor_path,
                       "vendor_operation": entry["vendor_operation"]})
        seed_rows.append(record)
        if hand:
            record["reason"] = "served by a hand-written operation with its own rules"
            continue
        if entry["key"] in keys:
            raise SystemExit(f"duplicate key {entry['key']}")
        keys.add(entry["key"])
        operations.append(entry)
    explain(operations)
    catalogue = {
        "source": {"repository": REPOSITORY, "document": DOCUMENT, "version": version,
                   "commit": vendor_commit(spec_repo, commit),
                   "taken": "paths, methods, parameters, body and answer structure, scopes, examples; labels "
                            "from operation ids, descriptions and help written by scripts/build_okta_catalogue.py"},
        "operations": operations,
        "seed": seed_rows,
    }
    CATALOGUE.write_text(json.dumps(catalogue, indent=None, separators=(",", ":")) + "\n")
    build_okta_contract.main(spec_repo)
    check_samples(catalogue)
    CATALOGUE.write_text(json.dumps(catalogue, indent=None, separators=(",", ":")) + "\n")
    write_resources(vendor, catalogue, version)
    print(f"{CATALOGUE}: {len(operations)} operations; {len(seed_rows)} seed rows")


def check_samples(catalogue: dict[str, Any]) -> None:
    """Drop a vendor example the contract refuses for a body made from the schema; report what stays wrong."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    contract = json.loads((ROOT / "docs" / "contracts" / "okta.openapi.json").read_text())
    registry: Registry[Any] = Registry().with_resource(
        "urn:c", Resource.from_contents(contract, default_specification=DRAFT202012))
    for entry in catalogue["operations"]:
        spec = contract["paths"][entry["path"]][entry["method"].lower()]
        body = spec.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            continue
        pointer = "/paths/{}/{}/requestBody/content/application~1json/schema".format(
            entry["path"].replace("~", "~0").replace("/", "~1"), entry["method"].lower())
        validator = Draft202012Validator({"$ref": f"urn:c#{pointer}"}, registry=registry)
        sent = request_body(entry, entry["sample_input"])
        fallback = entry.pop("_fallback_input", None)
        errors = list(validator.iter_errors(sent))
        if errors and fallback is not None and not list(validator.iter_errors(request_body(entry, fallback))):
            entry["sample_input"] = fallback
        elif errors:
            entry["sample_problem"] = f"{errors[0].json_path}: {errors[0].message}"[:300]
    for entry in catalogue["operations"]:
        entry.pop("_fallback_input", None)


def request_body(entry: dict[str, Any], values: dict[str, Any]) -> Any:
    if entry["body"] == "whole":
        return values.get("body")
    return {f["name"]: values[f["key"]] for f in entry["fields"] if f["in"] == "body" and f["key"] in values}


def answer_samples(vendor: Vendor, rows: list[dict[str, Any]]) -> None:
    """The sandbox's starting answer per operation: the vendor's example when the contract accepts it,
    else a value made from the schema (settings documents start from it)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    contract = json.loads((ROOT / "docs" / "contracts" / "okta.openapi.json").read_text())
    registry: Registry[Any] = Registry().with_resource(
        "urn:c", Resource.from_contents(contract, default_specification=DRAFT202012))
    for row in rows:
        spec = contract["paths"][row["path"]][row["method"].lower()]
        answer = spec.get("responses", {}).get(str(row["status"]), {}).get("content", {}).get("application/json")
        if answer is None or row["sample"] is None:
            continue
        pointer = "/paths/{}/{}/responses/{}/content/application~1json/schema".format(
            row["path"].replace("~", "~0").replace("/", "~1"), row["method"].lower(), row["status"])
        validator = Draft202012Validator({"$ref": f"urn:c#{pointer}"}, registry=registry)
        as_sent = [row["sample"]] if row["returns"] == "list" else row["sample"]
        if not list(validator.iter_errors(as_sent)):
            continue
        op = vendor.spec["paths"][row["path"]][row["method"].lower()]
        media = next(m for k, m in (vendor.resolve(op["responses"][str(row["status"])]).get("content") or {}).items()
                     if "json" in k)
        made = vendor.instance(media.get("schema", {}))
        row["sample"] = made[0] if isinstance(made, list) and made else (made if isinstance(made, dict) else {})
        as_sent = [row["sample"]] if row["returns"] == "list" else row["sample"]
        if list(validator.iter_errors(as_sent)):
            row["sample_problem"] = "neither the vendor's example nor a made value fits the contract"


def answer_shape(vendor: Vendor, schema: Any, depth: int = 0) -> Any:
    """The documented members of an answer, nested (``None``: any member, an open map or a plain value);
    a list's shape is its items'."""
    schema = vendor.merged(schema)
    if field_type(schema) == "list":
        return answer_shape(vendor, schema.get("items", {}), depth)
    props = schema.get("properties")
    if not props or schema.get("additionalProperties") not in (None, False) or depth > 6:
        return None
    return {name: answer_shape(vendor, sub, depth + 1) for name, sub in sorted(props.items())}


def answer_validator(row: dict[str, Any], *, item: bool = False) -> Any:
    """A validator of one operation's documented answer (``item``: of one item of a list answer)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    contract = _contract()
    registry: Registry[Any] = Registry().with_resource(
        "urn:c", Resource.from_contents(contract, default_specification=DRAFT202012))
    pointer = "/paths/{}/{}/responses/{}/content/application~1json/schema".format(
        row["path"].replace("~", "~0").replace("/", "~1"), row["method"].lower(), row["status"])
    schema = contract["paths"][row["path"]][row["method"].lower()]["responses"][str(row["status"])]["content"][
        "application/json"]["schema"]
    if item and schema.get("type") == "array":
        pointer += "/items"
    return Draft202012Validator({"$ref": f"urn:c#{pointer}"}, registry=registry)


_CONTRACT: dict[str, Any] = {}


def _contract() -> dict[str, Any]:
    if not _CONTRACT:
        _CONTRACT.update(json.loads((ROOT / "docs" / "contracts" / "okta.openapi.json").read_text()))
    return _CONTRACT


def fit(value: Any, validator: Any) -> Any:
    """The vendor's example with every member the contract refuses left out (None if it still fails)."""
    value = copy.deepcopy(value)
    for _ in range(200):
        errors = list(validator.iter_errors(value))
        if not errors:
            return value
        error = errors[0]
        path = list(error.absolute_path)
        holder: Any = value
        for step in path[:-1] if error.validator != "additionalProperties" else path:
            holder = holder[step]
        if error.validator == "additionalProperties" and isinstance(holder, dict):
            known = set(error.schema.get("properties", {}))
            for name in [name for name in holder if name not in known]:
                del holder[name]
        elif path:
            del holder[path[-1]]
        else:
            return None
    return None


def _key_of(record: dict[str, Any], collection: str) -> str:
    for key_path in KEY_PATHS.get(collection, ["id", "kid"]):
        found: Any = record
        for part in key_path.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        if found:
            return str(found)
    raise SystemExit(f"an org default in {collection} has no key: {record}")


def _with_set(record: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(record)
    for name, value in changes.items():
        out[name] = copy.deepcopy(value)
    return out


def org_records(vendor: Vendor, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The records a new org holds (``ORG_DEFAULTS``) and what a create makes besides (``CONSEQUENCES``),
    each from the vendor's example answer, fitted to the contract."""
    by_key = {row["key"]: row for row in rows}

    def examples(spec: dict[str, Any]) -> list[dict[str, Any]]:
        row = by_key[spec["from"]]
        op = vendor.spec["paths"][row["path"]][row["method"].lower()]
        media = next(m for k, m in (vendor.resolve(op["responses"][str(row["status"])]).get("content") or {}).items()
                     if "json" in k)
        found = vendor.example(media)
        items = found if isinstance(found, list) else [found if isinstance(found, dict) else {}]
        validator = answer_validator(row, item=True)
        out = []
        for item in items if spec.get("each") else items[:1]:
            fitted = fit(_with_set(item, spec.get("set", {})), validator)
            if fitted is None:
                raise SystemExit(f"the example answer of {spec['from']} does not fit the contract")
            out.append(fitted)
        return out

    keys: dict[str, str] = {}
    defaults = []
    for spec in ORG_DEFAULTS:
        collection = spec["collection"]
        concrete = collection
        for placeholder in re.findall(r"\{[^}]+\}", collection):  # an earlier default's key, by its collection
            concrete = concrete.replace(placeholder, keys[collection[:collection.index(placeholder) - 1]])
        for record in examples(spec):
            key = spec.get("key") or _key_of(record, spec["collection"])
            keys.setdefault(spec["collection"], key)
            defaults.append({"collection": concrete, "key": key, "record": record})
    user_type = keys["/api/v1/meta/types/user"]
    consequences: dict[str, Any] = {}
    for made_by, specs in CONSEQUENCES.items():
        for spec in specs:
            changes = json.loads(json.dumps(spec.get("set", {})).replace("{user_type}", user_type))
            record = examples({**spec, "set": changes})[0]
            key_paths = KEY_PATHS.get(spec["collection"])
            consequences.setdefault(made_by, []).append({
                "collection": spec["collection"], "record": record, "key_paths": key_paths,
                # a new key for each record, with the example key's prefix (Okta's ids name their kind)
                "prefix": None if key_paths else _key_of(record, spec["collection"])[:3],
                "key_field": None if key_paths else ("kid" if "kid" in record and "id" not in record else "id"),
            })
    return defaults, consequences


def write_resources(vendor: Vendor, catalogue: dict[str, Any], version: str) -> None:
    operations = catalogue["operations"]
    all_paths = {(e["method"], e["path"]) for e in operations}
    all_paths |= {(row["method"], row["vendor_path"]) for row in catalogue["seed"] if "vendor_path" in row}
    collections = {path for method, path in all_paths if method == "POST"} & {
        path.rsplit("/", 1)[0] for _method, path in all_paths if path.endswith("}")}
    hand_paths = {(row["method"], row["vendor_path"]) for row in catalogue["seed"] if "vendor_path" in row
                  and row["key"] in HAND_WRITTEN.values()}
    # Collections listed and read by id. Not those whose item ids the document enumerates (a role's or a
    # user's subscription per notification type): those hold a document for every value, none is made.
    enumerated = {e["path"].rsplit("/", 1)[0] for e in operations if e["path"].endswith("}") and any(
        f["in"] == "path" and f.get("choices") and e["path"].endswith("{" + f["name"] + "}") for f in e["fields"])}
    listed = frozenset({e["path"] for e in operations if e["method"] == "GET" and e["returns"] == "list"
                        and ("GET", e["path"]) not in hand_paths} & {
        path.rsplit("/", 1)[0] for _method, path in all_paths if path.endswith("}")} - enumerated)
    seeded = frozenset({d["collection"] for d in ORG_DEFAULTS} | {
        c["collection"] for made in CONSEQUENCES.values() for c in made} | set(ENUMERATED_RECORDS))
    enumerated_records = []
    for collection, spec in ENUMERATED_RECORDS.items():
        item = next(e for e in operations if e["method"] == "GET" and e["path"] == f"{collection}/{{{spec['key']}}}")
        values = next(f["choices"] for f in item["fields"] if f["name"] == spec["key"] and f["in"] == "path")
        enumerated_records.append({"collection": collection, "key": spec["key"], "values": values,
                                   "record": spec["set"]})
    rows = []
    for entry in operations:
        op = vendor.spec["paths"][entry["path"]][entry["method"].lower()]
        status, response = success(op.get("responses", {}))
        response = vendor.resolve(response)
        media = next((m for k, m in (response.get("content") or {}).items() if "json" in k), None)
        schema = vendor.merged(media.get("schema", {})) if media and media.get("schema") else {}
        item_schema = vendor.merged(schema.get("items", {})) if field_type(schema) == "list" else schema
        props = item_schema.get("properties", {})
        server = {name: field_type(vendor.merged(sub)) for name, sub in props.items()
                  if name in ("id", "created", "lastUpdated", "status", "_links") or vendor.merged(sub).get("readOnly")}
        status_values = vendor.merged(props.get("status", {})).get("enum", [])
        body = vendor.resolve(op.get("requestBody"))
        body_schema = {}
        if body and (body.get("content") or {}).get("application/json"):
            body_schema = vendor.merged(body["content"]["application/json"].get("schema", {}))
        keys = None
        if item_schema.get("properties") and item_schema.get("additionalProperties") in (None, False):
            keys = sorted(item_schema["properties"])
        not_found = vendor.resolve(op.get("responses", {}).get("404", {})) or {}
        role = resource_role(entry, collections, listed, seeded)
        if entry["key"] in LINK_ROLES:
            role["role"] = LINK_ROLES[entry["key"]]
        extra: dict[str, Any] = {}
        key_collection = role["collection"] if role["role"] != "list" else entry["path"]
        if key_collection in KEY_PATHS:
            extra["key_paths"] = KEY_PATHS[key_collection]
        aliases = {alias: real for alias, real in PARENT_ALIASES.items() if entry["path"].startswith(alias + "/")}
        if aliases:
            extra["parent_aliases"] = aliases
        if role["role"] == "list" and isinstance(shape := answer_shape(vendor, schema), dict):
            # Query values that narrow a listing to records with that member (``sourceId``: ``source.id``).
            filters = {}
            for field in entry["fields"]:
                stem = field["name"][:-2]
                if field["in"] != "query" or field["name"] in LIST_CONTROLS:
                    continue
                if field["name"] in shape and shape[field["name"]] is None:
                    filters[field["name"]] = field["name"]
                elif field["name"].endswith("Id") and isinstance(shape.get(stem), dict) and "id" in shape[stem]:
                    filters[field["name"]] = f"{stem}.id"
            if filters:
                extra["list_filters"] = filters
        if role["role"] == "clone":
            extra["target_param"] = next(f["name"] for f in entry["fields"]
                                         if f["in"] == "query" and f["name"].startswith("target"))
        rows.append({
            # The answer's documented members, nested: the store answers nothing else (write-only members
            # such as a provisioning connection's token are never echoed).
            "answer_shape": answer_shape(vendor, schema) if media and media.get("schema") else None,
            **extra,
            "response_keys": keys,
            # Records whose path id is a key id the server makes (signing keys) rather than an ``id``.
            "id_field": "kid" if "id" not in props and "kid" in props else "id",
            # Okta documents some 404s without a body (user subscriptions): the sandbox answers them so.
            "bodyless_404": "404" in op.get("responses", {}) and not not_found.get("content"),
            "key": entry["key"], "method": entry["method"], "path": entry["path"], "status": status,
            "returns": entry["returns"], **role,
            "server_fields": server, "statuses": [s for s in status_values if isinstance(s, str)],
            "required": body_schema.get("required", []) if entry["body"] == "fields" else (
                [f["name"] for f in entry["fields"] if f["in"] == "body" and f["required"]]
                if entry["body"] == "multipart" else []),
            "body": entry["body"], "sample": entry["sample"] if entry["returns"] != "empty" else None,
            **({"content_types": entry["content_types"]} if entry.get("content_types") else {}),
            **({"upload": UPLOAD_RULES[entry["vendor_operation"]]}
               if entry["vendor_operation"] in UPLOAD_RULES else {}),
        })
    answer_samples(vendor, rows)
    defaults, consequences = org_records(vendor, rows)
    # Endpoints the sandbox's own models serve (users, groups): the store answers them only with 405
    # for another method, as Okta does, never with its generic behaviour.
    served = {(row["method"], row["path"]) for row in rows}
    for row in catalogue["seed"]:
        if "vendor_path" in row and (row["method"], row["vendor_path"]) not in served:
            rows.append({"key": row["key"], "method": row["method"], "path": row["vendor_path"], "role": "model",
                         "status": 200, "returns": "empty", "collection": "", "action": "", "server_fields": {},
                         "statuses": [], "required": [], "body": None, "sample": None, "response_keys": None,
                         "id_field": "id", "bodyless_404": False})
    # The operation's sample is the answer the contract accepts, the same one the sandbox starts from.
    by_key = {row["key"]: row for row in rows}
    for entry in operations:
        row = by_key[entry["key"]]
        if row["sample"] is not None and entry["returns"] != "empty":
            entry["sample"] = {key: value for key, value in row["sample"].items()
                               if key not in SAMPLE_TRIMS.get(entry["key"], ())}
    CATALOGUE.write_text(json.dumps(catalogue, indent=None, separators=(",", ":")) + "\n")
    RESOURCES.write_text(json.dumps({"source": catalogue["source"], "operations": rows, "defaults": defaults,
                                     "consequences": consequences, "parent_aliases": PARENT_ALIASES,
                                     "enumerated": enumerated_records},
                                    separators=(",", ":")) + "\n")
    write_readme_table(rows)


README = ROOT / "sandboxes" / "okta" / "README.md"
TABLE_START = "<!-- catalogue endpoints: written by scripts/build_okta_catalogue.py -->"
TABLE_END = "<!-- end of catalogue endpoints -->"
ROLE_WORDS = {
    "create": "creates a record", "read": "reads by id", "replace": "replaces by id", "update": "updates by id",
    "delete": "deletes by id", "list": "lists with paging", "lifecycle": "changes the status",
    "put_member": "assigns", "delete_member": "unassigns", "sub": "settings document",
    "generate": "generates a key", "clone": "copies a key to the target", "link_set": "sets a user's primary",
    "link_list": "lists a user's linked users", "link_delete": "removes a user's primary",
}


#: How the sandbox answers a file body, whatever the operation's role (sandboxes/okta/uploads.py).
UPLOAD_WORDS = {"multipart": "takes an image (`file` part), serves it", "raw": "publishes a certificate"}


def write_readme_table(rows: list[dict[str, Any]]) -> None:
    """The sandbox README's table of the generic store's endpoints, between its two markers."""
    contract = json.loads((ROOT / "docs" / "contracts" / "okta.openapi.json").read_text())
    lines = [TABLE_START, "| endpoint | documented statuses (checked) | how the generic store answers |",
             "|---|---|---|"]
    for row in sorted((r for r in rows if r["role"] != "model"), key=lambda r: (r["path"], r["method"])):
        statuses = " ".join(contract["paths"][row["path"]][row["method"].lower()]["responses"])
        how = UPLOAD_WORDS.get(row["body"]) or ROLE_WORDS[row["role"]]
        lines.append(f"| `{row['method']} {row['path']}` | {statuses} | {how} |")
    lines.append(TABLE_END)
    text = README.read_text()
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    README.write_text(text[:start] + "\n".join(lines) + text[end:])


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)

"""Write docs/contracts/okta.openapi.json from Okta's published OpenAPI documents.

Usage (the vendor repository ``okta/okta-management-openapi-spec`` checked out anywhere)::

    python scripts/contracts/build_okta_contract.py SPEC_REPO

Reads ``dist/current/management-minimal.yaml`` and ``dist/current/oauth-minimal.yaml`` and keeps the
operations below (every endpoint the Okta sandbox's own models serve and the okta app's hand-written
operations call) and every operation of the catalogue ``connector/apps/okta/catalogue.json`` (written by
``scripts/build_okta_catalogue.py``), which the sandbox's generic resource store serves.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml
from openapi_facts import VendorDocument, build_paths

ROOT = Path(__file__).resolve().parents[2]
MANAGEMENT = "dist/current/management-minimal.yaml"
OAUTH = "dist/current/oauth-minimal.yaml"
REPOSITORY = "okta/okta-management-openapi-spec"

USER_LIFECYCLE = ("activate", "reactivate", "deactivate", "suspend", "unsuspend", "unlock", "reset_password",
                  "expire_password", "reset_factors")

MANAGEMENT_OPERATIONS: list[tuple[str, str]] = [
    ("get", "/api/v1/users"), ("post", "/api/v1/users"),
    ("get", "/api/v1/users/{id}"), ("post", "/api/v1/users/{id}"), ("put", "/api/v1/users/{id}"),
    ("delete", "/api/v1/users/{id}"),
    *[("post", f"/api/v1/users/{{id}}/lifecycle/{name}") for name in USER_LIFECYCLE],
    ("get", "/api/v1/users/{id}/groups"),
    ("get", "/api/v1/groups"), ("post", "/api/v1/groups"),
    ("get", "/api/v1/groups/{groupId}"), ("put", "/api/v1/groups/{groupId}"), ("delete", "/api/v1/groups/{groupId}"),
    ("get", "/api/v1/groups/{groupId}/users"),
    ("put", "/api/v1/groups/{groupId}/users/{userId}"), ("delete", "/api/v1/groups/{groupId}/users/{userId}"),
    ("get", "/api/v1/logs"),
    ("get", "/api/v1/eventHooks"), ("post", "/api/v1/eventHooks"),
    ("get", "/api/v1/eventHooks/{eventHookId}"), ("put", "/api/v1/eventHooks/{eventHookId}"),
    ("delete", "/api/v1/eventHooks/{eventHookId}"),
    *[("post", f"/api/v1/eventHooks/{{eventHookId}}/lifecycle/{name}")
      for name in ("activate", "deactivate", "verify")],
]


#: System Log schemas whose fields Okta's own ``ListLogs`` example shows as ``null`` although the schemas do
#: not say ``nullable`` (``actor.detailEntry``, ``client.zone``, ``client.id``, ``outcome.reason``,
#: ``authenticationContext.issuer``, ``securityContext.domain``, ...). Real System Log answers carry those
#: nulls, so the contract accepts null for every field of these objects.
LOG_SCHEMAS_WITH_NULLS = ("LogEvent", "LogActor", "LogClient", "LogOutcome", "LogAuthenticationContext",
                          "LogSecurityContext", "LogDebugContext", "LogTarget", "LogTransaction", "LogRequest",
                          "LogGeographicalContext", "LogUserAgent", "LogIpAddress")


#: Where Okta's document contradicts itself, the contract follows the document's own examples and
#: descriptions: each correction names the schemas it changes and why. They are applied to the loaded
#: document before anything is read from it (``scripts/build_okta_catalogue.py`` applies them too, so the
#: catalogue's fields and samples agree with the contract), and listed in the contract's
#: ``info.x-corrections``.
CORRECTIONS: list[dict[str, Any]] = [
    {
        "name": "profile-mapping-properties-are-a-map",
        "schemas": ["ProfileMapping", "ProfileMappingRequest"],
        "what": "`properties` is an object keyed by target property name whose values are "
                "ProfileMappingProperty (`expression`, `pushStatus`); ProfileMappingRequest requires only "
                "`properties`.",
        "why": "The document types `properties` as one ProfileMappingProperty and lists `expression` and "
               "`pushStatus` as required at the request's top level, yet its descriptions say they belong to "
               "each mapped property and its own examples (UpdateProfileMapping, GetProfileMapping) send and "
               "answer `properties: {fullName: {expression, pushStatus}, ...}`; no request can satisfy both.",
    },
]


def apply_corrections(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Apply ``CORRECTIONS`` to a loaded management document (in place); returns the list applied."""
    schemas = spec["components"]["schemas"]
    mapped = {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/ProfileMappingProperty"}}
    for name in ("ProfileMapping", "ProfileMappingRequest"):
        schemas[name]["properties"]["properties"] = dict(mapped)
    schemas["ProfileMappingRequest"]["required"] = ["properties"]
    return CORRECTIONS


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list):
        return schema if "null" in kind else {**schema, "type": [*kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def catalogue_operations() -> list[tuple[str, str]]:
    """(method, vendor path) of every catalogue operation and of each seed row a hand-written one serves."""
    path = ROOT / "connector" / "apps" / "okta" / "catalogue.json"
    if not path.exists():
        return []
    catalogue = json.loads(path.read_text())
    rows = [(entry["method"].lower(), entry["path"]) for entry in catalogue["operations"]]
    rows += [(row["method"].lower(), row["vendor_path"]) for row in catalogue["seed"] if "vendor_path" in row]
    return rows


def main(spec_repo: Path) -> None:
    management_spec = yaml.load((spec_repo / MANAGEMENT).read_text(), Loader=yaml.CSafeLoader)
    corrections = apply_corrections(management_spec)
    oauth_spec = yaml.load((spec_repo / OAUTH).read_text(), Loader=yaml.CSafeLoader)
    version = management_spec["info"]["version"]
    # Every request type the document gives: file uploads (multipart/form-data) and certificates (raw bodies)
    # are checked as the document describes them too.
    management = VendorDocument(management_spec, body_types=None)
    paths = build_paths(management, [
        (method, path, "", f"{REPOSITORY}/{MANAGEMENT} {version} {method.upper()} {path}")
        for method, path in dict.fromkeys([*MANAGEMENT_OPERATIONS, *catalogue_operations()])
    ])
    oauth = VendorDocument(oauth_spec)
    # The org authorization server's token endpoint; its schemas are named apart from the management ones.
    token = build_paths(oauth, [("post", "/oauth2/v1/token", "",
                                 f"{REPOSITORY}/{OAUTH} {oauth_spec['info']['version']} POST /oauth2/v1/token")])
    token_text = json.dumps(token).replace("#/components/schemas/", "#/components/schemas/oauth.")
    paths.update(json.loads(token_text))
    components = management.components()
    for name in LOG_SCHEMAS_WITH_NULLS:
        components[name]["properties"] = {key: nullable(value) for key, value in components[name]["properties"].items()}
    oauth_components = json.loads(json.dumps(oauth.components()).replace("#/components/schemas/",
                                                                         "#/components/schemas/oauth."))
    components.update({f"oauth.{name}": schema for name, schema in oauth_components.items()})
    document = {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Okta Management API: the operations the connector kit uses",
            "version": version,
            "x-source": {
                "vendor": "Okta",
                "repository": REPOSITORY,
                "documents": [MANAGEMENT, OAUTH],
                "version": version,
                "taken": "structure only (paths, parameters, bodies, statuses, types, nullability); "
                         "objects closed; see scripts/contracts/openapi_facts.py",
                "adjusted": "System Log objects accept null in every field, as the document's own ListLogs "
                            "example shows (see LOG_SCHEMAS_WITH_NULLS in scripts/contracts/build_okta_contract.py)",
            },
            "x-corrections": corrections,
        },
        "servers": [{"url": "https://{yourOktaDomain}",
                     "variables": {"yourOktaDomain": {"default": "example.okta.com"}}}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {**management.security_components(), **oauth.security_components()}},
    }
    out = ROOT / "docs" / "contracts" / "okta.openapi.json"
    out.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")
    print(f"{out}: {sum(len(v) for v in paths.values())} operations, {len(components)} schemas")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

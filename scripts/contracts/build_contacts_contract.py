"""Write docs/contracts/contacts.openapi.json from HighLevel's published OpenAPI documents.

Usage: ``python scripts/contracts/build_contacts_contract.py <checkout of GoHighLevel/highlevel-api-docs>``

Only the operations the Contacts sandbox serves or the contacts connector calls are kept, and of them only
the facts: paths, parameters, the Version header, request bodies, statuses, response bodies, types,
nullability and required fields. The vendor's prose and examples are dropped. Two changes make the
contract catch mistakes: ``nullable: true`` becomes a type union with ``"null"`` (OpenAPI 3.1), and every
object that lists its properties is closed (``additionalProperties: false``).

Where HighLevel's documents give an operation no schema (the search body and answer, the duplicate search
answer), the contract says what HighLevel's linked search documentation gives, and the operation's
``x-source`` says so. Deliberate differences of the sandbox are in contacts.deviations.json.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

DROPPED = {"description", "example", "examples", "title", "externalDocs", "summary", "default"}
DOCS = {
    "contacts": "apps/contacts.json",
    "locations": "apps/locations.json",
    "calendars": "apps/calendars.json",
    "oauth": "apps/oauth.json",
    "common": "common/common-schemas.json",
}
#: (document, method, path) of every operation kept.
OPERATIONS = [
    ("contacts", "post", "/contacts/"),
    ("contacts", "get", "/contacts/"),
    ("contacts", "post", "/contacts/search"),
    ("contacts", "get", "/contacts/search/duplicate"),
    ("contacts", "post", "/contacts/upsert"),
    ("contacts", "get", "/contacts/{contactId}"),
    ("contacts", "put", "/contacts/{contactId}"),
    ("contacts", "delete", "/contacts/{contactId}"),
    ("contacts", "get", "/contacts/business/{businessId}"),
    ("contacts", "post", "/contacts/bulk/business"),
    ("contacts", "get", "/contacts/{contactId}/tasks"),
    ("contacts", "post", "/contacts/{contactId}/tasks"),
    ("contacts", "get", "/contacts/{contactId}/tasks/{taskId}"),
    ("contacts", "put", "/contacts/{contactId}/tasks/{taskId}"),
    ("contacts", "delete", "/contacts/{contactId}/tasks/{taskId}"),
    ("contacts", "put", "/contacts/{contactId}/tasks/{taskId}/completed"),
    ("contacts", "get", "/contacts/{contactId}/notes"),
    ("contacts", "post", "/contacts/{contactId}/notes"),
    ("contacts", "get", "/contacts/{contactId}/notes/{id}"),
    ("contacts", "put", "/contacts/{contactId}/notes/{id}"),
    ("contacts", "delete", "/contacts/{contactId}/notes/{id}"),
    ("contacts", "post", "/contacts/{contactId}/tags"),
    ("contacts", "delete", "/contacts/{contactId}/tags"),
    ("contacts", "get", "/contacts/{contactId}/appointments"),
    ("contacts", "post", "/contacts/bulk/tags/update/{type}"),
    ("contacts", "post", "/contacts/{contactId}/followers"),
    ("contacts", "delete", "/contacts/{contactId}/followers"),
    ("contacts", "post", "/contacts/{contactId}/campaigns/{campaignId}"),
    ("contacts", "delete", "/contacts/{contactId}/campaigns/{campaignId}"),
    ("contacts", "delete", "/contacts/{contactId}/campaigns/removeAll"),
    ("contacts", "post", "/contacts/{contactId}/workflow/{workflowId}"),
    ("contacts", "delete", "/contacts/{contactId}/workflow/{workflowId}"),
    ("calendars", "post", "/calendars/events/appointments"),
    ("calendars", "get", "/calendars/events/appointments/{eventId}"),
    ("calendars", "put", "/calendars/events/appointments/{eventId}"),
    ("calendars", "delete", "/calendars/events/{eventId}"),
    ("calendars", "get", "/calendars/appointments/{appointmentId}/notes"),
    ("calendars", "post", "/calendars/appointments/{appointmentId}/notes"),
    ("calendars", "put", "/calendars/appointments/{appointmentId}/notes/{noteId}"),
    ("calendars", "delete", "/calendars/appointments/{appointmentId}/notes/{noteId}"),
    ("locations", "get", "/locations/{locationId}/customFields"),
    ("locations", "post", "/locations/{locationId}/customFields"),
    ("locations", "get", "/locations/{locationId}/customFields/{id}"),
    ("oauth", "post", "/oauth/token"),
]
VERSIONS = ["2021-07-28", "v3"]

#: The search body and answer, from HighLevel's search documentation (the OpenAPI body is an empty object).
FILTER = {
    "anyOf": [
        {
            "type": "object",
            "required": ["field", "operator"],
            "additionalProperties": False,
            "properties": {
                "field": {"type": "string"},
                "operator": {"enum": ["eq", "not_eq", "contains", "not_contains", "exists", "not_exists", "range"]},
                "value": {
                    "anyOf": [
                        {"type": ["string", "number", "boolean"]},
                        {
                            "type": "object",
                            "minProperties": 1,
                            "additionalProperties": False,
                            "properties": {k: {"type": ["string", "number"]} for k in ("gt", "gte", "lt", "lte")},
                        },
                    ]
                },
            },
        },
        {
            "type": "object",
            "required": ["group", "filters"],
            "additionalProperties": False,
            "properties": {
                "group": {"enum": ["AND", "OR"]},
                "filters": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/SearchFilter"}},
            },
        },
    ]
}
SEARCH_BODY = {
    "type": "object",
    "required": ["locationId", "pageLimit"],
    "additionalProperties": False,
    "properties": {
        "locationId": {"type": "string"},
        "page": {"type": "integer", "minimum": 1},
        "pageLimit": {"type": "integer", "minimum": 1, "maximum": 500},
        "searchAfter": {"type": "array"},
        "filters": {"type": "array", "items": {"$ref": "#/components/schemas/SearchFilter"}},
        "sort": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "direction"],
                "additionalProperties": False,
                "properties": {"field": {"type": "string"}, "direction": {"enum": ["asc", "desc"]}},
            },
        },
        "query": {"type": "string", "maxLength": 75},
    },
}


class Documents:
    """HighLevel's documents, and the component schemas taken from them (renamed into one namespace)."""

    def __init__(self, root: Path) -> None:
        self.docs = {name: json.loads((root / path).read_text()) for name, path in DOCS.items()}
        self.paths = {path: name for name, path in DOCS.items()}
        self.components: dict[str, Any] = {}
        #: (document, vendor name) -> our component name; a name two documents use gets a prefix.
        self.names: dict[tuple[str, str], str] = {}

    def _follow(self, doc: str, ref: str) -> tuple[str, str]:
        """(document, schema name) a ``$ref`` names."""
        file, _, pointer = ref.partition("#")
        if file:
            doc = self._doc_of(doc, file)
        return doc, pointer.rsplit("/", 1)[1]

    def _doc_of(self, doc: str, file: str) -> str:
        base = Path(DOCS[doc]).parent
        parts: list[str] = list(base.parts)
        for part in Path(file).parts:
            if part == "..":
                parts.pop()
            elif part != ".":
                parts.append(part)
        return self.paths["/".join(parts)]

    def schema(self, doc: str, node: Any) -> Any:
        if isinstance(node, list):
            return [self.schema(doc, item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            source, vendor_name = self._follow(doc, node["$ref"])
            name = self.names.get((source, vendor_name))
            if name is None:
                name = vendor_name if vendor_name not in self.components else source.title() + vendor_name
                self.names[(source, vendor_name)] = name
                self.components[name] = None
                self.components[name] = self.schema(source, self.docs[source]["components"]["schemas"][vendor_name])
            return {"$ref": f"#/components/schemas/{name}"}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in DROPPED or key == "nullable":
                continue
            if key == "properties":
                out[key] = {name: self.schema(doc, sub) for name, sub in value.items()}
            elif key in ("items", "additionalProperties", "not"):
                out[key] = self.schema(doc, value)
            elif key in ("allOf", "anyOf", "oneOf"):
                out["anyOf" if key == "oneOf" else key] = [self.schema(doc, sub) for sub in value]
            else:
                out[key] = copy.deepcopy(value)
        if node.get("nullable"):
            if "type" in out:
                kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
                out["type"] = [*kinds, "null"]
            else:
                out = {"anyOf": [out, {"type": "null"}]}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out

    def operation(self, doc: str, method: str, path: str) -> dict[str, Any]:
        source = self.docs[doc]["paths"][path][method]
        parameters = []
        for parameter in source.get("parameters", []):
            kept = {k: v for k, v in parameter.items() if k not in DROPPED and k != "schema"}
            schema = self.schema(doc, parameter.get("schema", {"type": "string"}))
            if parameter["name"] == "Version" and parameter["in"] == "header" and doc != "calendars":
                schema = {"type": "string", "enum": VERSIONS}
            kept["schema"] = schema
            parameters.append(kept)
        operation: dict[str, Any] = {
            "operationId": source["operationId"],
            "x-source": f"GoHighLevel/highlevel-api-docs {DOCS[doc]} {method.upper()} {path}"
                        + (" (the v3 document, apps/v3/contacts-v3.json, has the same operation with Version: v3)"
                           if doc == "contacts" and path != "/contacts/" else ""),
            "parameters": parameters,
            "responses": {},
        }
        if source.get("deprecated"):
            operation["deprecated"] = True
        if source.get("security"):
            operation["security"] = source["security"]
        elif doc == "oauth":  # the token endpoint takes the app's credentials in the form, no bearer token
            operation["security"] = []
        body = source.get("requestBody")
        if body:
            operation["requestBody"] = {
                "required": bool(body.get("required")),
                "content": {kind: {"schema": self.schema(doc, content.get("schema", {}))}
                            for kind, content in body["content"].items()},
            }
        for status, answer in source["responses"].items():
            content = answer.get("content", {}).get("application/json")
            entry: dict[str, Any] = {"description": f"HTTP {status}"}
            if content and content.get("schema"):
                entry["content"] = {"application/json": {"schema": self.schema(doc, content["schema"])}}
            operation["responses"][status] = entry
        return operation


def build(root: Path) -> dict[str, Any]:
    documents = Documents(root)
    paths: dict[str, Any] = {}
    for doc, method, path in OPERATIONS:
        paths.setdefault(path, {})[method] = documents.operation(doc, method, path)
    components = documents.components
    components["SearchFilter"] = FILTER
    components["SearchBody"] = SEARCH_BODY
    # The search operation: body and answer from the linked search documentation.
    search = paths["/contacts/search"]["post"]
    search["x-source"] += (
        "; the document's body SearchBodyV2DTO lists no fields and the 200 answer has no schema: body and answer"
        " follow HighLevel's search documentation linked from the operation (locationId, page/pageLimit or"
        " searchAfter, filters, sort, query; answer {contacts, total}, each contact with its searchAfter)"
    )
    search["requestBody"]["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/SearchBody"}
    search_contact = copy.deepcopy(components["GetContectByIdSchema"])
    search_contact["properties"]["searchAfter"] = {"type": "array"}
    components["SearchContact"] = search_contact
    search["responses"]["200"]["content"] = {"application/json": {"schema": {
        "type": "object",
        "required": ["contacts", "total"],
        "additionalProperties": False,
        "properties": {
            "contacts": {"type": "array", "items": {"$ref": "#/components/schemas/SearchContact"}},
            "total": {"type": "number"},
        },
    }}}
    for status, shape in (("400", "BadRequestDTO"), ("401", "UnauthorizedDTO")):
        schema = {"$ref": f"#/components/schemas/{shape}"}
        search["responses"][status]["content"] = {"application/json": {"schema": schema}}
    search["x-source"] += "; the 400 and 401 answers have no schema there either: the shared error shapes"
    duplicate = paths["/contacts/search/duplicate"]["get"]
    duplicate["x-source"] += "; the 200 answer has no schema in the document: {contact} with the contact or null"
    duplicate["responses"]["200"]["content"] = {"application/json": {"schema": {
        "type": "object",
        "required": ["contact"],
        "additionalProperties": False,
        "properties": {"contact": {"anyOf": [{"$ref": "#/components/schemas/GetContectByIdSchema"},
                                             {"type": "null"}]}},
    }}}
    _patch_bulk_tags(paths["/contacts/bulk/tags/update/{type}"]["post"], components)
    _patch_event_times(paths, components)
    _patch_note_ids(paths)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "HighLevel Contacts API v2: the contact, task, note, tag, custom field and OAuth token calls "
                     "the connector kit uses or its sandbox serves",
            "version": "2021-07-28",
            "x-source": {
                "vendor": "HighLevel (LeadConnector)",
                "repository": "GoHighLevel/highlevel-api-docs",
                "documents": [*DOCS.values(), "apps/v3/contacts-v3.json", "docs/oauth/WebhookAuthentication.md"],
                "version": "Contacts API 1.0 (Version: 2021-07-28); v3 document (Version: v3)",
                "taken": "structure only by scripts/contracts/build_contacts_contract.py; prose and examples "
                         "dropped; nullable as type unions; objects that list their fields closed",
            },
        },
        "servers": [{"url": "https://services.leadconnectorhq.com"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": components,
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }


def _patch_bulk_tags(operation: dict[str, Any], components: dict[str, Any]) -> None:
    """The bulk tag call: the path's ``{type}`` is not declared, and ``responses`` is typed as strings
    while the document's own example (and HighLevel's answer) holds one object per contact."""
    operation["parameters"].append({"name": "type", "in": "path", "required": True,
                                    "schema": {"type": "string", "enum": ["add", "remove"]}})
    operation["x-source"] += (
        "; the path parameter {type} is not declared there: add or remove, as the operation's description"
        " and the removeAllTags field say; UpdateTagsResponseDTO types responses as strings but its own example"
        " lists one object per contact {contactId, message, type, oldTags, tagsAdded, tagsRemoved}: the"
        " contract follows the example"
    )
    components["UpdateTagsResponseDTO"]["properties"]["responses"]["items"] = {
        "type": "object",
        "required": ["contactId", "message", "type"],
        "additionalProperties": False,
        "properties": {
            "contactId": {"type": "string"},
            "message": {"type": "string"},
            "type": {"enum": ["success", "error"]},
            "oldTags": {"type": "array", "items": {"type": "string"}},
            "tagsAdded": {"type": "array", "items": {"type": "string"}},
            "tagsRemoved": {"type": "array", "items": {"type": "string"}},
        },
    }


def _patch_event_times(paths: dict[str, Any], components: dict[str, Any]) -> None:
    """CalendarEventDTO types its four times as ``object`` while every example, the create body and the
    appointment events give ISO 8601 strings: the contract says string."""
    for name in ("startTime", "endTime", "dateAdded", "dateUpdated"):
        components["CalendarEventDTO"]["properties"][name] = {"type": "string"}
    read = paths["/calendars/events/appointments/{eventId}"]["get"]
    read["x-source"] += ("; CalendarEventDTO's startTime, endTime, dateAdded and dateUpdated typed as the strings"
                         " its examples show")


def _patch_note_ids(paths: dict[str, Any]) -> None:
    """The appointment note update and delete name ``{noteId}`` in their path but do not declare it."""
    for method in ("put", "delete"):
        operation = paths["/calendars/appointments/{appointmentId}/notes/{noteId}"][method]
        operation["parameters"].append({"name": "noteId", "in": "path", "required": True,
                                        "schema": {"type": "string"}})
        operation["x-source"] += "; the path parameter {noteId} is not declared there"


def main() -> None:
    root = Path(sys.argv[1])
    target = Path(__file__).resolve().parents[2] / "docs" / "contracts" / "contacts.openapi.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(build(root), indent=1) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()

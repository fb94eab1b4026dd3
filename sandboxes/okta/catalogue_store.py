"""A generic stateful store for the Okta endpoints that have no hand-written model.

Users, groups, the System Log and event hooks have models with Okta's own rules (``users.py``,
``groups.py``, ...). The rest of the management API the connector's catalogue reaches (applications,
authorization servers, policies, zones, trusted origins, user types, brands, ...) is served here from
``catalogue_resources.json``, which ``scripts/build_okta_catalogue.py`` writes from Okta's document
beside the product's catalogue (the sandboxes import nothing of the product, so they get their own file).

Each operation has a role, worked out from its method and path:

- ``create`` (POST to a collection): a JSON object with the documented required fields, stored with the
  fields the server sets (``id``, ``created``, ``lastUpdated``, ``status`` when the document lists them);
- ``read``, ``replace`` (PUT), ``update`` (POST to an item, merged), ``delete``: by id, 404 ``E0000007``
  in Okta's error shape for an unknown id;
- ``list``: the collection with Okta paging (``limit``, ``after``, ``Link: rel="self"/"next"``);
- ``lifecycle`` (``.../{id}/lifecycle/activate`` and the like): ``activate`` and ``deactivate`` set the
  status, others keep it; an unknown id is a 404;
- ``put_member``/``delete_member`` (PUT/DELETE on ``.../{parentId}/things/{id}`` with no create): an
  assignment kept in the parent's collection, so the matching list shows it;
- ``sub`` (everything else: settings objects, previews, key rotations): a per-path document that starts
  as the vendor's example answer and takes what a PUT or POST sends;
- ``model``: an endpoint the sandbox's own models serve (users, groups); the store only answers another
  method on its path with Okta's 405 ``E0000022``.

File bodies (``body`` ``multipart`` or ``raw``: theme images, certificates published for a CSR) are
answered by :mod:`sandboxes.okta.uploads`, whatever the role.

Parents are checked too: an id in the path of a collection this store owns must exist (404 otherwise),
and so must a user or group id (through ``known_parent``).

The table also says what a new org holds that no call creates (``defaults``: the default brand with its
theme and email templates, the ``default`` authorization server, the org's features, the built-in user
type and user schema, the org contacts), seeded when the store starts, and what a create makes besides
(``consequences``: an app's signing key, features and profile mappings). Records named by another member
than ``id`` (``key_paths``: a linked object definition by either relationship name, an email template by
its name) are found by any of them. Every answer holds only the members the operation's answer documents,
nested (``answer_shape``): a write-only member a request sent (a token, a secret) is never echoed.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request

from sandboxes.okta.errors import OktaError, validation_error
from sandboxes.okta.ids import IdFactory
from sandboxes.okta.json_responses import json_response, no_content
from sandboxes.okta.links import paged_links, set_links
from sandboxes.okta.timestamps import iso_timestamp
from sandboxes.okta.uploads import (
    FILE_PATH,
    delete_image,
    is_theme_image,
    publish_certificate,
    serve_file,
    upload_image,
)

RESOURCES = Path(__file__).with_name("catalogue_resources.json")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
#: Okta's usual default page size for the collections served here; the vendor caps most at 200.
DEFAULT_LIMIT = 20
MAX_LIMIT = 200
#: How Okta's document writes an org's address in its examples (records seeded from them carry it).
PLACEHOLDER_DOMAIN = "https://{yourOktaDomain}"
#: URL paths that name a record by the id another path gives it: an authorization server's issuer.
_SAME_ID_AS = {"/oauth2/": "/api/v1/authorizationServers/"}
STATUS_FOR = {"activate": "ACTIVE", "deactivate": "INACTIVE", "enable": "ENABLED", "disable": "DISABLED",
              "subscribe": "subscribed", "unsubscribe": "unsubscribed"}


@dataclass(frozen=True)
class Route:
    """One documented operation: its method, path pattern and how the store answers it."""

    method: str
    template: str
    pattern: re.Pattern[str]
    row: dict[str, Any]

    @property
    def literal_length(self) -> int:
        return len(re.sub(r"\{[^}]+\}", "", self.template))


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("^" + "".join("([^/]+)" if p.startswith("{") else re.escape(p) for p in parts) + "$")


@cache
def load_table(path: Path = RESOURCES) -> dict[str, Any]:
    """The generated table; read once per process (every sandbox shares it, and copies what it changes)."""
    table: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return table


@cache
def load_routes(path: Path = RESOURCES) -> list[Route]:
    """The table's operations, most literal paths first."""
    rows = load_table(path)["operations"]
    routes = [Route(row["method"], row["path"], _pattern(row["path"]), row) for row in rows]
    return sorted(routes, key=lambda route: -route.literal_length)


def dig(record: Any, key_path: str) -> Any:
    """The member a dotted path names (``primary.name``), or None."""
    for part in key_path.split("."):
        record = record.get(part) if isinstance(record, dict) else None
    return record


def shaped(value: Any, shape: Any) -> Any:
    """``value`` with only the members ``shape`` documents, at every depth (a list: each item)."""
    if shape is None:
        return value
    if isinstance(value, list):
        return [shaped(item, shape) for item in value]
    if isinstance(value, dict):
        return {key: shaped(item, shape[key]) for key, item in value.items() if key in shape}
    return value


def merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A partial update: nested objects merge member by member; a nested null removes the member."""
    out = dict(current)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {k: v for k, v in merged(out[key], value).items() if v is not None}
        else:
            out[key] = value
    return out


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


class CatalogueStore:
    """The documents and collections of the catalogue's endpoints, by concrete path."""

    def __init__(self, clock: Callable[[], float], base_url: Callable[[], str],
                 known_parent: Callable[[str, str], bool | None]) -> None:
        self.routes = load_routes()
        table = load_table()
        listed = {route.template for route in self.routes if route.row["role"] == "list"}
        # Collections whose records this store keeps: made by a create, or listed and read by key.
        self.collections = {route.row["collection"] for route in self.routes if route.row["role"] == "create" or (
            route.row["role"] in ("read", "replace", "delete") and route.row["collection"] in listed)}
        self.key_paths = {route.row["collection"]: route.row["key_paths"] for route in self.routes
                          if route.row.get("key_paths")}
        self.aliases: dict[str, str] = table.get("parent_aliases", {})
        self.consequences: dict[str, list[dict[str, Any]]] = table.get("consequences", {})
        self.items: dict[str, dict[str, dict[str, Any]]] = {}
        #: collections holding one record per enumerated value (a role's subscriptions), made on first use
        self.enumerated = [(re.compile(_pattern(e["collection"]).pattern.rstrip("$") + "(?:/|$)"), e)
                           for e in table.get("enumerated", [])]
        #: (collection, key) of a record another create made -> (that record's collection, key)
        self.made_by: dict[tuple[str, str], tuple[str, str]] = {}
        self.documents: dict[str, Any] = {}
        #: Uploaded files by id: (media type, bytes), served at :data:`sandboxes.okta.uploads.FILE_PATH`.
        self.files: dict[str, tuple[str, bytes]] = {}
        #: A theme's image before its first upload, (theme path, member) -> URL: what a delete puts back.
        self.image_defaults: dict[tuple[str, str], str] = {}
        #: a user's linked-object values: (user id, primary relationship name) -> the primary user's id
        self.links: dict[tuple[str, str], str] = {}
        self.ids = IdFactory()
        for default in table.get("defaults", []):  # what a new org holds
            self.items.setdefault(default["collection"], {})[default["key"]] = _copy(default["record"])
        self.lock = threading.RLock()
        self._clock = clock
        self._base_url = base_url
        self._known_parent = known_parent
        #: The path being answered (set under the lock, see :meth:`_answer`).
        self._answer_path = ""

    def clock(self) -> float:
        return self._clock()

    def base_url(self) -> str:
        return self._base_url()

    def default_document(self, method: str, path: str) -> Any:
        """The answer a settings-like endpoint starts from (the vendor's example), or None."""
        for route in self.routes:
            if route.method == method and route.pattern.match(path):
                return json.loads(json.dumps(route.row.get("sample")))
        return None

    # -- routing -------------------------------------------------------------------------------
    def answer(self, method: str, path: str) -> Response:
        matched = [(route, m) for route in self.routes if (m := route.pattern.match(path))]
        if not matched:
            raise OktaError("E0000008")
        for route, match in matched:
            if route.method == method and route.row["role"] != "model":
                try:
                    with self.lock:
                        return self._answer(route, path, list(match.groups()))
                except OktaError as error:
                    if error.status == 404 and route.row.get("bodyless_404"):
                        return Response(status=404)
                    raise
        raise OktaError("E0000022")

    def _answer(self, route: Route, path: str, values: list[str]) -> Response:
        row = route.row
        role = row["role"]
        # The path's last id is the record itself (checked by the role) or, for an assignment, another's.
        own_id = role in ("read", "replace", "update", "delete", "put_member", "delete_member")
        self._answer_path = path  # the ids the examples' URLs in the answer name (see _own_links)
        self._materialize(path)
        self._check_parents(route.template, path, values, own_id=own_id)
        if row.get("body") == "multipart":
            return upload_image(self, row, path)
        if row.get("body") == "raw":
            return publish_certificate(self, row, path)
        if row["method"] == "DELETE" and is_theme_image(row["path"]):
            delete_image(self, path)
        if role == "create":
            return self._create(row, path)
        if role == "list":
            return self._list(row, path)
        if role in ("read", "replace", "update", "delete"):
            collection, _, item_id = path.rpartition("/")
            return self._item(row, collection, item_id)
        if role == "lifecycle":
            return self._lifecycle(row, path)
        if role.startswith("link_"):
            return self._linked_value(row, path)
        if role == "generate":
            return self._generate(row, path.rsplit("/", 1)[0])
        if role == "clone":
            return self._clone(row, route.template, path)
        if role == "put_member":
            collection, _, item_id = path.rpartition("/")
            return self._put_member(row, collection, item_id)
        if role == "delete_member":
            collection, _, item_id = path.rpartition("/")
            found = self._find(collection, item_id)
            if found is None:
                raise OktaError("E0000007", f"{item_id}")
            del self.items[collection][found]
            return self._answer_with(row, None)
        return self._document(row, path)

    def _check_parents(self, template: str, path: str, values: list[str], *, own_id: bool) -> None:
        """404 when an id in the path names nothing: the store's own items, or users and groups."""
        names = re.findall(r"\{[^}]+\}", template)
        template_parts = template.split("/")
        path_parts = path.split("/")
        checked = names[:-1] if own_id else names
        for name in checked:
            index = template_parts.index(name)
            collection_template = "/".join(template_parts[:index])
            collection = "/".join(path_parts[:index])
            item_id = path_parts[index]
            if collection_template in self.aliases:  # /meta/schemas/apps/{appId}: the app's own id
                collection_template = collection = self.aliases[collection_template]
            if collection_template in self.collections:
                if self._find(collection, item_id) is None:
                    raise OktaError("E0000007", item_id)
                continue
            known = self._known_parent(collection_template, item_id)
            if known is False:
                raise OktaError("E0000007", item_id)

    def _find(self, collection: str, key: str) -> str | None:
        """The stored key of the record ``key`` names: its own key, or any of the collection's key paths."""
        stored = self.items.get(collection, {})
        if key in stored:
            return key
        template = next((route.row["collection"] for route in self.routes
                         if route.row["role"] in ("read", "delete", "create") and route.pattern.match(
                             collection + "/" + key)), None)
        for key_path in self.key_paths.get(template or "", []):
            for stored_key, record in stored.items():
                if dig(record, key_path) == key:
                    return stored_key
        return None

    def _materialize(self, path: str) -> None:
        """The records of an enumerated collection the path reaches, one per value, made the first time."""
        for reaches, spec in self.enumerated:
            if reaches.match(path) is None:
                continue
            collection = "/".join(path.split("/")[:len(spec["collection"].split("/"))])
            if collection in self.items:
                continue
            self._check_parents(spec["collection"], collection, [], own_id=False)  # the role or user exists
            base = self._base_url()
            self.items[collection] = {value: {spec["key"]: value, **_copy(spec["record"]),
                                              "_links": {"self": {"href": f"{base}{collection}/{value}"}}}
                                      for value in spec["values"]}

    def _make_consequences(self, row: dict[str, Any], obj: dict[str, Any], item_id: str) -> None:
        """What Okta makes with a new record (an app's signing key, features and profile mappings)."""
        for made in self.consequences.get(row["collection"], []):
            collection = re.sub(r"\{[^}]+\}", item_id, made["collection"])
            text = json.dumps(made["record"]).replace('"{id}"', json.dumps(item_id))
            record = json.loads(text.replace('"{name}"', json.dumps(str(obj.get("name", item_id)))))
            if made["key_field"]:
                key = self.ids.new(made["prefix"])
                record[made["key_field"]] = key
            else:
                key = str(dig(record, made["key_paths"][0]))
            self.items.setdefault(collection, {})[key] = record
            self.made_by[(collection, key)] = (row["collection"], item_id)

    def _drop_consequences(self, collection: str, item_id: str) -> None:
        for (where, key), owner in list(self.made_by.items()):
            if owner == (collection, item_id):
                self.items.get(where, {}).pop(key, None)
                del self.made_by[(where, key)]

    # -- roles ---------------------------------------------------------------------------------
    def _body(self, row: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
        raw = request.get_data()
        if not raw.strip():
            if required and row.get("required"):
                raise validation_error(row["required"][0], "is required")
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise OktaError("E0000003") from None
        if row.get("body") == "fields" and not isinstance(body, dict):
            raise OktaError("E0000003")
        if isinstance(body, dict):
            missing = [name for name in row.get("required", []) if body.get(name) in (None, "")]
            if missing and required:
                raise validation_error(missing[0], "is required")
        return body if isinstance(body, dict) else {"items": body}

    def _stamp(self, row: dict[str, Any], obj: dict[str, Any], item_id: str, *, new: bool) -> dict[str, Any]:
        server = row.get("server_fields", {})
        now = iso_timestamp(self._clock())
        if "id" in server:
            obj["id"] = item_id
        if "created" in server and (new or "created" not in obj):
            obj["created"] = now
        if "lastUpdated" in server:
            obj["lastUpdated"] = now
        statuses = row.get("statuses") or []
        if "status" in server and statuses and obj.get("status") not in statuses:
            wanted = "INACTIVE" if request.args.get("activate") == "false" else "ACTIVE"
            obj["status"] = wanted if wanted in statuses else statuses[0]
        return obj

    def _create(self, row: dict[str, Any], path: str) -> Response:
        body = self._body(row)
        id_field = row.get("id_field", "id")
        key_paths = row.get("key_paths") or [id_field]
        item_id = str(dig(body, key_paths[0]) or self.ids.new("0oa"))
        if row.get("key_paths") and self._find(path, item_id) is not None:
            raise validation_error(key_paths[0], f"{item_id!r} is already taken; choose another name")
        # What Okta fills in by itself (settings, credentials, links) starts from the documented answer;
        # what the request says wins, then the server's own fields.
        defaults = row.get("sample") if isinstance(row.get("sample"), dict) else {}
        obj = self._stamp(row, {**json.loads(json.dumps(defaults)), **body}, item_id, new=True)
        if id_field != "id" and not row.get("key_paths"):
            obj[id_field] = item_id
        self.items.setdefault(path, {})[item_id] = obj
        self._make_consequences(row, obj, item_id)
        return self._answer_with(row, obj)

    def _list(self, row: dict[str, Any], path: str) -> Response:
        items = list(self.items.get(path, {}).values())
        for name, member in row.get("list_filters", {}).items():  # ?sourceId=: records whose source.id is it
            wanted = request.args.get(name)
            if wanted is not None:
                items = [item for item in items if str(dig(item, member)) == wanted]
        try:
            limit = min(max(int(request.args.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
        except ValueError:
            raise validation_error("limit", "must be a whole number") from None
        after = request.args.get("after")
        ids = [str(item.get("id", n)) for n, item in enumerate(items)]
        start = ids.index(after) + 1 if after in ids else 0
        page = items[start:start + limit]
        more = start + limit < len(items)
        keys = row.get("response_keys")
        if keys is not None:
            page = [{key: value for key, value in item.items() if key in keys} for item in page]
        response = json_response(self._own_links(shaped(page, row.get("answer_shape")), listed=True))
        next_cursor = ids[start + limit - 1] if more else None
        set_links(response, paged_links(self._base_url(), path, next_cursor), "lines")
        return response

    def _item(self, row: dict[str, Any], collection: str, item_id: str) -> Response:
        stored = self.items.get(collection, {})
        found = self._find(collection, item_id)
        if found is None:
            raise OktaError("E0000007", item_id)
        item_id = found
        role = row["role"]
        if role == "read":
            return self._answer_with(row, stored[item_id])
        if role == "delete":
            del stored[item_id]
            self._drop_consequences(collection, item_id)
            return self._answer_with(row, None)
        body = self._body(row)
        current = stored[item_id]
        # What names the record stays (its id, or the member its path names it by: a contact's type).
        names = [path.split(".")[0] for path in row.get("key_paths", [])]
        kept: dict[str, Any] = {key: current[key] for key in ("id", "created", "status", *names) if key in current}
        obj = merged(current, body) if role == "update" else {**body, **kept}
        stored[item_id] = self._stamp(row, obj, item_id, new=False)
        return self._answer_with(row, stored[item_id])

    def _generate(self, row: dict[str, Any], collection: str) -> Response:
        """A new key in the collection (an app's or IdP's signing keys), shaped as the documented answer."""
        id_field = row.get("id_field", "id")
        record = _copy(row.get("sample") or {})
        prefix = str(record.get(id_field) or "key")[:3]
        key = self.ids.new(prefix)
        record[id_field] = key
        if "created" in record:
            record["created"] = iso_timestamp(self._clock())
        self.items.setdefault(collection, {})[key] = record
        return self._answer_with(row, record)

    def _clone(self, row: dict[str, Any], template: str, path: str) -> Response:
        """The key the path names, copied (same key id) into the target's collection; the target must exist."""
        parts = path.split("/")
        collection, key = "/".join(parts[:-2]), parts[-2]
        found = self._find(collection, key)
        if found is None:
            raise OktaError("E0000007", key)
        target = request.args.get(row["target_param"], "")
        owner_template = "/".join(template.split("/")[:4])  # /api/v1/apps or /api/v1/idps
        owner = "/".join(parts[:4])
        if not target or self._find(owner_template, target) is None:
            raise OktaError("E0000007", target or row["target_param"])
        target_collection = f"{owner_template}/{target}" + collection[len(owner):]
        record = _copy(self.items[collection][found])
        self.items.setdefault(target_collection, {})[found] = record
        return self._answer_with(row, record)

    def _linked_value(self, row: dict[str, Any], path: str) -> Response:
        """``/users/{user}/linkedObjects/{name}[/{primaryUser}]``: set, read (by either name) or remove."""
        parts = path.split("/")
        user, name = parts[4], parts[6]
        definitions = self.items.get("/api/v1/meta/schemas/user/linkedObjects", {})
        definition = definitions[self._find("/api/v1/meta/schemas/user/linkedObjects", name) or ""]
        primary = dig(definition, "primary.name")
        if row["role"] == "link_set":
            if name != primary:
                raise validation_error("primaryRelationshipName", f"{name!r} is not a primary relationship name")
            if self._known_parent("/api/v1/users", parts[7]) is False:
                raise OktaError("E0000007", parts[7])
            self.links[(user, name)] = parts[7]
            return self._answer_with(row, None)
        if row["role"] == "link_delete":
            if name != primary:
                raise validation_error("relationshipName", f"{name!r} is not a primary relationship name")
            self.links.pop((user, name), None)
            return self._answer_with(row, None)
        if name == primary:
            linked = [self.links[(user, name)]] if (user, name) in self.links else []
        else:
            linked = [who for (who, rel), to in self.links.items() if rel == primary and to == user]
        base = self._base_url()
        answer = [{"_links": {"self": {"href": f"{base}/api/v1/users/{who}"}}} for who in linked]
        return json_response(self._own_links(shaped(answer, row.get("answer_shape"))), row["status"])

    def _lifecycle(self, row: dict[str, Any], path: str) -> Response:
        parts = path.split("/")
        collection, item_id = "/".join(parts[:-3]), parts[-3]
        action = row["action"]
        if parts[-2] != "lifecycle":  # /features/{featureId}/ENABLE, /subscriptions/{type}/subscribe
            collection, item_id, action = "/".join(parts[:-2]), parts[-2], parts[-1].lower()
        stored = self.items.get(collection, {})
        found = self._find(collection, item_id)
        if found is None:
            raise OktaError("E0000007", item_id)
        item_id = found
        status = STATUS_FOR.get(action)
        if status and "status" in stored[item_id] and (not row.get("statuses") or status in row["statuses"]):
            stored[item_id]["status"] = status
            stored[item_id]["lastUpdated"] = iso_timestamp(self._clock())
        return self._answer_with(row, stored[item_id])

    def _put_member(self, row: dict[str, Any], collection: str, item_id: str) -> Response:
        body = self._body(row, required=False)
        obj = self._stamp(row, {**self.items.get(collection, {}).get(item_id, {}), **body}, item_id, new=True)
        self.items.setdefault(collection, {})[item_id] = obj
        return self._answer_with(row, obj)

    def _document(self, row: dict[str, Any], path: str) -> Response:
        """Settings-like endpoints: one document per path, starting from the vendor's example answer."""
        method = row["method"]
        if method == "DELETE":
            self.documents.pop(path, None)
            self.items.pop(path, None)  # a DELETE on a collection (all of a template's customizations)
            return self._answer_with(row, None)
        if "/lifecycle/" in path:  # a settings object's own lifecycle (.../connections/default/lifecycle/activate)
            owner, _, action = path.partition("/lifecycle/")
            document = self.documents.get(owner)
            if isinstance(document, dict) and action in STATUS_FOR and "status" in document:
                document["status"] = STATUS_FOR[action]
        current = self.documents.get(path)
        if current is None:
            current = json.loads(json.dumps(row.get("sample") or {}))
        if method in ("PUT", "POST", "PATCH"):
            body = self._body(row)
            if row.get("returns") == "object" and isinstance(current, dict) and isinstance(body, dict):
                # Okta's settings objects answer with every setting: what a request leaves out stays.
                current = {**current, **body}
            self.documents[path] = current
        if row.get("returns") == "list":
            return json_response(self._own_links([current] if current else []), row["status"])
        return self._answer_with(row, current)

    def answer_with(self, row: dict[str, Any], obj: Any) -> Response:
        """The operation's documented answer with ``obj``: its status, only the fields it documents."""
        return self._answer_with(row, obj)

    def _answer_with(self, row: dict[str, Any], obj: Any) -> Response:
        keys = row.get("response_keys")
        if keys is not None and isinstance(obj, dict):  # answer only what the operation's answer documents
            obj = {key: value for key, value in obj.items() if key in keys}
        obj = shaped(obj, row.get("answer_shape"))
        if row.get("returns") == "empty" or (obj is None and row.get("returns") != "object"):
            return no_content() if row["status"] == 204 else Response(status=row["status"])
        if row.get("returns") == "list":
            return json_response(self._own_links([obj] if isinstance(obj, dict) else obj), row["status"])
        return json_response(self._own_links(obj), row["status"])

    def _own_links(self, answer: Any, *, listed: bool = False) -> Any:
        """Okta's examples write an org's address as ``https://{yourOktaDomain}`` and ids in their URLs as
        ``{brandId}`` or ``${appId}``; records seeded from them answer with this org's address and real ids.

        Only values that start with the placeholder address change (links, an authorization server's
        ``issuer``, a theme's default logo); every other value is what a client sent or the document's
        own example data. An id is filled where the URL follows the request's own path up to it (the
        brand of ``/api/v1/brands/{brandId}/templates/...``) or, for a listing's record, the record's id.
        """
        base = self._base_url()
        path = self._answer_path.split("/")

        def walk(node: Any, named: list[str]) -> Any:
            if isinstance(node, dict):
                return {key: walk(value, named) for key, value in node.items()}
            if isinstance(node, list):
                return [walk(item, named) for item in node]
            if isinstance(node, str) and node.startswith(PLACEHOLDER_DOMAIN):
                return base + filled_ids(node[len(PLACEHOLDER_DOMAIN):], named)
            return node

        if listed and isinstance(answer, list):
            return [walk(item, [*path, str(item["id"])]) if isinstance(item, dict) and "id" in item
                    else walk(item, path) for item in answer]
        return walk(answer, path)


def filled_ids(url: str, named: list[str]) -> str:
    """``url`` (a path, maybe with a query) with each placeholder segment filled from ``named`` (a request
    path's segments) where the segments before it are the same."""
    target, query_mark, query = url.partition("?")
    if "{" not in target:
        return url
    alias = next((alias for alias in _SAME_ID_AS if target.startswith(alias)), None)
    if alias is not None:
        target = _SAME_ID_AS[alias] + target[len(alias):]
    segments = target.split("/")
    for index, segment in enumerate(segments):
        placeholder = segment.startswith(("{", "${")) and segment.endswith("}")
        if placeholder and index < len(named) and segments[:index] == named[:index]:
            segments[index] = named[index]
    target = "/".join(segments)
    if alias is not None:
        target = alias + target[len(_SAME_ID_AS[alias]):]
    return target + query_mark + query


def catalogue_blueprint(store: CatalogueStore) -> Blueprint:
    """Every ``/api/v1`` path the hand-written blueprints do not serve, answered by the store."""
    blueprint = Blueprint("okta_catalogue", __name__)

    @blueprint.route(FILE_PATH, methods=["GET"])
    def uploaded_file() -> Response:
        return serve_file(store)

    # Group rules live under /api/v1/groups/rules, which the groups blueprint would read as a group id.
    @blueprint.route("/api/v1/groups/rules", methods=METHODS, defaults={"rest": ""})
    @blueprint.route("/api/v1/groups/rules/<path:rest>", methods=METHODS)
    def group_rules(rest: str) -> Response:
        return store.answer(request.method, "/api/v1/groups/rules" + (f"/{rest}" if rest else ""))

    @blueprint.route("/api/v1/<path:rest>", methods=METHODS)
    def catalogue_endpoint(rest: str) -> Response:
        return store.answer(request.method, f"/api/v1/{rest}")

    return blueprint

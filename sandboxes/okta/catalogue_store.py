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
STATUS_FOR = {"activate": "ACTIVE", "deactivate": "INACTIVE"}


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
def load_routes(path: Path = RESOURCES) -> list[Route]:
    """The table's operations, most literal paths first; read once per process (every sandbox shares it)."""
    rows = json.loads(path.read_text(encoding="utf-8"))["operations"]
    routes = [Route(row["method"], row["path"], _pattern(row["path"]), row) for row in rows]
    return sorted(routes, key=lambda route: -route.literal_length)


class CatalogueStore:
    """The documents and collections of the catalogue's endpoints, by concrete path."""

    def __init__(self, clock: Callable[[], float], base_url: Callable[[], str],
                 known_parent: Callable[[str, str], bool | None]) -> None:
        self.routes = load_routes()
        self.collections = {route.row["collection"] for route in self.routes if route.row["role"] == "create"}
        self.items: dict[str, dict[str, dict[str, Any]]] = {}
        self.documents: dict[str, Any] = {}
        #: Uploaded files by id: (media type, bytes), served at :data:`sandboxes.okta.uploads.FILE_PATH`.
        self.files: dict[str, tuple[str, bytes]] = {}
        self.ids = IdFactory()
        self.lock = threading.RLock()
        self._clock = clock
        self._base_url = base_url
        self._known_parent = known_parent

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
        self._check_parents(route.template, path, values, own_id=role in ("read", "replace", "update", "delete"))
        if row.get("body") == "multipart":
            return upload_image(self, row, path)
        if row.get("body") == "raw":
            return publish_certificate(self, row, path)
        if row["method"] == "DELETE" and is_theme_image(row["path"]):
            delete_image(self, path)
        if role == "create":
            return self._create(row, path)
        if role == "list":
            return self._list(path)
        if role in ("read", "replace", "update", "delete"):
            collection, _, item_id = path.rpartition("/")
            return self._item(row, collection, item_id)
        if role == "lifecycle":
            return self._lifecycle(row, path)
        if role == "put_member":
            collection, _, item_id = path.rpartition("/")
            return self._put_member(row, collection, item_id)
        if role == "delete_member":
            collection, _, item_id = path.rpartition("/")
            if item_id not in self.items.get(collection, {}):
                raise OktaError("E0000007", f"{item_id}")
            del self.items[collection][item_id]
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
            if collection_template in self.collections:
                if item_id not in self.items.get(collection, {}):
                    raise OktaError("E0000007", item_id)
                continue
            known = self._known_parent(collection_template, item_id)
            if known is False:
                raise OktaError("E0000007", item_id)

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
        item_id = str(body.get(id_field) or self.ids.new("0oa"))
        # What Okta fills in by itself (settings, credentials, links) starts from the documented answer;
        # what the request says wins, then the server's own fields.
        defaults = row.get("sample") if isinstance(row.get("sample"), dict) else {}
        obj = self._stamp(row, {**json.loads(json.dumps(defaults)), **body}, item_id, new=True)
        if id_field != "id":
            obj[id_field] = item_id
        self.items.setdefault(path, {})[item_id] = obj
        return self._answer_with(row, obj)

    def _list(self, path: str) -> Response:
        items = list(self.items.get(path, {}).values())
        try:
            limit = min(max(int(request.args.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
        except ValueError:
            raise validation_error("limit", "must be a whole number") from None
        after = request.args.get("after")
        ids = [str(item.get("id", n)) for n, item in enumerate(items)]
        start = ids.index(after) + 1 if after in ids else 0
        page = items[start:start + limit]
        more = start + limit < len(items)
        response = json_response(page)
        next_cursor = ids[start + limit - 1] if more else None
        set_links(response, paged_links(self._base_url(), path, next_cursor), "lines")
        return response

    def _item(self, row: dict[str, Any], collection: str, item_id: str) -> Response:
        stored = self.items.get(collection, {})
        if item_id not in stored:
            raise OktaError("E0000007", item_id)
        role = row["role"]
        if role == "read":
            return self._answer_with(row, stored[item_id])
        if role == "delete":
            del stored[item_id]
            return self._answer_with(row, None)
        body = self._body(row)
        current = stored[item_id]
        kept: dict[str, Any] = {key: current[key] for key in ("id", "created", "status") if key in current}
        obj = {**current, **body} if role == "update" else {**body, **kept}
        stored[item_id] = self._stamp(row, obj, item_id, new=False)
        return self._answer_with(row, stored[item_id])

    def _lifecycle(self, row: dict[str, Any], path: str) -> Response:
        parts = path.split("/")
        collection, item_id = "/".join(parts[:-3]), parts[-3]
        stored = self.items.get(collection, {})
        if item_id not in stored:
            raise OktaError("E0000007", item_id)
        status = STATUS_FOR.get(row["action"])
        if status and "status" in stored[item_id]:
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
            return json_response([current] if current else [], row["status"])
        return self._answer_with(row, current)

    def answer_with(self, row: dict[str, Any], obj: Any) -> Response:
        """The operation's documented answer with ``obj``: its status, only the fields it documents."""
        return self._answer_with(row, obj)

    def _answer_with(self, row: dict[str, Any], obj: Any) -> Response:
        keys = row.get("response_keys")
        if keys is not None and isinstance(obj, dict):  # answer only what the operation's answer documents
            obj = {key: value for key, value in obj.items() if key in keys}
        if row.get("returns") == "empty" or (obj is None and row.get("returns") != "object"):
            return no_content() if row["status"] == 204 else Response(status=row["status"])
        if row.get("returns") == "list":
            return json_response([obj] if isinstance(obj, dict) else obj, row["status"])
        return json_response(obj, row["status"])


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

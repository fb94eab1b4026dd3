"""Actions and searches made from a catalogue data file, rather than one module per vendor endpoint.

A vendor API of hundreds of endpoints (Okta's management API has over 300 in the areas users ask for)
is mostly plain requests: a method, a path with ids, some query parameters, a JSON body (or a file,
as a multipart/form-data part or as the raw body), an answer that is an object, a list or nothing.
Writing a module for each would be hundreds of near-copies to keep in step with the vendor; instead
a script reads the vendor's document once and writes a data file, and
:func:`catalogue_operations` turns its entries into ordinary :class:`~connector.definitions.Action` and
:class:`~connector.definitions.Search` definitions. They run like every other operation: through the
connection's HTTP client (auth, rate limits, retries, the error table), every path value through
:func:`~connector.paths.api_path`, lists through :func:`~connector.pagination.follow_links`.

Operations with rules of their own (idempotent creates, lifecycle refusals that name the status,
pickers) stay hand-written; the app passes their keys as ``taken`` and the catalogue yields to them.

The data file is read when the app module is imported, never by ``connector --help``; one JSON parse
and a few thousand small frozen objects, no imports per operation.

Entry format (one per operation; ``scripts/build_okta_catalogue.py`` writes Okta's)::

    {"key", "area", "label", "description", "kind": "action"|"search", "semantics", "method", "path",
     "fields": [{"key", "name", "in": "path"|"query"|"body", "label", "type", "required", "help",
                 "choices"?, "item_type"?}],
     "body": null|"fields"|"whole"|"multipart"|"raw", "content_types"?: [the documented request types],
     "returns": "object"|"list"|"empty", "paging": "link"|"none", "output_fields": [{"key", "label", "type"}],
     "scopes", "sample", "important", "sample_input"}

``multipart``: each body field is a part named by its ``name``, ``file`` fields as file parts (their file
name and content type), the others as text. ``raw``: the one ``file`` field is the whole body, sent with
its content type when the vendor documents that type, else with the first documented one (a PEM file
with ``application/x-pem-file`` when that is documented).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from connector.definitions import Action, Field, FieldType, Operation, Search
from connector.errors import BadInput
from connector.paths import api_path

if TYPE_CHECKING:
    from connector.context import Context

#: Pages a list operation follows at most when the flow gives no ``limit``.
MAX_PAGES = 50


@dataclass(frozen=True)
class CatalogueRequest:
    """The ``perform`` of a catalogue operation: one documented request, its answer shaped for the flow."""

    key: str
    method: str
    path: str
    #: (input field key, wire name, where) for every field that goes on the wire.
    wire: tuple[tuple[str, str, str], ...]
    body: str | None
    returns: str
    paging: str
    is_search: bool
    #: The request content types the vendor documents (multipart and raw bodies).
    content_types: tuple[str, ...] = ()
    #: Input keys of the ``file`` fields.
    files: frozenset[str] = frozenset()

    def __call__(self, ctx: Context, values: dict[str, Any]) -> Any:
        path = api_path(self.path, **{name: values.get(key) for key, name, where in self.wire if where == "path"})
        params = {name: _query_value(values[key]) for key, name, where in self.wire
                  if where == "query" and not _empty(values.get(key))}
        if self.paging == "link":
            return self._pages(ctx, path, params, values)
        if self.body in ("multipart", "raw"):
            response = ctx.http.request(self.method, path, params=params or None, **self._upload(ctx, values))
            answer = response.json() if response.content.strip() else None
            return self._shape(answer, response.status_code)
        body = self._body(values)
        response = ctx.http.request(self.method, path, params=params or None,
                                    json=body if body is not None else None)
        answer = response.json() if response.content.strip() else None
        return self._shape(answer, response.status_code)

    def _body(self, values: Mapping[str, Any]) -> Any:
        if self.body == "whole":
            return values.get("body")
        if self.body != "fields":
            return None
        return {name: values[key] for key, name, where in self.wire
                if where == "body" and not _empty(values.get(key))}

    def _upload(self, ctx: Context, values: Mapping[str, Any]) -> dict[str, Any]:
        """httpx arguments for a multipart or raw body, each file read (downloaded) now."""
        from connector.files import read_file

        parts = [(key, name) for key, name, where in self.wire if where == "body" and not _empty(values.get(key))]
        if self.body == "raw":
            key, _name = next((part for part in parts if part[0] in self.files), (None, None))
            if key is None:
                raise BadInput("this operation sends a file as its body; give one", next(iter(self.files), "file"))
            file = read_file(values[key], field=key, like=ctx.http)
            return {"content": file.content, "headers": {"Content-Type": self._raw_type(file.content_type,
                                                                                       file.content)}}
        files = {}
        data = {}
        for key, name in parts:
            if key in self.files:
                file = read_file(values[key], field=key, like=ctx.http)
                files[name] = (file.filename, file.content, file.content_type)
            else:
                value = values[key]
                data[name] = value if isinstance(value, str) else json.dumps(value)
        return {"files": files, "data": data or None}

    def _raw_type(self, given: str, content: bytes) -> str:
        if given in self.content_types or not self.content_types:
            return given
        if content.lstrip().startswith(b"-----BEGIN") and "application/x-pem-file" in self.content_types:
            return "application/x-pem-file"
        return self.content_types[0]

    def _pages(self, ctx: Context, path: str, params: dict[str, Any], values: Mapping[str, Any]) -> list[Any]:
        from connector.pagination import follow_links

        wanted = int(values["limit"]) if not _empty(values.get("limit")) else None
        found: list[Any] = []
        for page in follow_links(ctx.http, path, params, max_pages=None if wanted else MAX_PAGES):
            items = page.json()
            found.extend(item if isinstance(item, dict) else {"value": item} for item in items)
            if wanted is not None and len(found) >= wanted:
                return found[:wanted]
        return found

    def _shape(self, answer: Any, status: int) -> Any:
        if self.is_search:
            if isinstance(answer, list):
                return [item if isinstance(item, dict) else {"value": item} for item in answer]
            return [answer] if isinstance(answer, dict) else []
        if isinstance(answer, dict):
            return answer
        if isinstance(answer, list):
            return {"items": answer}
        return {"status": status}


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | dict) and not value)


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return value


def _input_field(spec: Mapping[str, Any]) -> Field:
    return Field(
        key=spec["key"],
        label=spec["label"],
        type=cast(FieldType, spec["type"]),
        required=bool(spec["required"]),
        help_text=spec.get("help", ""),
        choices=tuple(spec["choices"]) if spec.get("choices") else None,
        item_type=cast(FieldType, spec.get("item_type", "string")),
    )


def _output_field(spec: Mapping[str, Any]) -> Field:
    kind = cast(FieldType, spec["type"])
    return Field(key=spec["key"], label=spec["label"], type=kind, nullable=True,
                 item_type=cast(FieldType, spec.get("item_type", "string")))


def build_operation(entry: Mapping[str, Any]) -> Operation:
    """One catalogue entry as an Action or a Search."""
    is_search = entry["kind"] == "search"
    perform = CatalogueRequest(
        key=entry["key"], method=entry["method"], path=entry["path"],
        wire=tuple((f["key"], f["name"], f["in"]) for f in entry["fields"]),
        body=entry.get("body"), returns=entry["returns"], paging=entry["paging"], is_search=is_search,
        content_types=tuple(entry.get("content_types", ())),
        files=frozenset(f["key"] for f in entry["fields"] if f["type"] == "file"),
    )
    outputs = tuple(_output_field(f) for f in entry["output_fields"])
    if entry["returns"] == "empty":
        outputs = (Field("status", "HTTP status", type="integer"),)
        sample: Mapping[str, Any] = {"status": 204 if entry["method"] == "DELETE" else 200}
    elif entry["returns"] == "list" and not is_search:
        outputs = (Field("items", "Items", type="list", item_type="dict"),)
        sample = {"items": [entry["sample"]]}
    else:
        sample = entry["sample"]
    common: dict[str, Any] = {
        "key": entry["key"], "noun": entry["area"], "label": entry["label"], "description": entry["description"],
        "input_fields": tuple(_input_field(f) for f in entry["fields"]), "output_fields": outputs,
        "sample": sample, "perform": perform, "scopes": tuple(entry["scopes"]), "area": entry["area"],
        "important": bool(entry.get("important")),
    }
    if is_search:
        return Search(**common)
    return Action(semantics=entry.get("semantics") or "update", **common)


def load_catalogue(path: Path) -> dict[str, Any]:
    """The catalogue data file as written by its build script."""
    return cast(dict[str, Any], json.loads(path.read_text(encoding="utf-8")))


def catalogue_operations(
    path: Path, *, taken: Collection[str] = ()
) -> tuple[tuple[Action, ...], tuple[Search, ...]]:
    """The catalogue's actions and searches, leaving out every key in ``taken`` (the hand-written ones)."""
    actions: list[Action] = []
    searches: list[Search] = []
    for entry in load_catalogue(path)["operations"]:
        if entry["key"] in taken:
            continue
        op = build_operation(entry)
        (searches if isinstance(op, Search) else actions).append(op)  # type: ignore[arg-type]
    return tuple(actions), tuple(searches)

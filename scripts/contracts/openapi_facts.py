"""Take the facts of chosen operations out of a vendor's OpenAPI 3.0 document, as OpenAPI 3.1 JSON.

The contracts in ``docs/contracts/`` are trimmed to what our sandboxes serve and our connectors call.
This module keeps structure only (paths, parameters, bodies, statuses, types, nullability, required
fields) and drops the vendor's prose and examples. It also makes two deliberate changes so the contract
can catch mistakes:

- ``nullable: true`` becomes a JSON Schema type union with ``"null"`` (3.1 has no ``nullable``);
- every object that lists ``properties`` and says nothing of ``additionalProperties`` is **closed**
  (``additionalProperties: false``): an unknown field in an answer or a request is an error. ``allOf``
  parts are merged first so that closing one part does not reject the other's fields; ``oneOf``
  becomes ``anyOf`` (two open variants would otherwise both match).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

DROPPED_KEYS = {"description", "example", "examples", "title", "externalDocs", "discriminator", "xml", "summary"}
JSON_TYPES = ("application/json", "application/x-www-form-urlencoded")


class VendorDocument:
    """One vendor OpenAPI document and the component schemas taken from it so far."""

    def __init__(self, spec: dict[str, Any], body_types: Iterable[str] | None = JSON_TYPES) -> None:
        """``body_types``: the request content types kept (None: every type the vendor documents, such as
        ``multipart/form-data`` and raw binary types, their schemas as written)."""
        self.spec = spec
        self.body_types = None if body_types is None else frozenset(body_types)
        self.used: dict[str, Any] = {}
        self.security_schemes: set[str] = set()
        self._pending: list[str] = []

    # -- refs ------------------------------------------------------------------------------------
    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self._pointer(node["$ref"])
        return node

    def _pointer(self, ref: str) -> Any:
        assert ref.startswith("#/"), ref
        node: Any = self.spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    # -- schemas ---------------------------------------------------------------------------------
    def schema(self, node: Any) -> Any:
        """A vendor schema as a closed JSON Schema 2020-12 schema (component refs kept as refs)."""
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = node["$ref"]
            if ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in self.used:
                    self.used[name] = None
                    self.used[name] = self.schema(self._merged(self._pointer(ref)))
                return {"$ref": ref}
            return self.schema(self._pointer(ref))
        node = self._merged(node)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in DROPPED_KEYS or key.startswith("x-") or key == "nullable":
                continue
            if key == "default":  # not structure, and some vendor defaults break their own schema
                continue
            if key == "properties":
                out[key] = {name: self.schema(sub) for name, sub in value.items()}
            elif key in ("items", "additionalProperties", "not"):
                out[key] = self.schema(value) if isinstance(value, dict) else value
            elif key in ("oneOf", "anyOf"):
                out["anyOf"] = [self.schema(sub) for sub in value]
            else:
                out[key] = copy.deepcopy(value)
        if out.get("properties") and "additionalProperties" not in out:
            out["additionalProperties"] = False
        if node.get("nullable"):
            out = _nullable(out)
        return out

    def _merged(self, node: dict[str, Any]) -> dict[str, Any]:
        """``allOf`` parts merged into one object schema (later parts win for the same property)."""
        if "allOf" not in node:
            return node
        merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
        for part in node["allOf"]:
            part = self._merged(self.resolve(part))
            for key, value in part.items():
                if key == "properties":
                    merged.setdefault("properties", {}).update(value)
                elif key == "required":
                    merged["required"] = sorted({*merged.get("required", []), *value})
                elif key not in merged or key == "additionalProperties":
                    merged[key] = value
        if "properties" in merged:
            merged.setdefault("type", "object")
        return merged

    # -- operations ------------------------------------------------------------------------------
    def operation(self, method: str, path: str, source: str) -> dict[str, Any]:
        item = self.spec["paths"][path]
        op = item[method]
        out: dict[str, Any] = {"operationId": op.get("operationId"), "x-source": source}
        if "security" in op:
            out["security"] = op["security"]
            self.security_schemes.update(name for requirement in op["security"] for name in requirement)
        # An operation's parameter overrides the path item's of the same name and place (OpenAPI's rule);
        # some vendor documents list one in both.
        parameters = list({(p["name"], p["in"]): p for p in (
            self.resolve(p) for p in [*item.get("parameters", []), *op.get("parameters", [])])}.values())
        if parameters:
            out["parameters"] = [self._parameter(p) for p in parameters]
        body = self.resolve(op.get("requestBody"))
        if body:
            out["requestBody"] = {
                "required": bool(body.get("required")),
                "content": {
                    kind: {"schema": self.schema(media.get("schema", {}))}
                    for kind, media in (body.get("content") or {}).items()
                    if self.body_types is None or kind in self.body_types
                },
            }
        out["responses"] = {}
        for status, response in op.get("responses", {}).items():
            response = self.resolve(response)
            entry: dict[str, Any] = {"description": f"HTTP {status}"}
            content = {kind: media for kind, media in (response.get("content") or {}).items() if "json" in kind}
            if content:
                entry["content"] = {"application/json": {"schema": self.schema(next(iter(content.values()))
                                                                                  .get("schema", {}))}}
            out["responses"][str(status)] = entry
        return out

    def _parameter(self, parameter: dict[str, Any]) -> dict[str, Any]:
        out = {key: parameter[key] for key in ("name", "in", "required", "style", "explode") if key in parameter}
        out["schema"] = self.schema(parameter.get("schema", {}))
        return out

    def components(self) -> dict[str, Any]:
        return {name: self.used[name] for name in sorted(self.used)}

    def security_components(self) -> dict[str, Any]:
        """The security schemes the chosen operations name: how the credential travels, no prose."""
        schemes = self.spec.get("components", {}).get("securitySchemes", {})
        out: dict[str, Any] = {}
        for name in sorted(self.security_schemes):
            scheme = schemes[name]
            kept = {key: scheme[key] for key in ("type", "name", "in", "scheme", "bearerFormat") if key in scheme}
            if scheme.get("type") == "oauth2":
                kept["flows"] = {
                    flow: {**{key: spec[key] for key in ("authorizationUrl", "tokenUrl") if key in spec}, "scopes": {}}
                    for flow, spec in scheme.get("flows", {}).items()
                }
            out[name] = kept
        return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema = {**schema, "type": [kind, "null"]}
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def build_paths(
    document: VendorDocument, selection: Iterable[tuple[str, str, str, str]], prefix: str = ""
) -> dict[str, Any]:
    """``{path: {method: operation}}`` for (method, vendor path, our path or '', source) rows."""
    paths: dict[str, Any] = {}
    for method, vendor_path, our_path, source in selection:
        paths.setdefault(our_path or prefix + vendor_path, {})[method] = document.operation(
            method, vendor_path, source
        )
    return paths

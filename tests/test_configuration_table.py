"""Every configuration key and environment variable the product reads is in the emulator's config table.

A newcomer looks for a setting in one place, :mod:`emulator.app`'s docstring. This test reads the
product's source (not the sandboxes', not the tests') for configuration reads (``app.config["KEY"]``,
``config.get("KEY")``, ``setdefault``), environment reads (``os.environ``, ``os.getenv``, ``*_ENV``
constants, click's ``envvar=``) and fails on any name missing from that table.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from flask import Flask

import emulator.app

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("connector", "auth", "triggers", "actions", "emulator")
#: Flask's own keys keep Flask's meaning; the table says so rather than repeating Flask's documentation.
FLASK_KEYS = set(Flask.default_config)
KEY = re.compile(r"^[A-Z][A-Z0-9_]+$")


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_config(node: ast.AST) -> bool:
    """``<x>.config`` or a name ``config`` (the mapping create_app's helpers take)."""
    return (isinstance(node, ast.Attribute) and node.attr == "config") or (
        isinstance(node, ast.Name) and node.id == "config"
    )


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def reads(tree: ast.AST) -> set[tuple[str, str]]:
    """``("config" | "env", name)`` for every configuration and environment read in ``tree``."""
    found: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and (key := _literal(node.slice)):
            if _is_config(node.value):
                found.add(("config", key))
            elif _is_environ(node.value):
                found.add(("env", key))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            key = _literal(node.args[0])
            if key is None:
                continue
            owner, method = node.func.value, node.func.attr
            if method in ("get", "setdefault", "pop") and _is_config(owner):
                found.add(("config", key))
            elif (method in ("get", "pop") and _is_environ(owner)) or method == "getenv":
                found.add(("env", key))
        elif (
            isinstance(node, ast.Assign) and (key := _literal(node.value))
            and any(isinstance(t, ast.Name) and t.id.endswith("_ENV") for t in node.targets)
        ):
            found.add(("env", key))
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "envvar" and (key := _literal(keyword.value)):
                    found.add(("env", key))
    return {(kind, key) for kind, key in found if KEY.match(key)}


def product_reads() -> dict[tuple[str, str], str]:
    """Every read in the product's modules, with the first file it appears in."""
    where: dict[tuple[str, str], str] = {}
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            for read in reads(ast.parse(path.read_text(), str(path))):
                where.setdefault(read, str(path.relative_to(ROOT)))
    return where


def documented() -> set[str]:
    """The names in the first column of the tables in :mod:`emulator.app`'s docstring."""
    doc = emulator.app.__doc__ or ""
    return {match.group(1) for match in re.finditer(r"^([A-Z][A-Z0-9_]+)\s{2,}", doc, re.MULTILINE)}


def test_every_configuration_key_and_environment_variable_read_is_in_the_table() -> None:
    table = documented()
    missing = sorted(
        f"{kind} {key} (read in {path})" for (kind, key), path in product_reads().items()
        if key not in table and key not in FLASK_KEYS
    )
    assert missing == []


def test_the_table_lists_only_keys_something_reads() -> None:
    read = {key for _kind, key in product_reads()} | set(emulator.app.DEFAULTS)
    assert sorted(documented() - read) == []


def test_the_scan_finds_each_kind_of_read() -> None:
    """The scanner itself: a read of each form is found, so a new form of read cannot slip past."""
    source = """
import os
A_ENV = "ENV_CONSTANT"
app.config["SUBSCRIPT"]
current_app.config.get("GET")
app.config.setdefault("SETDEFAULT", 1)
config["BARE"]
os.environ.get("ENV_GET")
os.environ["ENV_SUBSCRIPT"]
os.getenv("ENV_GETENV")
click.option("--x", envvar="ENV_CLICK")
other["NOT_CONFIG"]
"""
    assert reads(ast.parse(source)) == {
        ("config", "SUBSCRIPT"), ("config", "GET"), ("config", "SETDEFAULT"), ("config", "BARE"),
        ("env", "ENV_CONSTANT"), ("env", "ENV_GET"), ("env", "ENV_SUBSCRIPT"), ("env", "ENV_GETENV"),
        ("env", "ENV_CLICK"),
    }

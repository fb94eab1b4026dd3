"""No shipped app's name in generic code: the kit, the emulator and the generic CLI know apps only by key.

A third-party app gets the same CLI, forms, hints and pages as a shipped one only if nothing generic
names a shipped one. This reads the generic modules (the kit, the emulator outside its demo, the CLI
outside the shipped sandboxes' commands) for the shipped apps' names: in Python, every identifier and
every string that is not a docstring (prose may give a vendor as an example; code may not); in the web
UI's templates and scripts, the vendor names and the quoted app keys. The few places that may name
them are listed with why.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMES = re.compile(r"(?<![a-z0-9])(okta|contacts|personio|highlevel|ghl)(?![a-z0-9])", re.IGNORECASE)
#: In the UI's HTML and JavaScript "contacts" is also an English word: there only the quoted key counts.
WEB_NAMES = re.compile(r"okta|personio|highlevel|\bghl\b|[\"'`]contacts[\"'`]", re.IGNORECASE)
GENERIC = ("connector", "emulator")
#: Not generic: the shipped apps' assembly, the shipped sandboxes' commands, the demo.
NOT_GENERIC = ("connector/apps/", "connector/cli/sandbox.py", "emulator/demo/")
ALLOWED: dict[str, str] = {
    "connector/cli/emulate.py": "starts the demo; its seed sizes (--okta-users, --contacts, --employees) and the "
                                "lines it prints are the demo sandboxes'",
    "connector/testing.py": "the pytest plugin's fixtures for the shipped sandboxes (okta_sandbox, "
                            "contacts_connection, ...); a third-party app's package brings its own",
}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def names_in_python(source: str) -> list[tuple[int, str]]:
    """(line, text) of every identifier or non-docstring string naming a shipped app."""
    tree = ast.parse(source)
    prose = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            text = node.value
        elif isinstance(node, ast.Name):
            text = node.id
        elif isinstance(node, ast.Attribute):
            text = node.attr
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.alias):
            text = node.name
        elif isinstance(node, ast.arg):
            text = node.arg
        if text and NAMES.search(text):
            found.append((getattr(node, "lineno", 0), text[:80]))
    return found


def generic_files() -> list[Path]:
    files = []
    for package in GENERIC:
        for path in sorted((ROOT / package).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if path.suffix in (".py", ".html", ".js") and not relative.startswith(NOT_GENERIC) \
                    and "__pycache__" not in relative:
                files.append(path)
    return files


def test_generic_code_names_no_shipped_app() -> None:
    found = []
    for path in generic_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED:
            continue
        text = path.read_text()
        if path.suffix == ".py":
            found += [f"{relative}:{line}: {name!r}" for line, name in names_in_python(text)]
        else:
            found += [f"{relative}: {match.group(0)!r}" for match in WEB_NAMES.finditer(text)]
    assert found == []


def test_every_allowed_module_still_names_a_shipped_app() -> None:
    """An allow-list entry that no longer names an app is removed, so the list only shrinks."""
    stale = [path for path in ALLOWED if not names_in_python((ROOT / path).read_text())]
    assert stale == []


def test_the_scan_sees_code_and_skips_prose() -> None:
    source = '''
"""Okta in a module docstring is prose."""
def poll(okta_client):
    """So is HighLevel in a function's."""
    return "contacts"
'''
    assert sorted(names_in_python(source)) == [(3, "okta_client"), (5, "contacts")]

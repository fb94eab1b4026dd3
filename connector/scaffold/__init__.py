"""``connector init`` and ``connector scaffold``: a working connector package, and one more operation in it.

``init`` writes a package a connector author can install, test and run at once: the app with its
``connector.apps`` entry point, auth with a connection test (API key or OAuth 2.0), a polling trigger
with a cursor, an action with a dynamic dropdown, two searches, a small stateful fake of the API, and
tests that use the kit's pytest plugin and the conformance suite over that fake. Templates live next
to this module as ``*.tmpl`` files (``string.Template``, ``${name}`` placeholders), so they read as the
code they become.

``scaffold trigger|action|search NAME`` adds one operation module to such a package and lists it in
``app.py``; the fake serves any collection, so the new operation's tests pass before it is adapted.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from connector.errors import BadInput

TEMPLATES = Path(__file__).parent
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
AuthType = Literal["api_key", "oauth2"]
OperationKind = Literal["trigger", "action", "search"]
#: Per kind: the package folder, the constant a module exports, and the App field that lists them.
KINDS: dict[str, tuple[str, str]] = {"trigger": ("triggers", "TRIGGER"), "action": ("actions", "ACTION"),
                                     "search": ("searches", "SEARCH")}


def _check_key(name: str, what: str) -> None:
    if not KEY_PATTERN.match(name):
        raise BadInput(
            f"{name!r} is not a valid {what}: use lowercase letters, digits and underscores, starting with a "
            "letter (e.g. recipes)", "NAME",
        )


def _render(template: Path, values: dict[str, str]) -> str:
    return string.Template(template.read_text()).substitute(values)


def init_package(key: str, auth: AuthType, destination: Path) -> list[Path]:
    """Write a new connector package for app ``key`` into ``destination``; the files written.

    Raises:
        BadInput: the key is not a valid app key, an installed app already uses it, or the destination
            folder exists and is not empty.
    """
    _check_key(key, "app key")
    from connector.registry import load_apps

    installed = load_apps()
    if key in installed:
        raise BadInput(
            f"an installed app ({installed[key].name}) already uses the key {key!r}; choose another name", "NAME"
        )
    if destination.exists() and any(destination.iterdir()):
        raise BadInput(f"{destination} exists and is not empty; choose another --dir", "--dir")
    package = f"{key}_connector"
    credential = {"api_key": "API_KEY", "oauth2": "ACCESS_TOKEN"}[auth]
    field = {"api_key": "api_key", "oauth2": "access_token"}[auth]
    values = {
        "key": key, "key_dashed": key.replace("_", "-"), "package": package, "auth_type": auth,
        "title": key.replace("_", " ").title(), "class_name": key.replace("_", " ").title().replace(" ", ""),
        "credential_name": credential,
        "fake_auth_doc": {
            "api_key": "It accepts ``Authorization: Bearer <API_KEY>`` (the value below).",
            "oauth2": "Its consent page (``/oauth/authorize``) approves at once; ``/oauth/token`` answers "
                      "with ACCESS_TOKEN, which is the Bearer value it accepts.",
        }[auth],
        "good_fields": f'{{"{field}": fake_api.{credential}}}',
        "bad_fields": f'{{"{field}": "wrong-{field.replace("_", "-")}"}}',
        "invoke_fields": f"--field {field}=" + {"api_key": "fake-api-key-123", "oauth2": "fake-access-token-123"}[auth],
    }
    written: list[Path] = []
    source = TEMPLATES / "package"
    for template in sorted(source.rglob("*.tmpl")):
        relative = template.relative_to(source)
        name = relative.name.removesuffix(".tmpl")
        if name.startswith("auth_"):
            if name != f"auth_{auth}.py":
                continue
            name = "auth.py"
        target = destination / Path(*(package if part == "PACKAGE" else part for part in relative.parent.parts))
        target.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(_render(template, values))
        written.append(target / name)
    return written


@dataclass(frozen=True)
class ConnectorPackage:
    """A connector package on disk, found through its pyproject's ``connector.apps`` entry point."""

    root: Path
    package: str
    app_file: Path

    @classmethod
    def find(cls, root: Path) -> ConnectorPackage:
        pyproject = root / "pyproject.toml"
        if not pyproject.exists():
            raise BadInput(f"no pyproject.toml in {root.resolve()}; run this in a connector package (see "
                           "`connector init`) or pass --dir", "--dir")
        entry_points = tomllib.loads(pyproject.read_text()).get("project", {}).get("entry-points", {})
        apps = entry_points.get("connector.apps", {})
        if len(apps) != 1:
            raise BadInput(f"{pyproject} must register exactly one app under [project.entry-points.\"connector."
                           f"apps\"] (found {len(apps)})", "--dir")
        module = next(iter(apps.values())).split(":")[0]
        package, _, _rest = module.partition(".")
        app_file = root / Path(*module.split(".")).with_suffix(".py")
        if not app_file.exists():
            raise BadInput(f"the entry point names {module}, but {app_file} does not exist", "--dir")
        return cls(root=root, package=package, app_file=app_file)


def scaffold_operation(kind: OperationKind, key: str, root: Path) -> list[Path]:
    """Add a ``kind`` module named ``key`` to the connector package at ``root`` and list it in app.py."""
    _check_key(key, f"{kind} key")
    found = ConnectorPackage.find(root)
    folder, constant = KINDS[kind]
    module_dir = found.app_file.parent / folder
    module_file = module_dir / f"{key}.py"
    if module_file.exists():
        raise BadInput(f"{module_file} exists already; choose another name", "NAME")
    app_source = found.app_file.read_text()
    if re.search(rf"\b{re.escape(key)}\.(TRIGGER|ACTION|SEARCH)\b", app_source):
        raise BadInput(f"app.py already lists an operation module called {key!r}; choose another name", "NAME")
    words = key.split("_")
    noun = words[-1].capitalize()
    title = found.package.removesuffix("_connector").replace("_", " ").title()
    values = {
        "key": key, "function": key, "noun": noun, "noun_lower": noun.lower(), "collection": f"{noun.lower()}s",
        "label": " ".join(w.capitalize() for w in words), "title": title,
    }
    module_dir.mkdir(exist_ok=True)
    init = module_dir / "__init__.py"
    if not init.exists():
        init.write_text(f'"""The {title} app\'s {folder}, one module each."""\n')
    module_file.write_text(_render(TEMPLATES / "operations" / f"{kind}.py.tmpl", values))
    found.app_file.write_text(_listed(app_source, found.package, folder, constant, key))
    return [module_file, found.app_file]


def _listed(source: str, package: str, folder: str, constant: str, key: str) -> str:
    """``app.py`` with ``key`` imported from ``package.folder`` and listed in the App's ``folder`` tuple."""
    import_line = re.compile(rf"^from {re.escape(package)}\.{folder} import (.+)$", re.MULTILINE)
    match = import_line.search(source)
    if match:
        names = sorted({*(n.strip() for n in match.group(1).split(",")), key})
        source = source[: match.start()] + f"from {package}.{folder} import {', '.join(names)}" + source[match.end():]
    else:
        lines = source.splitlines(keepends=True)
        last = max((i for i, line in enumerate(lines) if line.startswith(f"from {package}.")), default=-1)
        lines.insert(last + 1, f"from {package}.{folder} import {key}\n")
        source = "".join(lines)
    block = re.compile(rf"^    {folder}=\((.*?)^    \),\n", re.MULTILINE | re.DOTALL)
    found = block.search(source)
    entry = f"        {key}.{constant},\n"
    if found:
        return source[: found.end() - len("    ),\n")] + entry + source[found.end() - len("    ),\n"):]
    closing = source.rindex("\n)")
    return source[:closing + 1] + f"    {folder}=(\n{entry}    ),\n" + source[closing + 1:]

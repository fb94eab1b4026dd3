"""How every command reports results and failures: JSON on stdout, clear messages on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from connector.errors import BadInput, ConnectorError


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))


def fail(message: str, code: int = 1) -> NoReturn:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn kit errors into one readable line and an exit code; never a traceback."""
    try:
        yield
    except BadInput as exc:
        fail(exc.message, 2)
    except ConnectorError as exc:
        fail(f"{type(exc).__name__}: {exc.message}", 1)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator form of :func:`reported_errors` for click commands."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with reported_errors():
            return fn(*args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper

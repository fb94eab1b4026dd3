"""How every command reports results and failures: JSON on stdout, clear messages on stderr."""

from __future__ import annotations

import json
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, NoReturn

import click

from connector.errors import BadInput, CodeCrashed, ConnectorBug, ConnectorError, DatabaseUnreadable


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))


def fail(message: str, code: int = 1) -> NoReturn:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def debugging() -> bool:
    """Whether ``connector --debug`` was given: failures then also print their traceback."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("debug"))


def _show_traceback(exc: BaseException) -> None:
    cause = exc.__cause__ if isinstance(exc, ConnectorBug) and exc.__cause__ is not None else exc
    click.echo("".join(traceback.format_exception(cause)).rstrip(), err=True)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn every failure into one readable ``error:`` line and an exit code.

    The traceback is shown only behind ``connector --debug``; a connector's own crash says how to
    get it, since that is where its author will look next.
    """
    try:
        yield
    except BadInput as exc:
        fail(exc.message, 2)
    except ConnectorError as exc:
        if debugging():
            _show_traceback(exc)
        crashed = isinstance(exc, CodeCrashed) and not debugging()
        hint = "; run `connector --debug ...` for the traceback" if crashed else ""
        fail(f"{type(exc).__name__}: {exc.message}{hint}", 1)
    except DatabaseUnreadable as exc:
        fail(str(exc), 1)
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
        raise
    except Exception as exc:
        if debugging():
            _show_traceback(exc)
        fail(f"unexpected {type(exc).__name__}: {exc}; run `connector --debug ...` for the traceback", 1)


class _Terminated(Exception):
    """Raised in the main thread when the process is asked to stop with SIGTERM."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def wait_until_stopped() -> None:
    """Block until Ctrl-C (SIGINT) or SIGTERM, then return so the caller can shut down cleanly.

    Service managers, containers and ``kill`` stop a process with SIGTERM; without a handler Python
    dies at once, skipping the ``finally`` that stops the server and the scheduler.
    """
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        threading.Event().wait()
    except (KeyboardInterrupt, _Terminated):
        click.echo("stopping")
    finally:
        signal.signal(signal.SIGTERM, previous)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator form of :func:`reported_errors` for click commands."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with reported_errors():
            return fn(*args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper

"""``connector web``, ``connector worker`` and ``connector scheduler``: the emulator as separate processes.

The same platform as ``connector emulate``, split so it can grow past one machine: any number of web
processes (UI, JSON API, hook ingress) and Celery workers sharing one PostgreSQL store and one broker,
and one active scheduler (standbys wait and take over). See :mod:`emulator.distributed`.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

import click

from connector.cli.output import guarded, wait_until_stopped

_database = click.option(
    "--database-url", envvar="CONNECTOR_DATABASE_URL", required=True, metavar="URL",
    help="SQLAlchemy URL of the shared store, e.g. postgresql+psycopg://postgres@127.0.0.1/connector "
         "(env CONNECTOR_DATABASE_URL).",
)
_broker = click.option(
    "--broker-url", envvar="CONNECTOR_BROKER_URL", required=True, metavar="URL",
    help="Celery broker URL, e.g. redis://127.0.0.1:6379/0 (env CONNECTOR_BROKER_URL).",
)
_data = click.option(
    "--data", "data_dir", envvar="CONNECTOR_DATA", default="data", show_default=True,
    type=click.Path(file_okay=False), help="Folder with the key file and saved connections (env CONNECTOR_DATA).",
)


def _export(database_url: str, broker_url: str, data_dir: str, **more: str) -> None:
    """Hand the configuration to code that reads it from the environment (Celery's worker children)."""
    os.environ.update(
        CONNECTOR_DATABASE_URL=database_url, CONNECTOR_BROKER_URL=broker_url, CONNECTOR_DATA=data_dir, **more
    )


def _check_database(database_url: str) -> None:
    """One clear line when the store cannot be reached, before anything starts."""
    import sqlalchemy as sa

    from emulator.store import engine_for

    try:
        engine = engine_for(database_url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except (sa.exc.SQLAlchemyError, ValueError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise click.ClickException(
            f"cannot open the store at --database-url ({reason}); check the URL and that the server runs"
        ) from exc


@click.command("web")
@_database
@_broker
@_data
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=5000, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--public-url", envvar="CONNECTOR_PUBLIC_URL", default=None,
              help="Base URL vendors reach this deployment at (hook URLs); default http://HOST:PORT.")
@guarded
def web_command(
    database_url: str, broker_url: str, data_dir: str, host: str, port: int, public_url: str | None
) -> None:
    """Serve the UI, the JSON API and the hook ingress; deliveries are committed, then sent to the workers."""
    from emulator.distributed import build_process
    from emulator.serving import serve, settle_heap

    _check_database(database_url)
    shown = public_url or f"http://{host}:{port}"
    _export(database_url, broker_url, data_dir, CONNECTOR_PUBLIC_URL=shown)
    wsgi, _emulator = build_process(database_url, broker_url, PUBLIC_URL=shown)
    settle_heap()
    served = serve(wsgi, host=host, port=port, server="waitress")
    click.echo(f"web listening on http://{host}:{served.port}/ (store {_safe(database_url)})")
    try:
        wait_until_stopped()
    finally:
        served.stop()


def _safe(url: str) -> str:
    """A URL for the log without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparsable URL)"


@click.command("worker", context_settings={"ignore_unknown_options": True})
@_database
@_broker
@_data
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 256),
              help="Jobs this worker runs at once.")
@click.option("--pool", type=click.Choice(["threads", "prefork", "solo"]), default="threads", show_default=True,
              help="Celery execution pool: threads suit I/O-bound steps; prefork isolates each job's process.")
@click.option("--loglevel", default="WARNING", show_default=True, help="Celery's log level.")
@guarded
def worker_command(
    database_url: str, broker_url: str, data_dir: str, concurrency: int, pool: str, loglevel: str
) -> None:
    """Run a Celery worker that executes runs, polls and hook processing from the shared queue."""
    from emulator.distributed import QUEUE, make_celery

    _check_database(database_url)
    _export(database_url, broker_url, data_dir)
    celery = make_celery(broker_url)
    celery.worker_main([
        "worker", f"--concurrency={concurrency}", f"--pool={pool}", f"--loglevel={loglevel}", "-Q", QUEUE,
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ])


@click.command("scheduler")
@_database
@_broker
@_data
@click.option("--interval", default=0.5, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds between sweeps for due polls, open deliveries and runnable runs.")
@click.option("--resend-seconds", default=30.0, show_default=True, type=click.FloatRange(1, 3600),
              help="A job still open this long after it was sent is sent again (its worker may have died).")
@guarded
def scheduler_command(
    database_url: str, broker_url: str, data_dir: str, interval: float, resend_seconds: float
) -> None:
    """Send due polls, retries and anything committed but not queued to the workers; one is active at a time."""
    from emulator.distributed import build_process, run_scheduler

    _check_database(database_url)
    _export(database_url, broker_url, data_dir)
    _wsgi, emulator = build_process(database_url, broker_url)
    emulator.scheduler.resend_seconds = resend_seconds
    stop = threading.Event()
    _on_signals(stop.set)
    click.echo(f"scheduler standing by for the lock on {_safe(database_url)}")
    run_scheduler(emulator, stop, interval, lambda message: click.echo(f"scheduler {message}"))


def _on_signals(handler: Callable[[], None]) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: handler())

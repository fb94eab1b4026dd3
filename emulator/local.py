"""The emulator as one local process over a data folder: what ``connector emulate`` serves.

:func:`emulator.app.create_app` is the one composition root (every blueprint, every configuration key);
this module only gives it what a process on a user's machine keeps in its data folder: the encrypted
credential store (connections), the install's access token and the browser-session key, the outbound
guard with the operator's ``--allow-url`` origins, and the ``Host`` allow-list in front of it all.

It needs no sandbox. Without the sandboxes installed, ``connector emulate`` serves exactly this, for
connections to the real services; the demo (:mod:`emulator.demo`) builds on it and mounts its
sandboxes beside the emulator through ``mounts``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from auth.store import open_store
from emulator.access import (
    ACCESS_TOKEN_HEADER,
    HostAllowList,
    allowed_hosts,
    init_access,
    load_access_token,
    load_session_key,
    tokenised_url,
)
from emulator.app import create_app
from emulator.connections import ConnectionGateway, OAuthClientSettings

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


@dataclass
class LocalPlatform:
    """The served WSGI app, the emulator behind it and its connections, as :func:`build_local` made them."""

    wsgi: Any
    emulator: Flask
    gateway: ConnectionGateway
    public_url: str
    #: The URL-path dispatcher in front of the emulator (the emulator itself when nothing is mounted).
    dispatcher: Any
    #: This install's access token (``<data>/access.token``): API clients send it in ``X-Emulator-Token``.
    access_token: str = ""

    @property
    def start_url(self) -> str:
        """The URL to open in a browser: it signs the browser in (``connector emulate`` prints it)."""
        return tokenised_url(self.public_url, self.access_token)

    @property
    def api_headers(self) -> dict[str, str]:
        """What an API client (a script, the CLI) sends with every request."""
        return {ACCESS_TOKEN_HEADER: self.access_token}

    def close(self) -> None:
        self.emulator.extensions["emulator"].scheduler.stop()
        self.emulator.extensions["emulator"].notices.stop()


def build_local(
    public_url: str,
    data_dir: str | Path,
    *,
    runner_thread: bool = True,
    config: Mapping[str, Any] | None = None,
    allow_urls: Sequence[str] = (),
    bound_host: str | None = None,
    allow_hosts: Iterable[str] = (),
    oauth_clients: Mapping[str, OAuthClientSettings] | None = None,
    mounts: Mapping[str, WSGIApplication] | None = None,
) -> LocalPlatform:
    """The emulator for ``public_url`` with its state in ``data_dir``, behind the Host allow-list and token.

    Args:
        allow_urls: origins connections may call although they are local or private (an author's own
            API on ``http://127.0.0.1:8080``); also read from the ``ALLOW_URLS`` config key.
        oauth_clients: the emulator's registrations for the "Connect" button, by app key.
        mounts: URL prefix -> WSGI app served beside the emulator on the same port (the demo's sandboxes).

    Raises:
        BadInput: an ``allow_urls`` entry is not an http(s) origin (field ``allow_url``).
    """
    from connector.outbound import OutboundPolicy

    settings = dict(config or {})
    policy = OutboundPolicy.allowing([*allow_urls, *settings.get("ALLOW_URLS", ())])
    public_url = public_url.rstrip("/")
    data = Path(data_dir)
    data.mkdir(mode=0o700, parents=True, exist_ok=True)  # databases and the key file: owner only
    gateway = ConnectionGateway(store=open_store(data), policy=policy, oauth_clients=dict(oauth_clients or {}))
    emulator = create_app({
        "DATABASE_URL": f"sqlite:///{(data / 'emulator.db').resolve()}",
        "CONNECTIONS": gateway,
        "PUBLIC_URL": public_url,
        "RUNNER_THREAD": runner_thread,
        "SECRET_KEY": load_session_key(data),
        **settings,
        "ALLOW_URLS": sorted(policy.allowed_origins),
    })
    access_token = load_access_token(data)
    init_access(emulator, access_token)
    dispatcher: Any = DispatcherMiddleware(emulator, dict(mounts)) if mounts else emulator
    # A page that rebinds its own DNS name to this machine sends its own name as Host: refused here.
    wsgi = HostAllowList(dispatcher, allowed_hosts(public_url, bound_host=bound_host, extra=allow_hosts))
    return LocalPlatform(wsgi, emulator, gateway, public_url, dispatcher, access_token)

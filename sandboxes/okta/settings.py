"""Knobs of the Okta sandbox: the admin token, Link header style, rate limits, delivery behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_RATE_LIMITS: dict[str, int] = {
    "users": 600,  # GET/POST /api/v1/users
    "user": 600,  # /api/v1/users/{id} and everything under it
    "logs": 120,
    "groups": 500,
    "eventHooks": 100,
    "oauth": 600,  # /oauth2/v1/token
    "other": 600,  # unknown paths still get rate-limit headers
}


@dataclass
class OktaSettings:
    """How a sandbox org behaves.

    Attributes:
        token: the SSWS API token that is valid from the start (it has every scope).
        link_style: ``"lines"`` sends ``self`` and ``next`` as two ``Link`` header lines like Okta;
            ``"comma"`` joins them into one line, for clients that only keep one header value.
        rate_limits: requests per minute per endpoint family (see ``DEFAULT_RATE_LIMITS``).
        rate_window_seconds: length of a rate-limit window.
        duplicate_rate: fraction of event-hook deliveries sent twice (Okta delivers at least once).
        delivery_seed: RNG seed for which deliveries are duplicated.
        synchronous_delivery: deliver event hooks inside the request (tests) instead of a worker thread.
        id_seed: seed for the ids of objects created through the API (None: random).
        allow_http_hook_uris: accept ``http://`` event hook URIs. Okta requires ``https``; turn this on
            only for local receivers (the emulator does, for its own hook endpoint on 127.0.0.1).
    """

    token: str = "okta-sandbox-token"
    link_style: str = "lines"
    rate_limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    rate_window_seconds: float = 60.0
    duplicate_rate: float = 0.0
    delivery_seed: int = 0
    synchronous_delivery: bool = False
    id_seed: int | None = None
    allow_http_hook_uris: bool = False

    def __post_init__(self) -> None:
        if self.link_style not in ("lines", "comma"):
            raise ValueError(f"link_style: '{self.link_style}' is not supported; use 'lines' or 'comma'")
        if not 0.0 <= self.duplicate_rate <= 1.0:
            raise ValueError(f"duplicate_rate: {self.duplicate_rate} must be between 0 and 1")
        merged = dict(DEFAULT_RATE_LIMITS)
        merged.update(self.rate_limits)
        self.rate_limits = merged

"""The Personio sandbox: one object that owns the Flask app, the employees, the tokens and the faults."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from sandboxes.contract_check import install_contract_check
from sandboxes.faults import Faults, install_faults
from sandboxes.people import people
from sandboxes.personio.access import (
    ApiCredential,
    RateLimits,
    TokenIssuer,
    auth_blueprint,
    install_api_guard,
    too_many_requests,
)
from sandboxes.personio.attendances import AttendanceStore, attendances_blueprint
from sandboxes.personio.attributes import (
    DEFAULT_CUSTOM_ATTRIBUTES,
    STANDARD_ATTRIBUTES,
    AttributeSpec,
)
from sandboxes.personio.employee_store import ORG_UNITS, EmployeeStore, Record
from sandboxes.personio.employees import employees_blueprint
from sandboxes.personio.errors import PersonioApiError, error_response, server_error_response
from sandboxes.personio.time_offs import TimeOffStore, time_offs_blueprint
from sandboxes.ratelimit import WindowLimiter
from sandboxes.transport import sandbox_transport
from sandboxes.vendor_clock import install_date_header

DEFAULT_CLIENT_ID = "papi-sandbox-client"
DEFAULT_CLIENT_SECRET = "papi-sandbox-secret"


@dataclass
class PersonioSettings:
    """How a Personio sandbox behaves. Defaults follow Personio's documented numbers.

    Attributes:
        credentials: client_id -> client_secret of the API credentials that may call ``/v1/auth``.
        custom_attributes: the company's ``dynamic_<id>`` fields.
        employees_per_minute / burst_per_second: employee endpoint budgets per credential (300 / 15);
            ``burst_per_second=None`` turns the per-second window off.
        auth_per_minute: ``POST /v1/auth`` budget (60).
        rotate_tokens: Personio's former single-use tokens (a new one in every answer's header).
        admin_token: when set, ``/_sandbox`` needs it in ``X-Sandbox-Admin-Token``.
    """

    credentials: dict[str, str] = field(default_factory=lambda: {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET})
    custom_attributes: tuple[AttributeSpec, ...] = DEFAULT_CUSTOM_ATTRIBUTES
    employees_per_minute: int = 300
    burst_per_second: int | None = 15
    auth_per_minute: int = 60
    rotate_tokens: bool = False
    admin_token: str | None = None


class PersonioSandbox:
    """A working fake of Personio's v1 employee, attendance and time-off API and its token endpoint.

    Args:
        settings: behaviour knobs; defaults follow the vendor.
        base_url: where the sandbox is reached; set it after :func:`emulator.serving.serve`.
        clock: epoch seconds; tests pass a fake to move ``last_modified_at`` and expire tokens.
    """

    def __init__(
        self,
        settings: PersonioSettings | None = None,
        *,
        base_url: str = "http://personio.sandbox",
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.settings = settings or PersonioSettings()
        self.base_url = base_url.rstrip("/")
        self.clock = clock or time.time
        self.employees = EmployeeStore(self.clock, self.settings.custom_attributes)
        self.attendances = AttendanceStore(self.clock, self.employees)
        self.time_offs = TimeOffStore(self.clock, self.employees)
        self.tokens = TokenIssuer(self.clock)
        for client_id, secret in self.settings.credentials.items():
            self.tokens.register(ApiCredential(client_id, secret))
        self.limits = RateLimits(
            WindowLimiter(self.settings.employees_per_minute, 60.0, self.clock),
            WindowLimiter(self.settings.burst_per_second, 1.0, self.clock) if self.settings.burst_per_second else None,
            WindowLimiter(self.settings.auth_per_minute, 60.0, self.clock),
        )
        self.faults = Faults()
        self.faults.on_expire_tokens(self.tokens.expire_all)
        self.app = self._build_app()

    # -- public API -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self._base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._base_url = value.rstrip("/")

    def transport(self) -> httpx.BaseTransport:
        """An in-process transport to this sandbox (no sockets); dropped connections raise like a reset."""
        return sandbox_transport(self.app)

    def register_client(
        self, client_id: str, client_secret: str, *, readable_attributes: Iterable[str] | None = None
    ) -> None:
        """Add an API credential; ``readable_attributes`` is its attribute whitelist (default: all)."""
        allowed = frozenset(readable_attributes) if readable_attributes is not None else None
        self.tokens.register(ApiCredential(client_id, client_secret, allowed))

    def define_org_unit(self, kind: str, name: str) -> int:
        """Add a ``department``, ``office`` or ``subcompany`` as a Personio admin would in the web app.

        Personio's API cannot create them and ignores names the company does not have.
        """
        if kind not in ORG_UNITS:
            raise ValueError(f"kind: {kind!r} is not one of {', '.join(ORG_UNITS)}")
        return self.employees.define_unit(kind, name)

    def create_employee(self, **fields: Any) -> Record:
        """Same as ``POST /v1/company/employees`` with ``{"employee": fields}``, as an admin: org units that
        do not exist yet are created. Returns the stored record."""
        return self.employees.create({"employee": fields}, admin=True)

    def update_employee(self, employee_id: int, **fields: Any) -> Record:
        """Same as ``PATCH /v1/company/employees/{id}`` as an admin (org units are created on first use);
        moves ``last_modified_at`` when a value changes."""
        return self.employees.update(employee_id, {"employee": fields}, admin=True)[0]

    def delete_employee(self, employee_id: int) -> None:
        """Delete an employee as an admin does in Personio's own app; the API has no such endpoint."""
        self.employees.delete(employee_id)

    def seed_employees(self, count: int, *, seed: int = 1) -> list[int]:
        """Add ``count`` generated employees; returns their ids.

        The same ``seed`` gives the same people. Employees are created one second apart, ending now, so
        ``created_at`` and ``last_modified_at`` follow id order. People whose email exists are skipped.
        """
        rng = random.Random(seed)
        custom = [spec.key for spec in self.settings.custom_attributes]
        base = self.clock() - count
        made: list[int] = []
        with self.employees.lock:
            start = len(self.employees.records)
            for number, person in enumerate(people(count, seed=seed, start=start, domain="personio.example.com")):
                if person.email.lower() in self.employees.by_email:
                    continue
                extras: dict[str, Any] = {}
                if "dynamic_1146702" in custom:
                    extras["dynamic_1146702"] = person.phone
                record = self.employees.create(
                    {"employee": {
                        "email": person.email,
                        "first_name": person.first_name,
                        "last_name": person.last_name,
                        "gender": rng.choice(("male", "female", "diverse")),
                        "position": person.title,
                        "department": person.department,
                        "office": person.city,
                        "status": "active" if rng.random() < 0.9 else rng.choice(("onboarding", "leave", "inactive")),
                        "hire_date": f"{2015 + rng.randint(0, 10)}-{rng.randint(1, 12):02d}-01",
                        "weekly_working_hours": rng.choice((40, 40, 40, 32, 20)),
                        "custom_attributes": extras,
                    }},
                    now=base + number,
                    admin=True,
                )
                made.append(record["id"])
        return made

    # -- private ----------------------------------------------------------------------------------
    def _throttle_response(self) -> Response:
        return too_many_requests(self.limits.per_minute.peek("fault"))

    def _specs(self) -> tuple[AttributeSpec, ...]:
        return (*STANDARD_ATTRIBUTES, *self.settings.custom_attributes)

    def _build_app(self) -> Flask:
        app = Flask("sandboxes.personio")
        install_date_header(app, self.clock)
        app.json.sort_keys = False  # type: ignore[attr-defined]
        install_faults(
            app,
            self.faults,
            error_response=server_error_response,
            throttle_response=self._throttle_response,
            admin_token=self.settings.admin_token,
        )
        install_api_guard(app, self.tokens, self.limits, lambda: self.settings.rotate_tokens)
        app.register_blueprint(auth_blueprint(self.tokens, self.limits))
        app.register_blueprint(employees_blueprint(self.employees, self._specs))
        app.register_blueprint(attendances_blueprint(self.attendances))
        app.register_blueprint(time_offs_blueprint(self.time_offs))

        @app.errorhandler(PersonioApiError)
        def vendor_error(error: PersonioApiError) -> Response:
            return error_response(error)

        @app.errorhandler(HTTPException)
        def http_error(error: HTTPException) -> Response:
            status = error.code or 500
            if status == 404:
                message = f"The route {request.path} was not found."
            elif status == 405:
                message = f"{request.method} is not supported on {request.path}."
            else:
                message = error.description or error.name
            return error_response(PersonioApiError(status, message))

        install_contract_check(app, "personio")
        return app


def create_app(settings: PersonioSettings | None = None) -> Flask:
    """Flask-style factory: a fresh sandbox's app (keep the sandbox if you need its state or faults)."""
    return PersonioSandbox(settings).app

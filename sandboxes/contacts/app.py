"""The Contacts sandbox: one object that owns the Flask app, its state, OAuth server, faults and outbox."""

from __future__ import annotations

import hmac
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from sandboxes.contacts.appointment_notes import appointment_notes_blueprint
from sandboxes.contacts.appointments import appointments_blueprint
from sandboxes.contacts.auth import RateLimits, install_api_guard, too_many_requests
from sandboxes.contacts.calendar_events import calendar_events_blueprint
from sandboxes.contacts.contacts import (
    CONTACT_ANSWER_FIELDS,
    answer_with,
    contacts_blueprint,
    matches,
    new_contact,
)
from sandboxes.contacts.custom_fields import custom_fields_blueprint
from sandboxes.contacts.errors import ApiError, error_response, server_error_response
from sandboxes.contacts.ids import IdFactory
from sandboxes.contacts.memberships import memberships_blueprint
from sandboxes.contacts.notes import notes_blueprint
from sandboxes.contacts.oauth_server import Location, OAuthServer, oauth_blueprint
from sandboxes.contacts.search import search_blueprint
from sandboxes.contacts.signing import WebhookSigner
from sandboxes.contacts.state import ContactsState, Record, iso_timestamp
from sandboxes.contacts.tags import tags_blueprint
from sandboxes.contacts.tasks import tasks_blueprint
from sandboxes.contacts.webhooks import WebhookHub, webhooks_blueprint
from sandboxes.contract_check import install_contract_check
from sandboxes.faults import Faults, install_faults
from sandboxes.outbox import Outbox
from sandboxes.people import people
from sandboxes.ratelimit import WindowLimiter
from sandboxes.transport import sandbox_transport
from sandboxes.vendor_clock import install_date_header


@dataclass
class ContactsSettings:
    """How a Contacts sandbox behaves. Defaults follow HighLevel's documented numbers.

    Attributes:
        api_keys: location API key -> the locationId it is bound to.
        locations: locationId -> display name, offered on the OAuth consent page; every API key's
            location is added automatically.
        company_id: the agency (company) every location belongs to.
        user_id: the user who "clicks Allow" on the consent page.
        rate_limit / rate_window_seconds: burst budget per app and location (100 / 10 s).
        daily_limit: daily budget per app and location (200,000).
        access_token_ttl: OAuth access token lifetime in seconds (86399).
        allow_duplicate_contacts: the location setting "Allow duplicate contacts" (off by default).
        admin_token: when set, ``/_sandbox`` (faults, the app's webhook setting) needs it in ``X-Sandbox-Admin-Token``.
        id_seed: seed of the id generator, so ids repeat from run to run.
        campaigns / workflows: the location's campaigns and workflows (id -> name) a contact can join.
    """

    api_keys: dict[str, str] = field(default_factory=lambda: {"contacts-sandbox-key": "loc_sandbox"})
    locations: dict[str, str] = field(default_factory=lambda: {"loc_sandbox": "Sandbox Location"})
    company_id: str = "cmp_sandbox"
    user_id: str = "usr_sandbox"
    rate_limit: int = 100
    rate_window_seconds: float = 10.0
    daily_limit: int = 200_000
    access_token_ttl: int = 86399
    allow_duplicate_contacts: bool = False
    admin_token: str | None = None
    id_seed: int | None = 0
    campaigns: dict[str, str] = field(default_factory=lambda: {
        "cmp_welcome": "Welcome series", "cmp_renewal": "Renewal reminders",
    })
    workflows: dict[str, str] = field(default_factory=lambda: {
        "wf_onboarding": "Onboarding", "wf_offboarding": "Offboarding",
    })


class ContactsSandbox:
    """A working fake of HighLevel's Contacts API (v2) and its OAuth 2.0 authorization server.

    Args:
        settings: behaviour knobs; defaults follow the vendor.
        base_url: the URL the sandbox is reached at, used in ``meta.nextPageUrl``; set it after
            :func:`emulator.serving.serve` gives a real port.
        clock: epoch seconds; tests pass a fake to expire codes and tokens without sleeping.
    """

    def __init__(
        self,
        settings: ContactsSettings | None = None,
        *,
        base_url: str = "http://contacts.sandbox",
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.settings = settings or ContactsSettings()
        self.base_url = base_url.rstrip("/")
        self.clock = clock or time.time
        self.state = ContactsState(clock=self.clock, ids=IdFactory(self.settings.id_seed))
        self.faults = Faults()
        self.outbox = Outbox(timeout=3.0, retries=1)
        self.signer = WebhookSigner()
        self.public_key_pem: bytes = self.signer.public_key_pem
        self.webhooks = WebhookHub(self.state, self.signer, self.outbox)
        locations = dict(self.settings.locations)
        for location_id in self.settings.api_keys.values():
            locations.setdefault(location_id, location_id)
        self.oauth = OAuthServer(
            clock=self.clock,
            locations=[Location(lid, name, self.settings.company_id) for lid, name in locations.items()],
            access_token_ttl=self.settings.access_token_ttl,
            user_id=self.settings.user_id,
        )
        self.limits = RateLimits(
            WindowLimiter(self.settings.rate_limit, self.settings.rate_window_seconds, self.clock),
            WindowLimiter(self.settings.daily_limit, 86400.0, self.clock),
        )
        self.faults.on_expire_tokens(self.oauth.expire_all_access_tokens)
        self.app = self._build_app()

    # -- public API -------------------------------------------------------------------------------
    def transport(self) -> httpx.BaseTransport:
        """An in-process transport to this sandbox (no sockets); dropped connections raise like a reset."""
        return sandbox_transport(self.app)

    def register_oauth_client(
        self, client_id: str, client_secret: str, redirect_uris: list[str], scopes: list[str]
    ) -> None:
        """Register a marketplace app that may run the OAuth code flow."""
        self.oauth.register_client(client_id, client_secret, redirect_uris, scopes)

    def set_app_webhook(self, url: str, events: list[str] | None = None) -> dict[str, object]:
        """The app's webhook setting (as ``PUT /_sandbox/app-webhook``): every location's events go to ``url``."""
        return self.webhooks.configure(url, events)

    def link_business(self, contact_ids: list[str], business_id: str | None) -> None:
        """Link contacts to a business, as ``POST /contacts/bulk/business`` does (no webhook)."""
        with self.state.lock:
            for contact_id in contact_ids:
                contact = self.state.snapshot(self.state.contacts[contact_id])
                contact["businessId"] = business_id
                self.state.replace_contact(contact)

    def seed_contacts(self, count: int, *, seed: int = 1, location_id: str | None = None) -> list[str]:
        """Add ``count`` generated contacts (plus tasks, notes and appointments for some); returns their ids.

        The same ``seed`` gives the same people, ids and dates. No webhooks are sent. Contacts get
        ``dateAdded`` one second apart, ending now, so list order is stable and equal to seed order.
        """
        location = location_id or next(iter(self.settings.api_keys.values()))
        rng = random.Random(seed)
        ids = IdFactory(seed)
        base = self.clock() - count
        created: list[str] = []
        with self.state.lock:
            start = self.state.count_in_location(location)
            for number, person in enumerate(people(count, seed=seed, start=start)):
                if self.state.find_by_email(location, person.email) or self.state.find_by_phone(location, person.phone):
                    continue
                stamp = iso_timestamp(base + number)
                contact = new_contact(
                    self.state,
                    location,
                    {
                        "firstName": person.first_name,
                        "lastName": person.last_name,
                        "email": person.email,
                        "phone": person.phone,
                        "companyName": person.company,
                        "city": person.city,
                        "state": person.state,
                        "country": person.country_code,
                        "postalCode": person.zip_code,
                        "address1": person.street_address,
                        "source": "sandbox seed",
                    },
                    now=stamp,
                )
                contact["id"] = ids.new_id()
                while contact["id"] in self.state.contacts:
                    contact["id"] = ids.new_id()
                self.state.add_contact(contact)
                created.append(contact["id"])
                self._seed_children(contact, rng, ids, base + number)
        return created

    def add_appointment(self, contact_id: str, *, title: str, start: float, minutes: int = 30) -> Record:
        """Book an appointment for a contact (appointments have no create route in the Contacts API)."""
        contact = self.state.contacts[contact_id]
        event = self._appointment(contact, self.state.ids.new_id(), title, start, minutes)
        return self.state.add_appointment(contact_id, event)

    # -- private ----------------------------------------------------------------------------------
    def _seed_children(self, contact: Record, rng: random.Random, ids: IdFactory, stamp: float) -> None:
        if rng.random() < 0.3:
            task = {
                "id": ids.new_id(),
                "contactId": contact["id"],
                "title": f"Call {contact['firstName']}",
                "body": "Seeded follow-up",
                "assignedTo": None,
                "completed": rng.random() < 0.5,
                "dueDate": iso_timestamp(stamp + 86400 * rng.randint(1, 30)),
                "dateUpdated": iso_timestamp(stamp),
            }
            self.state.tasks.setdefault(contact["id"], {})[task["id"]] = task
        if rng.random() < 0.3:
            note = {
                "id": ids.new_id(),
                "contactId": contact["id"],
                "body": f"Met {contact['name']}",
                "userId": self.settings.user_id,
                "dateAdded": iso_timestamp(stamp),
            }
            self.state.notes.setdefault(contact["id"], {})[note["id"]] = note
        if rng.random() < 0.1:
            start = stamp + 86400 * rng.randint(1, 14)
            self.state.add_appointment(contact["id"], self._appointment(contact, ids.new_id(), "Intro call", start, 30))

    def _appointment(self, contact: Record, event_id: str, title: str, start: float, minutes: int) -> Record:
        return {
            "id": event_id,
            "calendarId": "cal_sandbox",
            "locationId": contact["locationId"],
            "contactId": contact["id"],
            "title": title,
            "status": "booked",
            "appointmentStatus": "confirmed",
            "assignedUserId": self.settings.user_id,
            "notes": None,
            "startTime": iso_timestamp(start),
            "endTime": iso_timestamp(start + timedelta(minutes=minutes).total_seconds()),
        }

    def _user_name(self, user_id: str) -> str:
        """The display name of a user of the company (the sandbox knows only its own user by name)."""
        return "Sandbox User" if user_id == self.settings.user_id else user_id

    def _admin_ok(self) -> bool:
        token = self.settings.admin_token
        if token is None:
            return True
        supplied = request.headers.get("X-Sandbox-Admin-Token", "")
        return hmac.compare_digest(supplied.encode(), token.encode())

    def _throttle_response(self) -> Response:
        headers = self.limits.headers(self.limits.burst.peek("fault"), self.limits.daily.peek("fault"))
        headers["X-RateLimit-Remaining"] = "0"
        return too_many_requests(headers, self.settings.rate_window_seconds)

    def _build_app(self) -> Flask:
        app = Flask("sandboxes.contacts")
        install_date_header(app, self.clock)
        app.json.sort_keys = False  # type: ignore[attr-defined]
        install_faults(
            app,
            self.faults,
            error_response=server_error_response,
            throttle_response=self._throttle_response,
            admin_token=self.settings.admin_token,
        )
        install_api_guard(app, api_keys=lambda: self.settings.api_keys, oauth=self.oauth, limits=self.limits)
        app.register_blueprint(oauth_blueprint(self.oauth))
        app.register_blueprint(webhooks_blueprint(self.webhooks, self._admin_ok))
        app.register_blueprint(
            contacts_blueprint(
                self.state,
                self.webhooks,
                allow_duplicates=lambda: self.settings.allow_duplicate_contacts,
            )
        )
        app.register_blueprint(
            search_blueprint(self.state, lambda c: answer_with(CONTACT_ANSWER_FIELDS, self.state, c), matches)
        )
        app.register_blueprint(custom_fields_blueprint(self.state))
        app.register_blueprint(tasks_blueprint(self.state, self.webhooks))
        app.register_blueprint(notes_blueprint(self.state, self.webhooks))
        app.register_blueprint(tags_blueprint(self.state, self.webhooks))
        app.register_blueprint(
            memberships_blueprint(self.state, lambda: self.settings.campaigns, lambda: self.settings.workflows)
        )
        app.register_blueprint(appointments_blueprint(self.state))
        app.register_blueprint(calendar_events_blueprint(self.state, self.webhooks, self.settings.user_id))
        app.register_blueprint(appointment_notes_blueprint(self.state, self._user_name))

        @app.errorhandler(ApiError)
        def vendor_error(error: ApiError) -> Response:
            return error_response(error)

        @app.errorhandler(HTTPException)
        def http_error(error: HTTPException) -> Response:
            status = error.code or 500
            message = f"Cannot {request.method} {request.path}" if status in (404, 405) else (error.description or "")
            return error_response(ApiError(status, message, error=error.name))

        install_contract_check(app, "contacts")
        return app


def create_app(settings: ContactsSettings | None = None) -> Flask:
    """Flask-style factory: a fresh sandbox's app (keep the sandbox if you need its state or faults)."""
    return ContactsSandbox(settings).app

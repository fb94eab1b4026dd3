"""Fixtures for the CLI walkthrough tests: both sandboxes on real ports, a private credential store, and
a way to run ``connector ...`` in-process the way a user types it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from cli_world import CONTACTS_KEY, LOCATION, OKTA_TOKEN, CliWorld, handshake_receiver
from click.testing import CliRunner

from emulator.serving import serve
from sandboxes.contacts import ContactsSandbox, ContactsSettings
from sandboxes.okta import OktaSandbox, OktaSettings


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliWorld]:
    """One Okta and one Contacts sandbox per test module, served on free ports, both connected.

    The connections are saved with ``connector connect`` into a store in a temp dir, exactly as a user
    would make them, so every test below runs ``connector invoke --connection NAME``.
    """
    # The hook receiver below is plain http on 127.0.0.1; Okta itself would require https.
    okta = OktaSandbox(OktaSettings(token=OKTA_TOKEN, synchronous_delivery=True, allow_http_hook_uris=True))
    okta.seed_users(3)
    contacts = ContactsSandbox(ContactsSettings(api_keys={CONTACTS_KEY: LOCATION}))
    contacts.seed_contacts(3, location_id=LOCATION)
    receiver = serve(handshake_receiver())
    with serve(okta.app) as served_okta, serve(contacts.app) as served_contacts, receiver:
        okta.base_url = served_okta.base_url
        contacts.base_url = served_contacts.base_url
        cli = CliWorld(
            okta=okta,
            contacts=contacts,
            okta_url=served_okta.base_url,
            contacts_url=served_contacts.base_url,
            hook_url=f"{receiver.base_url}/hooks/cli",
            data_dir=tmp_path_factory.mktemp("connector-data"),
            runner=CliRunner(),
        )
        cli.ok("connect", "okta", "--org-url", cli.okta_url, "--api-token", OKTA_TOKEN, "--name", "okta-sandbox")
        cli.ok("connect", "contacts", "--api-key", CONTACTS_KEY, "--location-id", LOCATION,
               "--base-url", cli.contacts_url, "--name", "contacts-sandbox")
        yield cli
    okta.close()
    contacts.outbox.close()


@pytest.fixture
def output_of(world: CliWorld) -> Any:
    """``output_of("okta.find_user", {...}, "--trial")`` -> the printed JSON, after asserting exit 0."""

    def _run(target: str, values: dict[str, Any] | None = None, *extra: str) -> Any:
        connection = "okta-sandbox" if target.startswith("okta.") else "contacts-sandbox"
        result = world.ok("invoke", target, "--connection", connection, "--input", json.dumps(values or {}), *extra)
        return json.loads(result.stdout)

    return _run

"""`connector sandbox contacts --app-webhook URL`: the sandbox on a real port sends every location's events there."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest
from flask import Flask, request

from connector.apps.contacts.webhook_signature import SANDBOX_PUBLIC_KEY_PEM, signature_is_valid
from emulator.serving import ServedApp, serve


class Receiver:
    def __init__(self) -> None:
        self.received: list[tuple[bytes, str]] = []
        self.arrived = threading.Event()
        self.app = Flask("receiver")

        @self.app.post("/hooks/apps/contacts")
        def hook() -> tuple[str, int]:
            self.received.append((request.get_data(), request.headers.get("x-wh-signature", "")))
            self.arrived.set()
            return "", 200


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, ServedApp]]:
    hook = Receiver()
    with serve(hook.app) as served:
        yield hook, served


def test_a_contact_created_on_the_served_sandbox_is_delivered_signed_to_the_app_webhook(receiver) -> None:
    hook, served = receiver
    process = subprocess.Popen(
        [sys.executable, "-m", "connector.cli", "sandbox", "contacts", "--port", "0", "--contacts", "0",
         "--app-webhook", f"{served.base_url}/hooks/apps/contacts"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Contacts sandbox: "), first
        base_url = first.split(": ", 1)[1].strip()
        headers = {"Authorization": "Bearer contacts-sandbox-key", "Version": "v3"}
        made = httpx.post(f"{base_url}/contacts/", headers=headers,
                          json={"locationId": "loc_sandbox", "email": "ada@example.com"}, timeout=10)
        assert made.status_code == 201, made.text
        assert hook.arrived.wait(10), "no delivery reached the app webhook"
        body, signature = hook.received[0]
        assert b'"type":"ContactCreate"' in body and b'"locationId":"loc_sandbox"' in body
        assert signature_is_valid(body, signature, SANDBOX_PUBLIC_KEY_PEM)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()

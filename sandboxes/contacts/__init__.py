"""A faithful local fake of HighLevel's Contacts API (v2) with its OAuth 2.0 authorization server.

See README.md in this folder for what is modelled and what is not.
"""

from __future__ import annotations

from sandboxes.contacts.app import ContactsSandbox, ContactsSettings, create_app
from sandboxes.contacts.signing import SIGNATURE_HEADER, verify_webhook_signature
from sandboxes.contacts.webhooks import WEBHOOK_EVENTS

__all__ = [
    "SIGNATURE_HEADER",
    "WEBHOOK_EVENTS",
    "ContactsSandbox",
    "ContactsSettings",
    "create_app",
    "verify_webhook_signature",
]

"""The Contacts app's home: its assembly (``app.py``) and what its operations share.

Fields and samples (``contact_fields``, ``task_fields``), the API helpers (``api``, ``contact_tags``),
what the triggers share (``trigger_support``: cursors, contact scans, the app-level webhook) with the
webhook signature check (``webhook_signature``), and the record type (``records``). The operations
themselves live one per module in ``triggers/contacts/``, ``actions/contacts/`` and
``searches/contacts/``. This module imports nothing, so an operation can import a helper from here
without loading the assembly (which imports every operation).
"""

"""The Okta app's home: its assembly (``app.py``) and what its operations share.

Fields and samples (``user_fields``, ``event_fields``), API helpers (``paging``, ``user_lookup``,
``group_lookup``, ``group_membership``, ``user_lifecycle``), the System Log and event hook plumbing
of the triggers (``system_log``, ``event_polling``, ``event_hooks``) and the record type
(``records``). The operations themselves live one per module in ``triggers/okta/``,
``actions/okta/`` and ``searches/okta/``. This module imports nothing, so an operation can import
a helper from here without loading the assembly (which imports every operation).
"""

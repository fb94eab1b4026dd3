"""The Personio app's home: its assembly (``app.py``) and what its operations share.

Fields and samples (``employee_fields``), the API helpers (``api``), how the poll triggers read
employees (``polling``) and the record type (``records``). The operations themselves live one per
module in ``triggers/personio/``, ``actions/personio/`` and ``searches/personio/``. This module
imports nothing, so an operation can import a helper from here without loading the assembly (which
imports every operation).
"""

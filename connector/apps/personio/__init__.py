"""The Personio app's home: its assembly (``app.py``) and what its operations share.

Fields and samples (``employee_fields``), the API helpers (``api``), how the poll triggers read
employees (``polling``), the record type (``records``) and the attendance and time-off paths, paging
and flat shapes (``time_tracking``). The operations themselves live one per
module in ``triggers/personio/``, ``actions/personio/`` and ``searches/personio/``. This module
imports nothing, so an operation can import a helper from here without loading the assembly (which
imports every operation).
"""

"""The apps this product ships, one package (home) each.

``connector/apps/<app>/app.py`` assembles the ``APP`` (the ``connector.apps`` entry point) from the
operations in ``triggers/<app>/``, ``actions/<app>/`` and ``searches/<app>/`` and the connection
spec in ``auth/<app>.py``; the rest of ``connector/apps/<app>/`` is what those operations share
(fields, samples, API helpers, record types), so triggers never import actions nor the reverse.
"""

"""Personio searches: one module per search, assembled in connector/apps/personio/app.py."""

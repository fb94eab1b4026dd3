"""Personio poll triggers, assembled in connector/apps/personio/app.py."""

"""Personio poll triggers, assembled in connector/apps/personio.py."""

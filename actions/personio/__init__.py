"""Personio actions and searches: one module per operation, assembled in connector/apps/personio.py."""

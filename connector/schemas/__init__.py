"""Versioned JSON Schemas that ship with the kit (data files; see README.md in this folder)."""

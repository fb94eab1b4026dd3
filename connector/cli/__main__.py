"""``python -m connector.cli``: the ``connector`` command without relying on the installed script."""

from __future__ import annotations

from connector.cli import main

if __name__ == "__main__":
    main(prog_name="connector")

"""``station`` subcommands for the the touchscreen kiosk: kiosk (issue 6)."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add this module's commands to the ``station`` group."""

"""``station`` subcommands for the central sync: sync, status (issue 4)."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add this module's commands to the ``station`` group."""

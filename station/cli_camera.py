"""``station`` subcommands for the camera (issue 5): camera list/test, photo, verify --camera."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add this module's commands to the ``station`` group."""

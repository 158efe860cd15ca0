"""``station`` subcommands for the card lifecycle (issue 3).

Cycles and holograms, loss and replacement, declines and requests, supplies, routing,
deliveries to schools and reports.
"""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add this module's commands to the ``station`` group."""

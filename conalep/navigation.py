"""The menu: each wing lists its pages with the action that shows them; a person sees only
the entries their role allows (:mod:`conalep.roles`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    """Matches the ``nav`` a page passes to the layout (highlights the entry)."""
    href: str
    label: str
    action: str
    """The :data:`conalep.roles.PERMISSIONS` action needed to see it."""
    description: str = ""


NAV: list[NavItem] = []
"""Every wing appends its entries (in menu order) when its pages module is imported."""


def nav_items(user: Any) -> list[NavItem]:
    return [item for item in NAV if user is not None and user.may(item.action)]

"""Where folio blocks come from. Today a local source; central hands out blocks later (issue 4).

The seam is :class:`FolioSource`: anything that, given the blocks a station already holds,
returns a new (first, last) range.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from station.core.folios import FolioBlock


class FolioSource(Protocol):
    name: str

    def next_block(self, held: Sequence[FolioBlock], at_least: int) -> tuple[int, int]: ...


class LocalFolioSource:
    """Blocks numbered right after the highest block the station holds (standalone stations)."""

    name = "local"

    def __init__(self, block_size: int) -> None:
        self.block_size = block_size

    def next_block(self, held: Sequence[FolioBlock], at_least: int) -> tuple[int, int]:
        first = max((b.last for b in held), default=0) + 1
        return first, first + max(self.block_size, at_least) - 1

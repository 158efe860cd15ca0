"""Where folio blocks come from: the station itself (standalone) or central (enrolled).

The seam is :class:`FolioSource`: anything that, given the blocks a station already holds,
returns a new (first, last) range. An enrolled station never makes its own folios: its blocks
arrive with the sync (``station/sync/engine.py``), ahead of need, so issuing never waits on
the network; when they run out it says so in words.

>>> folio_source_for({"sync.central_url": "", "folios.local_block_size": 100}).name
'local'
>>> folio_source_for({"sync.central_url": "https://central", "folios.local_block_size": 1}).name
'central'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from gettext import ngettext
from typing import Any, Protocol

from station.core.errors import FolioExhausted
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


class CentralFolioSource:
    """Blocks come from central by sync; at issuing time there is nothing more to get."""

    name = "central"

    def next_block(self, held: Sequence[FolioBlock], at_least: int) -> tuple[int, int]:
        sheets = at_least // 8 + (1 if at_least % 8 else 0)
        raise FolioExhausted(
            f"A la estación le faltan {at_least} folios ("
            + ngettext("{n} planilla", "{n} planillas", sheets).format(n=sheets) + ") para este "
            "trabajo: ya usó los bloques de folios que le dio la oficina central.",
            way_out="Conecte la estación a internet y use «Sincronizar ahora» (Ajustes > "
                    "Sincronización) para recibir un bloque nuevo, o imprima menos alumnos "
                    "por ahora.",
            command="station sync")


def folio_source_for(settings: Mapping[str, Any]) -> FolioSource:
    """Central's blocks when the station is enrolled (``sync.central_url`` set), else local."""
    if settings.get("sync.central_url"):
        return CentralFolioSource()
    return LocalFolioSource(int(settings["folios.local_block_size"]))

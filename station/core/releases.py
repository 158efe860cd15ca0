"""Release rules for the station fleet: versions, rollout cohorts, maintenance windows.

Pure functions shared by the station (``station.update``) and central (``central.crud.releases``):
no I/O, no clock (callers pass ``now``), no cryptography. Versions and the signed manifest are
in :mod:`foundation.releases.manifest`.

>>> in_window(parse_window("22:00-05:00"), time(23, 30)), in_window(parse_window("22:00-05:00"), time(12, 0))
(True, False)
>>> 0 <= cohort("EST-00001") < 100
True
"""  # noqa: E501

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from foundation.errors import InputError
from foundation.releases.manifest import Manifest, is_newer, is_version, version_key

_WINDOW = re.compile(r"^([0-2][0-9]):([0-5][0-9])-([0-2][0-9]):([0-5][0-9])$")
RELEASE_STAGES = ("offered", "downloaded", "installed", "failed", "rolled_back")
"""What a station reports about a release, in the order they usually happen."""
ROLLOUT_STATES = ("paused", "active", "halted")


def cohort(station_id: str) -> int:
    """The station's rollout cohort, 0–99, stable for the life of the station id.

    A rollout at ``p`` percent offers the release to cohorts below ``p``: raising the
    percentage only adds stations, and the first 5 % are always the same stations (the state
    office learns which schools are its early adopters).
    """
    digest = hashlib.sha256(f"sc-cohort-1:{station_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100


@dataclass(frozen=True, slots=True)
class Targets:
    """Who gets a release first: named stations and DRSEs, then a percentage of the rest."""

    percent: int = 0
    drse: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()

    def includes(self, station_id: str, station_drse: str | None) -> bool:
        """Named station, named DRSE (any case), or cohort below the percentage.

        >>> Targets(0, ("ALTOS SUR",)).includes("EST-1", "altos sur")
        True
        """
        if station_id in self.stations:
            return True
        if station_drse and station_drse.casefold() in {d.casefold() for d in self.drse}:
            return True
        return cohort(station_id) < self.percent

    def to_json(self) -> dict[str, Any]:
        return {"percent": self.percent, "drse": list(self.drse), "stations": list(self.stations)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Targets:
        percent = int(data.get("percent", 0))
        if not 0 <= percent <= 100:
            raise InputError(f"El porcentaje de estaciones debe estar entre 0 y 100, no {percent}.")
        return cls(percent, tuple(data.get("drse", ())), tuple(data.get("stations", ())))


def parse_window(text: str) -> tuple[time, time] | None:
    """``"22:00-05:00"`` → (start, end); empty text means "any time" (None).

    >>> parse_window("")
    """
    text = (text or "").strip()
    if not text:
        return None
    match = _WINDOW.match(text)
    if not match or int(match[1]) > 23 or int(match[3]) > 23:
        raise InputError(f"La ventana de mantenimiento «{text}» no es válida.",
                         way_out="Escríbala como HH:MM-HH:MM, por ejemplo 22:00-05:00.")
    return time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))


def in_window(window: tuple[time, time] | None, now: time) -> bool:
    """Whether ``now`` falls in the window; a window may wrap past midnight."""
    if window is None:
        return True
    start, end = window
    if start == end:
        return True
    if start < end:
        return start <= now < end
    return now >= start or now < end


def printing_in_progress(sent_sheets_at: Iterable[datetime], now: datetime,
                         *, recent: timedelta = timedelta(hours=2)) -> int:
    """How many sheets went to the printer recently and are not confirmed yet.

    A sheet stays ``sent`` until the operator confirms the paper; an old unconfirmed sheet is
    forgotten paperwork, not a print in progress, so only ``recent`` ones hold an update back.

    >>> now = datetime(2026, 9, 1, 23, 0)
    >>> printing_in_progress([now - timedelta(minutes=5), now - timedelta(days=3)], now)
    1
    """
    return sum(1 for at in sent_sheets_at if now - at < recent)


def slots_to_remove(slots: Sequence[str], *, current: str | None, previous: str | None,
                    keep: int = 2) -> list[str]:
    """Release slots to delete: keep the current one, the previous one, up to ``keep`` in all.

    >>> slots_to_remove(["0.1.0", "0.2.0", "0.3.0"], current="0.3.0", previous="0.2.0")
    ['0.1.0']
    """
    keepers = [v for v in (current, previous) if v][:keep]
    others = sorted((s for s in slots if s not in keepers and is_version(s)),
                    key=version_key, reverse=True)
    room = max(0, keep - len(keepers))
    return sorted(others[room:], key=version_key)


def upgrade_refusal(manifest: Manifest, installed: str) -> str | None:
    """Why this station must not install the release (Spanish), or None.

    >>> m = Manifest("0.3.0", "0.2.0", "2026-09-01", "wheels/a.whl", (), ())
    >>> upgrade_refusal(m, "0.3.0")
    'la versión 0.3.0 no es más nueva que la instalada (0.3.0): no se regresa a una versión anterior'
    >>> upgrade_refusal(m, "0.1.0")
    'la versión 0.3.0 solo se instala sobre la 0.2.0 o posterior; esta estación tiene la 0.1.0'
    """  # noqa: E501
    if not is_newer(manifest.version, installed):
        return (f"la versión {manifest.version} no es más nueva que la instalada ({installed}): "
                "no se regresa a una versión anterior")
    if version_key(installed) < version_key(manifest.min_upgrade_from):
        return (f"la versión {manifest.version} solo se instala sobre la "
                f"{manifest.min_upgrade_from} o posterior; esta estación tiene la {installed}")
    return None

"""Dates as the people at the station write them: ``15/09/2026`` or ``2026-09-15``.

Every record of the card lifecycle (a loss, a receipt, a decline, a request) carries the date
the person gave, not the moment the operator typed it; these helpers read and show it.

>>> parse_day("15/09/2026", what="la fecha del recibo", today=date(2026, 9, 20))
datetime.date(2026, 9, 15)
>>> show_day(date(2026, 9, 15))
'15/09/2026'
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from foundation.errors import InputError

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_day(text: str | None, *, what: str, today: date, allow_future: bool = False) -> date:
    """The date in ``text`` (``DD/MM/AAAA`` or ``AAAA-MM-DD``); empty means ``today``.

    ``what`` names the field in the message, e.g. ``"la fecha del recibo"``. A date after
    ``today`` is refused unless ``allow_future``: nobody reports a loss that has not happened.

    >>> parse_day("", what="x", today=date(2026, 1, 2))
    datetime.date(2026, 1, 2)
    """
    raw = (text or "").strip()
    if not raw:
        return today
    found = _DMY.match(raw)
    parts = (found.group(3), found.group(2), found.group(1)) if found else None
    if parts is None and (iso := _ISO.match(raw)):
        parts = (iso.group(1), iso.group(2), iso.group(3))
    try:
        if parts is None:
            raise ValueError(raw)
        day = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise InputError(f"No se entiende {what}: «{raw}».",
                         way_out="Escríbala como día/mes/año, por ejemplo 15/09/2026.") from None
    if day > today and not allow_future:
        raise InputError(f"{what[:1].upper()}{what[1:]} ({show_day(day)}) es posterior a hoy "
                         f"({show_day(today)}).", way_out="Revise la fecha.")
    return day


def show_day(day: date | str) -> str:
    """``DD/MM/AAAA``, the way dates are written in Mexico; accepts an ISO text too."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return f"{day:%d/%m/%Y}"


def stepped(day: date, part: str, delta: int, *, earliest: date, latest: date) -> date:
    """``day`` moved by ``delta`` days, months or years (``part``), kept within the bounds.

    >>> stepped(date(2026, 3, 31), "month", +1, earliest=date(2020, 1, 1),
    ...         latest=date(2030, 1, 1))
    datetime.date(2026, 4, 30)
    >>> stepped(date(2026, 1, 15), "month", -1, earliest=date(2020, 1, 1),
    ...         latest=date(2030, 1, 1))
    datetime.date(2025, 12, 15)
    >>> stepped(date(2026, 12, 2), "day", +1, earliest=date(2020, 1, 1),
    ...         latest=date(2026, 12, 2))
    datetime.date(2026, 12, 2)
    """
    year, month, dom = day.year, day.month, day.day
    if part == "day":
        moved = date.fromordinal(day.toordinal() + delta)
    else:
        if part == "month":
            index = year * 12 + (month - 1) + delta
            year, month = divmod(index, 12)
            month += 1
        elif part == "year":
            year += delta
        else:
            raise ValueError(part)
        moved = date(year, month, min(dom, calendar.monthrange(year, month)[1]))
    return max(earliest, min(latest, moved))

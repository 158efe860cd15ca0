"""Sizes from the physical screen, and the palette.

Touch targets must be at least 9 mm on the glass, and text readable at arm's length, on the
official 7" Raspberry Pi display (800×480) as on a 10" panel (1280×800). Pixel sizes are
therefore computed from the screen's pixel density: from its diagonal in inches when known
(the setting, or the usual panel for the resolution), else from the dpi the
window system reports. The station's setting ``kiosk.screen_inches`` names the diagonal of a
screen that is not a usual panel (``STATION_SCREEN_INCHES`` overrides it, for trying sizes).

>>> t = make_theme(800, 480)
>>> round(t.dpi), t.touch >= mm_to_px(9, t.dpi)
(133, True)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

MIN_TOUCH_MM = 9.0
"""Smallest touch target (ISO 9241-9 and most touch guidelines)."""

KNOWN_PANELS_IN = {(800, 480): 7.0, (1024, 600): 7.0, (1280, 800): 10.1, (1280, 720): 10.1,
                   (1920, 1080): 15.6, (1366, 768): 14.0}  # fmt: skip
"""Usual diagonal (inches) of the screens a station ships with, by resolution."""

Color = tuple[float, float, float, float]


def _rgb(hex_color: str, alpha: float = 1.0) -> Color:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


class Palette:
    """A calm public-service palette; every status colour also comes with an icon and a word."""

    background: Color = _rgb("#F3F5F8")
    surface: Color = _rgb("#FFFFFF")
    border: Color = _rgb("#D5DCE4")
    text: Color = _rgb("#1F2933")
    muted: Color = _rgb("#52606D")
    primary: Color = _rgb("#1F4E79")
    primary_pressed: Color = _rgb("#163A5B")
    on_primary: Color = _rgb("#FFFFFF")
    bar: Color = _rgb("#173D5F")
    selected: Color = _rgb("#E3EDF7")
    ok: Color = _rgb("#1E7B34")
    ok_soft: Color = _rgb("#E4F3E8")
    warn: Color = _rgb("#8A5300")
    warn_soft: Color = _rgb("#FFF3D6")
    bad: Color = _rgb("#B42318")
    bad_soft: Color = _rgb("#FDE8E6")
    info: Color = _rgb("#1F4E79")
    info_soft: Color = _rgb("#E6EFF8")
    neutral_soft: Color = _rgb("#EDF1F5")
    disabled: Color = _rgb("#A9B4BF")
    disabled_text: Color = _rgb("#6B7785")
    scrim: Color = _rgb("#0B1620", 0.55)

    def tone(self, kind: str) -> tuple[Color, Color]:
        """(strong, soft) colours of a status kind: ok, warn, bad, info, neutral."""
        return {
            "ok": (self.ok, self.ok_soft),
            "warn": (self.warn, self.warn_soft),
            "bad": (self.bad, self.bad_soft),
            "info": (self.info, self.info_soft),
        }.get(kind, (self.muted, self.neutral_soft))


def mm_to_px(mm: float, dpi: float) -> float:
    """Millimetres on the glass to pixels.

    >>> round(mm_to_px(25.4, 96))
    96
    """
    return mm / 25.4 * dpi


DEFAULT_INCHES = 7.0
"""The default of the ``kiosk.screen_inches`` setting: "the usual panel for the resolution"."""


def screen_dpi(width: int, height: int, reported_dpi: float | None = None,
               inches: float | None = None) -> float:
    """Pixel density, from the first that is known: ``STATION_SCREEN_INCHES``, the setting
    ``kiosk.screen_inches`` (``inches``) when changed from its default, the usual panel for
    the resolution, the dpi the display reports.

    >>> round(screen_dpi(1280, 800, inches=15.6)), round(screen_dpi(1280, 800, inches=7.0))
    (97, 149)
    """
    override = os.environ.get("STATION_SCREEN_INCHES")
    if override:
        diagonal: float | None = float(override)
    elif inches and inches != DEFAULT_INCHES:
        diagonal = inches
    else:
        diagonal = KNOWN_PANELS_IN.get((width, height))
    if diagonal:
        return math.hypot(width, height) / diagonal
    return float(reported_dpi or 96.0)


@dataclass(frozen=True, slots=True)
class Theme:
    """Pixel sizes for one screen. ``touch`` is the minimum side of anything tappable."""

    width: int
    height: int
    dpi: float
    touch: int
    gap: int
    pad: int
    radius: int
    font_small: int
    font_body: int
    font_large: int
    font_title: int
    font_huge: int
    bar_height: int
    palette: Palette

    @property
    def compact(self) -> bool:
        """True on short screens such as 800×480, where layouts drop secondary text."""
        return self.height < 600


def make_theme(width: int, height: int, reported_dpi: float | None = None,
               inches: float | None = None) -> Theme:
    """The sizes for a ``width``×``height`` screen (``inches``: see :func:`screen_dpi`).

    >>> make_theme(1280, 800).touch > make_theme(800, 480).touch
    True
    """
    dpi = screen_dpi(width, height, reported_dpi, inches)

    def px(mm: float) -> int:
        return round(mm_to_px(mm, dpi))

    # A short screen cannot afford generous bars; never go below the 9 mm target.
    touch = max(px(MIN_TOUCH_MM), min(px(11.0), height // 8))
    return Theme(
        width=width, height=height, dpi=dpi, touch=touch, gap=px(1.6), pad=px(2.4),
        radius=px(1.4), font_small=max(14, px(2.9)), font_body=max(17, px(3.5)),
        font_large=max(20, px(4.3)), font_title=max(22, px(5.0)), font_huge=max(34, px(9.0)),
        bar_height=touch + px(1.5), palette=Palette(),
    )

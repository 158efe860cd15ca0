"""The progress chart as server-rendered SVG: one stacked bar per DRSE or school — with card
(green), declined (grey), pending (amber) — as shares of the enrolled students, with the
percentage with card written at the end of each bar. No script, no canvas: it prints and it
reads the same in any browser.

>>> from central.crud.progress import Figures, Row
>>> svg = progress_svg([Row("A", "Altos", Figures(enrolled=10, with_card=6, declined=1))],
...                    title="Avance")
>>> svg.count("<rect"), "60%" in svg, svg.startswith("<svg")
(6, True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from central.crud.progress import Row

_LABEL_W, _BAR_W, _ROW_H, _TOP = 300, 520, 22, 48
_COLORS = (("Con credencial", "#2e7d32"), ("Rechazaron", "#9e9e9e"), ("Pendientes", "#f9a825"))


def progress_svg(rows: Sequence[Row], *, title: str) -> str:
    """An SVG document (text) of ``rows``; each bar is the whole of that row's enrolled."""
    height = _TOP + _ROW_H * len(rows) + 10
    width = _LABEL_W + _BAR_W + 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" '
             f'font-size="12"><title>{escape(title)}</title>']
    x = _LABEL_W
    for label, color in _COLORS:  # the legend
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{color}"/>'
                     f'<text x="{x + 16}" y="19">{label}</text>')
        x += 130
    for i, row in enumerate(rows):
        y = _TOP + i * _ROW_H
        f = row.figures
        parts.append(f'<text x="{_LABEL_W - 6}" y="{y + 14}" text-anchor="end">'
                     f'{escape(row.label[:45])}</text>')
        x0 = float(_LABEL_W)
        for value, (label, color) in zip((f.with_card, f.declined, f.pending), _COLORS,
                                         strict=True):
            w = _BAR_W * value / f.enrolled if f.enrolled else 0.0
            if w > 0:
                parts.append(f'<rect class="barra" x="{x0:.1f}" y="{y + 3}" width="{w:.1f}" '
                             f'height="{_ROW_H - 6}" fill="{color}"><title>{escape(row.label)}'
                             f': {label.lower()} {value}</title></rect>')
            x0 += w
        parts.append(f'<text x="{_LABEL_W + _BAR_W + 6}" y="{y + 14}">{f.percent:.0f}%</text>')
    parts.append("</svg>")
    return "".join(parts)

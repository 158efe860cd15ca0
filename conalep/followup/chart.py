"""The terminal-efficiency chart, drawn once with reportlab's chart library and rendered
server-side: as SVG for the page and straight into the Junta Directiva PDF.

A grouped bar chart that stays readable from one plantel to the whole state: the groups on
the x axis are the carreras when the rows hold one plantel, else the planteles (their
totals: counts summed, never percentages averaged); the bars of a group are the last
:data:`GENERATIONS_SHOWN` concluded generaciones. Bars carry their percent when there are
few enough to read.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from conalep.followup.efficiency import Efficiency, concluded, totals

PALETTE = ("#1b5e20", "#1565c0", "#ef6c00", "#6a1b9a")
GENERATIONS_SHOWN = 3
LABELLED_BARS = 24
"""Up to this many bars, each shows its percent."""
MAX_WIDTH = 1280.0


def _groups(done: Sequence[Efficiency]) -> tuple[str, dict[tuple[str, str], Efficiency]]:
    """What the x axis shows, and (group, generación) → the figures of that bar."""
    if len({r.clave_plantel for r in done}) == 1:
        return "carrera", {(r.clave_carrera, r.generacion): r for r in done}
    return "plantel", {(t.clave_plantel, t.generacion): t
                       for t in totals(done, by_plantel=True)}


def efficiency_chart(rows: Sequence[Efficiency], *, width: float = 560,
                     height: float = 300, font: str = "Helvetica") -> Drawing:
    """The concluded generaciones' eficiencia (percent, 0–100) as grouped bars."""
    done = concluded(rows)
    axis, bars = _groups(done)
    groups = sorted({g for g, _ in bars})
    generations = sorted({gen for _, gen in bars})[-GENERATIONS_SHOWN:]
    width = min(max(width, 150 + len(groups) * (len(generations) * 12 + 14)), MAX_WIDTH)
    drawing = Drawing(width, height)
    drawing.add(String(width / 2, height - 16, f"Eficiencia terminal por {axis} y generación "
                       "(%)", fontName=font, fontSize=11, textAnchor="middle"))
    if not done:
        drawing.add(String(width / 2, height / 2, "Sin generaciones concluidas",
                           fontName=font, fontSize=10, textAnchor="middle"))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 48
    chart.width, chart.height = width - 150, height - 90
    chart.data = [tuple(float(bars[(g, gen)].eficiencia or 0) if (g, gen) in bars else 0.0
                        for g in groups) for gen in generations]
    chart.categoryAxis.categoryNames = groups
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8 if len(groups) <= 12 else 6
    chart.categoryAxis.labels.angle = 0 if len(groups) <= 12 else 90
    chart.categoryAxis.labels.boxAnchor = "n" if len(groups) <= 12 else "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    if len(groups) * len(generations) <= LABELLED_BARS:
        chart.barLabelFormat = "%.2f"
        chart.barLabels.fontName = font
        chart.barLabels.fontSize = 7
        chart.barLabels.nudge = 6
    chart.groupSpacing = 8
    for i in range(len(generations)):
        chart.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 100, height - 40
    legend.fontName, legend.fontSize = font, 8
    legend.alignment = "right"
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i % len(PALETTE)]), f"Gen. {gen}")
                             for i, gen in enumerate(generations)]
    drawing.add(legend)
    return drawing


def chart_svg(rows: Sequence[Efficiency]) -> str:
    """The chart as a standalone SVG document (served as ``image/svg+xml``)."""
    return renderSVG.drawToString(efficiency_chart(rows))

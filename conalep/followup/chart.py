"""The terminal-efficiency chart, drawn once with reportlab's chart library and rendered
server-side: as SVG for the page and straight into the Junta Directiva PDF.

Bars grouped by generación (x), one series per plantel and carrera, each bar labelled with
its percent so the chart reads without the table.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from conalep.followup.efficiency import Efficiency, concluded

PALETTE = ("#1b5e20", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#5d4037")


def efficiency_chart(rows: Sequence[Efficiency], *, width: float = 560,
                     height: float = 300, font: str = "Helvetica") -> Drawing:
    """A bar chart of the concluded generaciones' eficiencia (percent, 0–100)."""
    done = concluded(rows)
    generations = sorted({r.generacion for r in done})
    series = sorted({(r.clave_plantel, r.clave_carrera) for r in done})
    by_key = {(r.clave_plantel, r.clave_carrera, r.generacion): r for r in done}
    drawing = Drawing(width, height)
    drawing.add(String(width / 2, height - 16, "Eficiencia terminal por generación (%)",
                       fontName=font, fontSize=11, textAnchor="middle"))
    if not done:
        drawing.add(String(width / 2, height / 2, "Sin generaciones concluidas",
                           fontName=font, fontSize=10, textAnchor="middle"))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y = 48, 48
    chart.width, chart.height = width - 220, height - 90
    chart.data = [tuple(float(by_key[(p, c, g)].eficiencia or 0) if (p, c, g) in by_key
                        else 0.0 for g in generations) for p, c in series]
    chart.categoryAxis.categoryNames = generations
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.barLabelFormat = "%.2f"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    chart.groupSpacing = 10
    for i in range(len(series)):
        chart.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 160, height - 40
    legend.fontName, legend.fontSize = font, 8
    legend.alignment = "right"
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i % len(PALETTE)]), f"{p} {c}")
                             for i, (p, c) in enumerate(series)]
    drawing.add(legend)
    return drawing


def chart_svg(rows: Sequence[Efficiency]) -> str:
    """The chart as a standalone SVG document (served as ``image/svg+xml``)."""
    return renderSVG.drawToString(efficiency_chart(rows))

"""The PDF of an ARCO «acceso» answer: for the student or their parent, in Spanish, every
table's rows as the JSON has them (long values cut, the JSON carries them whole)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

CUT = 240
"""Characters of one value shown in the PDF (a certificate's signed document is long)."""

WIDE_VIEWS: dict[str, tuple[str, ...]] = {
    "calificaciones": ("periodo", "corte", "clave_modulo", "calificacion", "fecha_captura",
                       "late"),
    "privacy_access": ("at", "staff", "role", "what"),
}
"""Tables with many rows shown as one line per row (the JSON has every column)."""


def _esc(value: Any) -> str:
    text = "" if value is None else str(value)
    if isinstance(value, bool):
        text = "sí" if value else "no"
    if len(text) > CUT:
        text = text[:CUT] + " … (completo en el archivo JSON)"
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(data: list[list[Any]], widths: list[float] | None = None) -> Table:
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#ECEBE6")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def export_pdf(document: dict[str, Any], *, responsable: str) -> bytes:
    """The export (:func:`conalep.privacy.export.export`) as a PDF for the family."""
    out = BytesIO()
    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    doc = SimpleDocTemplate(out, pagesize=letter, leftMargin=1.6 * cm, rightMargin=1.6 * cm,
                            topMargin=1.5 * cm, bottomMargin=1.5 * cm,
                            title=f"Datos personales — matrícula {document['matricula']}")
    story: list[Any] = [
        Paragraph("Datos personales en posesión de CONALEP Veracruz", styles["Title"]),
        Paragraph(_esc(f"Respuesta a una solicitud de acceso (derechos ARCO) · matrícula "
                       f"{document['matricula']} · generado {document['generado_en'][:16]}"
                       f" · responsable: {responsable}"), styles["Normal"]),
        Spacer(1, 0.3 * cm),
        Paragraph("Este documento contiene todos los datos que el sistema de seguimiento "
                  "académico y certificados guarda sobre la persona estudiante, tabla por "
                  "tabla. Los nombres de los campos son los de la base de datos; el archivo "
                  "JSON que lo acompaña tiene los mismos datos completos. Para rectificar, "
                  "cancelar u oponerse a algún tratamiento, acuda a la Unidad de "
                  "Transparencia indicada en el aviso de privacidad.", styles["BodyText"]),
    ]
    labels = document["tablas"]
    for part, title in (("datos", "Datos de la persona estudiante"),
                        ("contexto", "Datos relacionados (catálogos y grupos)")):
        story += [Spacer(1, 0.4 * cm), Paragraph(title, styles["Heading1"])]
        for name, rows in document[part].items():
            story.append(Paragraph(_esc(f"{labels.get(name, name)} ({len(rows)})"),
                                   styles["Heading3"]))
            if not rows:
                story.append(Paragraph("Sin datos.", cell))
                continue
            wide = WIDE_VIEWS.get(name)
            if wide:
                data = [[Paragraph(f"<b>{c}</b>", cell) for c in wide]]
                data += [[Paragraph(_esc(r.get(c)), cell) for c in wide] for r in rows]
                story.append(_table(data))
                continue
            for row in rows:
                data = [[Paragraph("<b>Campo</b>", cell), Paragraph("<b>Valor</b>", cell)]]
                data += [[Paragraph(_esc(k), cell), Paragraph(_esc(v), cell)]
                         for k, v in row.items()]
                story += [_table(data, [5 * cm, 12.5 * cm]), Spacer(1, 0.2 * cm)]
    if document.get("archivos"):
        story += [Spacer(1, 0.4 * cm), Paragraph("Archivos", styles["Heading1"])]
        for f in document["archivos"]:
            story.append(Paragraph(_esc(f"{f['descripcion']} · {f['archivo']} · "
                                        f"{'guardado' if f['presente'] else 'ya suprimido'}"),
                                   cell))
    doc.build(story)
    return out.getvalue()

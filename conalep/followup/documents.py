"""The wing's documents: formats F04 (bajas) and F05 (asesorías) of procedure 30-524-PO-04,
the minutes of a review meeting and the quarterly report for the H. Junta Directiva.

Builders take plain rows (no database) and return the file's bytes, so pages, commands and
tests share one layout. PDFs use reportlab's built-in Helvetica (WinAnsi covers Spanish
accents and Ñ); the F05 workbook is made by the page with :mod:`foundation.web.downloads`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

PROCEDURE = "Procedimiento 30-524-PO-04 «Seguimiento Académico de Alumnos»"
INSTITUTION = "Colegio de Educación Profesional Técnica del Estado de Veracruz (CONALEP)"

_P = ParagraphStyle("p", fontName="Helvetica", fontSize=9, leading=12)
_CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=10)
_HEAD = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=8, leading=10)
_H = ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=10.5, leading=14,
                    spaceBefore=4 * mm, spaceAfter=1.5 * mm)
_TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=13, leading=17,
                        alignment=1, spaceAfter=1 * mm)
_SUB = ParagraphStyle("sub", fontName="Helvetica", fontSize=8.5, leading=11, alignment=1,
                      spaceAfter=3 * mm)


def _esc(value: object) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and a table (or, with no columns, paragraphs)."""

    heading: str
    columns: Sequence[str] = ()
    rows: Sequence[Sequence[object]] = ()
    paragraphs: Sequence[str] = ()
    widths: Sequence[float] = ()
    empty: str = "(ninguno)"


@dataclass(frozen=True, slots=True)
class Pdf:
    title: str
    code: str
    fields: Sequence[tuple[str, str]]
    sections: Sequence[Section | Drawing] = ()
    signatures: Sequence[str] = ()
    wide: bool = False
    footer: str = field(default=PROCEDURE)


def _section(s: Section, width: float) -> list[object]:
    flow: list[object] = [Paragraph(_esc(s.heading), _H)]
    flow += [Paragraph(_esc(p).replace("\n", "<br/>"), _P) for p in s.paragraphs]
    if not s.columns:
        return flow
    if not s.rows:
        return [*flow, Paragraph(_esc(s.empty), _P)]
    rel = list(s.widths) or [1.0] * len(s.columns)
    widths = [width * w / sum(rel) for w in rel]
    data = [[Paragraph(_esc(c), _HEAD) for c in s.columns]]
    data += [[Paragraph(_esc(c).replace("\n", "<br/>"), _CELL) for c in row] for row in s.rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE8DD")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [*flow, table]


def render_pdf(doc: Pdf) -> bytes:
    out = io.BytesIO()
    size = landscape(letter) if doc.wide else letter
    template = SimpleDocTemplate(out, pagesize=size, leftMargin=16 * mm, rightMargin=16 * mm,
                                 topMargin=14 * mm, bottomMargin=16 * mm, title=doc.title,
                                 author="CONALEP Veracruz — Servicios Escolares")
    width = template.width
    flow: list[object] = [Paragraph(_esc(INSTITUTION), _SUB), Paragraph(_esc(doc.title), _TITLE),
                          Paragraph(_esc(doc.code), _SUB)]
    for label, value in doc.fields:
        flow.append(Paragraph(f"<b>{_esc(label)}:</b> {_esc(value)}", _P))
    for part in doc.sections:
        if isinstance(part, Drawing):
            if part.width > width:  # a state-wide chart is wider than the page: shrink it
                factor = width / part.width
                part.scale(factor, factor)
                part.width, part.height = width, part.height * factor
            flow += [Spacer(1, 3 * mm), part]
        else:
            flow += _section(part, width)
    if doc.signatures:
        cells = [[Spacer(1, 16 * mm) for _ in doc.signatures],
                 [Paragraph(_esc(s), ParagraphStyle("s", parent=_CELL, alignment=1))
                  for s in doc.signatures]]
        sign = Table(cells, colWidths=[width / len(doc.signatures)] * len(doc.signatures))
        sign.setStyle(TableStyle(
            [("LINEABOVE", (i, 1), (i, 1), 0.8, colors.black)
             for i in range(len(doc.signatures))]
            + [("LEFTPADDING", (0, 0), (-1, -1), 5 * mm),
               ("RIGHTPADDING", (0, 0), (-1, -1), 5 * mm)]))
        flow.append(KeepTogether([Spacer(1, 8 * mm), sign]))

    def footer(canvas: object, _doc: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont("Helvetica", 7)  # type: ignore[attr-defined]
        canvas.drawString(16 * mm, 9 * mm,  # type: ignore[attr-defined]
                          f"{doc.footer} · {doc.code} · Página "
                          f"{canvas.getPageNumber()}")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    template.build(flow, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def date_es(value: dt.date | None) -> str:
    """``dd/mm/aaaa`` as the office writes dates (empty for none).

    >>> date_es(dt.date(2025, 9, 3))
    '03/09/2025'
    """
    return value.strftime("%d/%m/%Y") if value else ""


# ---------------------------------------------------------------- F04: bajas

@dataclass(frozen=True, slots=True)
class DropoutRow:
    folio: int
    matricula: str
    nombre: str
    carrera: str
    semestre: str
    grupo: str
    fecha_baja: dt.date
    tipo: str
    motivo: str
    detalle: str
    tutor: str
    solicitud: str
    """How the tutor's request is attached, e.g. ``PDF, 1 página, SHA-256 ab12…``."""
    atencion: str = ""


F04_CODE = "30-524-PO-04-F04"


def f04_pdf(*, plantel: str, periodo: str, fecha: dt.date,
            rows: Sequence[DropoutRow]) -> bytes:
    """Formato de bajas: the plantel's bajas with reason and the tutor's written request."""
    sections: list[Section | Drawing] = [Section(
        "Bajas reportadas",
        ("Folio", "Matrícula", "Nombre", "Carrera / semestre / grupo", "Fecha de baja",
         "Tipo", "Motivo"),
        [(r.folio, r.matricula, r.nombre, f"{r.carrera} / {r.semestre} / {r.grupo}",
          date_es(r.fecha_baja), r.tipo, r.motivo + (f": {r.detalle}" if r.detalle else ""))
         for r in rows], widths=(0.6, 1.1, 2, 1.6, 1, 0.9, 2.2))]
    sections.append(Section(
        "Solicitud por escrito de la persona tutora",
        ("Folio", "Persona tutora", "Documento anexo", "Atención de Psicopedagogía"),
        [(r.folio, r.tutor, r.solicitud, r.atencion or "Pendiente") for r in rows],
        widths=(0.6, 2, 2.6, 3)))
    return render_pdf(Pdf(
        "Formato de bajas", F04_CODE,
        [("Plantel", plantel), ("Periodo", periodo), ("Fecha de elaboración", date_es(fecha)),
         ("Canalización", "Servicios Escolares de Dirección General → Psicopedagogía "
                          "(norma 15)")],
        sections, signatures=("Titular de Servicios Escolares del Plantel",
                              "Director(a) del Plantel"), wide=True))


# ---------------------------------------------------------------- F05: asesorías

@dataclass(frozen=True, slots=True)
class TutoringStudent:
    matricula: str
    nombre: str
    grupo: str
    motivo: str


@dataclass(frozen=True, slots=True)
class TutoringGroup:
    clave_modulo: str
    modulo: str
    asesor: str
    horario: str
    aula: str
    fecha_inicio: dt.date
    students: Sequence[TutoringStudent]


F05_CODE = "30-524-PO-04-F05"
F05_TITLE = "Formato para asignar alumnas(os) a asesorías complementarias semestrales"
F05_COLUMNS = ("Clave del módulo", "Módulo", "Asesor(a)", "Horario", "Aula", "Fecha de inicio",
               "No.", "Matrícula", "Nombre", "Grupo", "Motivo de la asignación")


def f05_rows(groups: Sequence[TutoringGroup]) -> list[tuple[object, ...]]:
    return [(g.clave_modulo, g.modulo, g.asesor, g.horario, g.aula, date_es(g.fecha_inicio),
             n, s.matricula, s.nombre, s.grupo, s.motivo)
            for g in groups for n, s in enumerate(g.students, start=1)]


def f05_pdf(*, plantel: str, periodo: str, fecha: dt.date,
            groups: Sequence[TutoringGroup]) -> bytes:
    sections: list[Section | Drawing] = []
    for g in groups:
        sections.append(Section(
            f"{g.clave_modulo} {g.modulo}",
            ("No.", "Matrícula", "Nombre", "Grupo", "Motivo de la asignación"),
            [(n, s.matricula, s.nombre, s.grupo, s.motivo)
             for n, s in enumerate(g.students, start=1)],
            paragraphs=(f"Asesor(a): {g.asesor} · Horario: {g.horario} · Aula: "
                        f"{g.aula or '—'} · Inicio: {date_es(g.fecha_inicio)}",),
            widths=(0.4, 1.1, 2.6, 0.9, 2.6)))
    if not groups:
        sections.append(Section("Asesorías", paragraphs=("(sin asesorías asignadas)",)))
    return render_pdf(Pdf(F05_TITLE, F05_CODE,
                          [("Plantel", plantel), ("Periodo", periodo),
                           ("Fecha de elaboración", date_es(fecha))],
                          sections, signatures=("Titular de Servicios Escolares del Plantel",
                                                "Titular de Formación Técnica del Plantel")))


# ---------------------------------------------------------------- review meeting minutes

@dataclass(frozen=True, slots=True)
class MinutesAgreement:
    numero: int
    texto: str
    responsable: str
    fecha_compromiso: dt.date | None
    alumnos: str


def minutes_pdf(*, plantel: str, periodo: str, numero: int, fecha: dt.date, hora: str,
                lugar: str, convoco: str, students: Sequence[tuple[str, str, str]],
                attendees: Sequence[tuple[str, str]],
                agreements: Sequence[MinutesAgreement]) -> bytes:
    """Minuta de la reunión de revisión de seguimiento académico (norm 12c)."""
    return render_pdf(Pdf(
        "Minuta de la reunión de revisión de seguimiento académico",
        f"{PROCEDURE}, norma 12 c", [
            ("Plantel", plantel), ("Periodo", periodo),
            ("Reunión", f"{numero} de 3 del semestre"),
            ("Fecha y hora", f"{date_es(fecha)} {hora}"), ("Lugar", lugar),
            ("Convocó", convoco)],
        [Section("Alumnas(os) en riesgo revisados", ("Matrícula", "Nombre", "Grupo"),
                 students, widths=(1.2, 3, 1)),
         Section("Asistentes", ("Nombre", "Cargo"), attendees, widths=(1, 1)),
         Section("Acuerdos", ("No.", "Acuerdo", "Responsable", "Fecha compromiso", "Alumnos"),
                 [(a.numero, a.texto, a.responsable, date_es(a.fecha_compromiso),
                   a.alumnos or "General") for a in agreements],
                 widths=(0.4, 3.4, 1.4, 1, 1.4))],
        signatures=tuple(name for name, _ in attendees[:4]) or ("Asistente",)))


# ---------------------------------------------------------------- Junta Directiva report

DEFINITIONS = (
    "Eficiencia terminal = alumnas(os) de la generación N que concluyeron su carrera "
    "(estatus EGRESADO) / alumnas(os) inscritos en primer semestre de la misma generación "
    "× 100. Medición anual, por generación, plantel y carrera.",
    "Inscritos en primer semestre: todas las personas de la generación en el SAE, "
    "cualquiera que sea su estatus actual (INSCRITO, BAJA o EGRESADO).",
    "Se calcula cuando la generación concluyó (tiene egresados o no le quedan inscritos); "
    "los totales suman conteos, no promedian porcentajes.",
)


def junta_pdf(*, trimestre: str, desde: dt.date, hasta: dt.date,
              efficiency: Sequence[tuple[object, ...]], totals: Sequence[tuple[object, ...]],
              chart: Drawing, bajas: Sequence[tuple[object, ...]],
              tutoring: Sequence[tuple[object, ...]],
              meetings: Sequence[tuple[object, ...]]) -> bytes:
    """Informe trimestral de Servicios Escolares para la H. Junta Directiva (norm 30)."""
    return render_pdf(Pdf(
        "Informe trimestral de seguimiento académico para la H. Junta Directiva",
        f"{PROCEDURE}, norma 30", [
            ("Trimestre", trimestre), ("Del", date_es(desde)), ("Al", date_es(hasta)),
            ("Elaboró", "Jefatura de Servicios Escolares de Dirección General")],
        [Section("Indicador: proporción de la eficiencia terminal", paragraphs=DEFINITIONS),
         Section("Eficiencia terminal por plantel, carrera y generación",
                 ("Plantel", "Carrera", "Generación", "Año de egreso", "Egresados",
                  "Inscritos en 1.er semestre", "Eficiencia (%)"), efficiency),
         Section("Totales por plantel y generación",
                 ("Plantel", "Generación", "Egresados", "Inscritos en 1.er semestre",
                  "Eficiencia (%)"), totals),
         chart,
         Section("Bajas reportadas en el trimestre (F04)",
                 ("Plantel", "Motivo", "Bajas", "Atendidas por Psicopedagogía"), bajas),
         Section("Asesorías complementarias iniciadas en el trimestre (F05)",
                 ("Plantel", "Módulos", "Alumnas(os) asignados"), tutoring),
         Section("Reuniones de revisión de seguimiento académico (norma 12 c)",
                 ("Plantel", "Periodo", "Convocadas", "Celebradas", "Acuerdos"), meetings)],
        signatures=("Titular de la Jefatura de Servicios Escolares",
                    "Titular de la Dirección General")))


def quarter(value: str) -> tuple[dt.date, dt.date]:
    """``2025-T4`` → first and last day of that quarter.

    >>> quarter("2025-T4")
    (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    """
    year, _, q = value.partition("-T")
    if not (year.isdigit() and len(year) == 4 and q in {"1", "2", "3", "4"}):
        raise ValueError(f"trimestre «{value[:12]}» no tiene la forma AAAA-T1 … AAAA-T4.")
    start = dt.date(int(year), 3 * int(q) - 2, 1)
    end = (dt.date(int(year) + 1, 1, 1) if q == "4"
           else dt.date(int(year), 3 * int(q) + 1, 1)) - dt.timedelta(days=1)
    return start, end

"""The quarterly report for the H. Junta Directiva (norm 30): terminal efficiency with its
chart, and the quarter's bajas, asesorías and review meetings, from the database."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from conalep.followup import records
from conalep.followup.chart import efficiency_chart
from conalep.followup.documents import junta_pdf, quarter
from conalep.followup.dropouts import ATENDIDA, MOTIVOS
from conalep.followup.efficiency import Efficiency, concluded, totals
from conalep.followup.meetings import CELEBRADA
from conalep.models.followup import Asesoria, Baja, Reunion
from conalep.roles import Scope


def efficiency_table(rows: list[Efficiency]) -> list[tuple[object, ...]]:
    return [(r.clave_plantel, r.clave_carrera, r.generacion, r.anio_egreso, r.egresados,
             r.inscritos_primer_semestre, f"{r.eficiencia:.2f}") for r in concluded(rows)]


def totals_table(rows: list[Efficiency]) -> list[tuple[object, ...]]:
    return [(t.clave_plantel if t.clave_plantel != "*" else "Estado", t.generacion,
             t.egresados, t.inscritos_primer_semestre, f"{t.eficiencia:.2f}")
            for t in [*totals(rows, by_plantel=True), *totals(rows, by_plantel=False)]]


def junta_report(session: Session, scope: Scope, trimestre: str) -> bytes:
    """The PDF for ``trimestre`` (``2025-T4``); ``ValueError`` names a malformed one."""
    desde, hasta = quarter(trimestre)
    rows = records.efficiency(session, scope)
    bajas = list(session.scalars(select(Baja).where(Baja.fecha_baja >= desde,
                                                    Baja.fecha_baja <= hasta)))
    by_reason = Counter((b.clave_plantel, b.motivo) for b in bajas)
    attended = Counter((b.clave_plantel, b.motivo) for b in bajas if b.estado == ATENDIDA)
    tutoring = list(session.scalars(select(Asesoria).where(Asesoria.fecha_inicio >= desde,
                                                           Asesoria.fecha_inicio <= hasta)))
    groups: dict[str, tuple[set[str], set[str]]] = {}
    for g in tutoring:
        mods, people = groups.setdefault(g.clave_plantel, (set(), set()))
        mods.add(g.clave_modulo)
        people.update(a.matricula for a in g.alumnos)
    meetings = list(session.scalars(select(Reunion).where(Reunion.fecha >= desde,
                                                          Reunion.fecha <= hasta)))
    per_meeting: dict[tuple[str, str], list[int]] = {}
    for r in meetings:
        n = per_meeting.setdefault((r.clave_plantel, r.periodo), [0, 0, 0])
        n[0] += 1
        n[1] += r.estado == CELEBRADA
        n[2] += len(r.acuerdos)
    return junta_pdf(
        trimestre=trimestre, desde=desde, hasta=hasta, efficiency=efficiency_table(rows),
        totals=totals_table(rows), chart=efficiency_chart(rows),
        bajas=[(p, MOTIVOS.get(m, m), n, attended[(p, m)])
               for (p, m), n in sorted(by_reason.items())],
        tutoring=[(p, len(mods), len(people)) for p, (mods, people) in sorted(groups.items())],
        meetings=[(p, per, *n) for (p, per), n in sorted(per_meeting.items())])

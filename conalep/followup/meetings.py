"""Review meetings (Reunión de revisión de seguimiento académico, norm 12c).

DG Servicios Escolares convenes three per semester per plantel, one after each corte, with
the at-risk students to review. After the meeting the minutes record who attended and the
agreements; an agreement may concern some of the reviewed students, and then it shows in
their follow-up history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from conalep.followup.validation import Checker, periodo_years

MEETINGS_PER_SEMESTER = 3
CONVOCADA, CELEBRADA = "CONVOCADA", "CELEBRADA"
NUMEROS = {str(n): f"{n}.ª reunión (corte {n})" for n in range(1, MEETINGS_PER_SEMESTER + 1)}


@dataclass(frozen=True, slots=True)
class MeetingInput:
    periodo: str
    numero: int
    clave_plantel: str
    fecha: dt.date
    hora: dt.time
    lugar: str
    matriculas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Attendee:
    nombre: str
    cargo: str


@dataclass(frozen=True, slots=True)
class AgreementInput:
    texto: str
    responsable: str
    fecha_compromiso: dt.date | None
    matriculas: tuple[str, ...]


def read_meeting(form: Mapping[str, str], *, taken: Sequence[int] = ()) -> MeetingInput:
    """A convocation. ``taken`` are the meeting numbers already convened for that periodo
    and plantel: a fourth meeting, or the same number twice, is refused. Its date falls in
    the periodo's school year."""
    c = Checker(form)
    periodo, first, last = periodo_years(c)
    numero = c.choice("numero", "Número de reunión", NUMEROS)
    if numero and int(numero) in taken:
        c.fail("Número de reunión", f"la reunión {numero} de ese periodo y plantel ya fue "
                                    f"convocada (son {MEETINGS_PER_SEMESTER} por semestre).")
    plantel = c.text("clave_plantel", "Plantel", limit=10)
    fecha = c.date("fecha", "Fecha", not_before=first, not_after=last)
    hora = c.time("hora", "Hora")
    lugar = c.text("lugar", "Lugar", limit=160)
    matriculas = c.matriculas("matriculas", "Alumnos en riesgo a revisar")
    c.done()
    assert fecha is not None and hora is not None
    return MeetingInput(periodo, int(numero), plantel, fecha, hora, lugar, tuple(matriculas))


def read_attendance(form: Mapping[str, str]) -> list[Attendee]:
    """One attendee a line, ``Nombre — Cargo`` (a dash, en dash or em dash separates them)."""
    c = Checker(form)
    raw = c.long_text("asistentes", "Asistentes", limit=4000)
    people: list[Attendee] = []
    for n, line in enumerate(raw.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        for sep in (" — ", " – ", " - "):
            if sep in line:
                nombre, cargo = (p.strip() for p in line.split(sep, 1))
                break
        else:
            nombre, cargo = line, ""
        if not nombre or not cargo:
            c.fail("Asistentes", f"la línea {n} («{line[:40]}») debe ser «Nombre — Cargo».")
        else:
            people.append(Attendee(nombre[:120], cargo[:120]))
    c.done()
    return people


def read_agreement(form: Mapping[str, str], *, reviewed: Sequence[str],
                   fecha_reunion: dt.date) -> AgreementInput:
    """An agreement; the students it concerns must be among the meeting's reviewed ones."""
    c = Checker(form)
    texto = c.long_text("texto", "Acuerdo", limit=2000)
    responsable = c.text("responsable", "Responsable", limit=120)
    fecha = None
    if str(form.get("fecha_compromiso", "") or "").strip():
        fecha = c.date("fecha_compromiso", "Fecha compromiso", not_before=fecha_reunion)
    matriculas = c.matriculas("matriculas", "Alumnos a los que se refiere", required=False)
    strangers = [m for m in matriculas if m not in reviewed]
    if strangers:
        c.fail("Alumnos a los que se refiere",
               f"{', '.join(strangers)} no está(n) entre los alumnos revisados en la reunión.")
    c.done()
    return AgreementInput(texto, responsable, fecha, tuple(matriculas))

"""The cycle on the station: current cycle, who needs what, declines and requests.

Each action that records something is one IMMEDIATE transaction: a rule that refuses leaves
the ledger as it was.

>>> lists = school_lists(station, "14DPR9901D")            # doctest: +SKIP
>>> [s.name for s in lists.by_need(Need.HOLOGRAM)][:1]      # doctest: +SKIP
['MARÍA FERNANDA NÚÑEZ DE LA TORRE']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from gettext import ngettext

from foundation.errors import NotFound, RuleViolation
from station.context import Station
from station.core.cycles import NEED_WORDS, Need, check_advance, parse_cycle
from station.core.eligibility import roster_cycle_warning
from station.core.model import School, Student
from station.core.requests import DeclaredBy, Unattended, require_person, unattended
from station.store import ledger, lifecycle_records, request_records, roster_views
from station.store.db import Connection
from station.store.lifecycle_records import StudentLine


def current_cycle(station: Station) -> str:
    """The later of the ledger's last advanced cycle and the ``cycle.current`` setting."""
    with station.db.read() as conn:
        return lifecycle_records.current_cycle(conn, station.settings["cycle.current"])


def advance_cycle(station: Station, to: str, *, taken_by: str) -> dict[str, object]:
    """Make ``to`` the current cycle; only the cycle right after the current one is accepted."""
    new = parse_cycle(to)
    taken_by = require_person(taken_by, "quién hace el cambio de ciclo")
    with station.db.write() as conn:
        previous = lifecycle_records.current_cycle(conn, station.settings["cycle.current"])
        check_advance(parse_cycle(previous), new)
        lifecycle_records.record_cycle_change(conn, previous=previous, new=str(new),
                                              taken_by=taken_by)
    return {"cycle": str(new), "previous": previous}


def get_school(conn: Connection, cct: str) -> School:
    school = ledger.get_school(conn, cct)
    if school is None:
        raise NotFound(f"La escuela con CCT {cct} no está en esta estación.",
                       way_out="Llame a su DRSE y pídales que importen en esta estación la "
                                   "plantilla de SCEJAL de la escuela.",
                           command="station import-roster ARCHIVO")
    return school


def get_student(conn: Connection, curp: str) -> Student:
    student = ledger.get_students(conn, [curp]).get(curp)
    if student is None:
        raise NotFound(f"El alumno con CURP {curp} no está en la plantilla de esta estación.",
                       way_out="Revise la CURP o importe la plantilla actualizada de SCEJAL.")
    return student


@dataclass(frozen=True, slots=True)
class SchoolLists:
    school: School
    cycle: str
    students: list[StudentLine]
    no_photo: frozenset[str] = frozenset()
    """CURPs of enrolled students without a photo (a card cannot be printed for them)."""
    warning: str | None = None
    """Said before the lists: e.g. the roster is of an older cycle than the current one."""

    def needing_photo(self) -> list[StudentLine]:
        """Students who need a card and have no photo yet."""
        return [s for s in self.by_need(Need.CARD) if s.curp in self.no_photo]

    def by_need(self, need: Need) -> list[StudentLine]:
        return [s for s in self.students if s.need is need]

    def counts(self) -> dict[str, int]:
        return {need.value: len(self.by_need(need)) for need in Need}

    def to_json(self) -> dict[str, object]:
        return {"cct": self.school.cct, "school": self.school.nombre, "cycle": self.cycle,
                "counts": self.counts(),
                "needs_card": [s.to_json() for s in self.by_need(Need.CARD)],
                "hologram_only": [s.to_json() for s in self.by_need(Need.HOLOGRAM)],
                "needs_receipt": [s.to_json() for s in self.by_need(Need.RECEIPT)],
                "declined": [s.to_json() for s in self.by_need(Need.DECLINED)],
                "complete": [s.to_json() for s in self.by_need(Need.COMPLETE)],
                "needs_card_without_photo": [s.curp for s in self.needing_photo()],
                "warning": self.warning}

    def describe(self) -> str:
        lines = [f"{self.school.nombre} ({self.school.cct}), ciclo {self.cycle}:"]
        if self.warning:
            lines.append(f"AVISO: {self.warning}")
        for need in (Need.CARD, Need.HOLOGRAM, Need.RECEIPT, Need.DECLINED, Need.COMPLETE):
            group = self.by_need(need)
            count = ngettext("{n} alumno", "{n} alumnos", len(group)).format(n=len(group))
            lines.append(f"\n{count}: {NEED_WORDS[need]}")
            if need is not Need.COMPLETE:
                lines += [f"  - {s.name} ({s.grado}° {s.grupo})"
                          + (f", folio {s.folio}" if s.folio else "")
                          + (f" ({s.words})" if s.card_other_school else "")
                          + (" — SIN FOTO" if need is Need.CARD and s.curp in self.no_photo
                             else "") for s in group]
        missing = self.needing_photo()
        if missing:
            lines.append("\n" + ngettext(
                "{n} alumno que necesita credencial no tiene foto (no se puede imprimir "
                "hasta tenerla): ",
                "{n} alumnos que necesitan credencial no tienen foto (no se pueden imprimir "
                "hasta tenerla): ", len(missing)).format(n=len(missing))
                         + ", ".join(s.name for s in missing)
                         + ". Tómelas con el botón «Tomar foto» de la ficha de cada alumno, "
                         "o pida a su DRSE que importe las fotos de la escuela.")
        return "\n".join(lines)


def school_lists(station: Station, cct: str, cycle: str | None = None) -> SchoolLists:
    """Who needs a new card and who only the cycle hologram, for a school and cycle."""
    with station.db.read() as conn:
        school = get_school(conn, cct)
        cycle = str(parse_cycle(cycle)) if cycle else lifecycle_records.current_cycle(
            conn, station.settings["cycle.current"])
        students = lifecycle_records.cycle_lists(conn, cct, cycle)
        no_photo = frozenset(roster_views.without_photo(conn, cct))
        cycles = roster_views.roster_cycles(conn, cct)
    return SchoolLists(school, cycle, students, no_photo, roster_cycle_warning(cycles, cycle))


# --- declines and requests (normativo 4) --------------------------------------------------

def decline(station: Station, curp: str, *, on: date, declared_by: str, taken_by: str,
            notes: str = "") -> dict[str, object]:
    who = DeclaredBy.parse(declared_by)
    taken_by = require_person(taken_by, "quién recibió la renuncia")
    with station.db.write() as conn:
        student = get_student(conn, curp)
        did = request_records.record_decline(conn, curp=curp, name=student.full_name, on=on,
                                             declared_by=who, taken_by=taken_by,
                                             notes=notes.strip())
    return {"decline": did, "curp": curp, "name": student.full_name,
            "declined_on": on.isoformat(), "declared_by": who.value, "taken_by": taken_by}


def declines(station: Station, cct: str | None = None, *,
             standing_only: bool = False) -> list[request_records.Decline]:
    """Declines recorded (normativo 4): standing ones, or all."""
    with station.db.read() as conn:
        return request_records.list_declines(conn, cct, standing_only=standing_only)


def withdraw_decline(station: Station, curp: str, *, on: date, taken_by: str) -> dict[str, object]:
    taken_by = require_person(taken_by, "quién registra el retiro de la renuncia")
    with station.db.write() as conn:
        student = get_student(conn, curp)
        request_records.withdraw_decline(conn, curp=curp, name=student.full_name, on=on,
                                         taken_by=taken_by)
    return {"curp": curp, "name": student.full_name, "withdrawn_on": on.isoformat()}


def request_card(station: Station, curp: str, *, on: date, requested_by: str, taken_by: str,
                 notes: str = "") -> dict[str, object]:
    """Record a request; refused while a decline stands or when nothing is missing."""
    who = DeclaredBy.parse(requested_by)
    taken_by = require_person(taken_by, "quién recibió la solicitud")
    with station.db.write() as conn:
        student = get_student(conn, curp)
        if student.estatus.value != "INSCRITO":
            raise RuleViolation(f"{student.full_name} está dado de baja en la plantilla.",
                                way_out="Sólo los alumnos inscritos reciben credencial.")
        cycle = lifecycle_records.current_cycle(conn, station.settings["cycle.current"])
        line = next((s for s in lifecycle_records.cycle_lists(conn, student.cct, cycle)
                     if s.curp == curp), None)
        if line is not None and line.need is Need.COMPLETE:
            raise RuleViolation(f"{student.full_name} ya tiene credencial (folio {line.folio}) y "
                                f"el holograma {line.hologram} del ciclo {cycle}.")
        rid = request_records.record_request(conn, curp=curp, name=student.full_name, on=on,
                                             requested_by=who, taken_by=taken_by,
                                             notes=notes.strip())
    return {"request": rid, "curp": curp, "name": student.full_name,
            "requested_on": on.isoformat(), "need": line.need.value if line else None}


def unattended_requests(station: Station, *, days: int | None = None,
                        cct: str | None = None) -> tuple[int, list[Unattended]]:
    """(days used, requests with no card or hologram after more than that many days)."""
    days = int(station.settings["requests.unattended_days"]) if days is None else days
    with station.db.read() as conn:
        requests = request_records.list_requests(conn, cct)
    return days, unattended(requests, today=station.today(), days=days)

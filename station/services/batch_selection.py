"""Who of a school's pending students is ready to print now, and why the others are not.

``station print --all-pending`` prints the ready ones and lists the rest with the reason
(no photo, declined, lost card without receipt, withdrawn): a batch is never refused whole
for one student, and nobody is left out without a word.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from gettext import ngettext

from foundation.errors import InputError, RuleViolation
from station.context import Station
from station.core.cycles import NEED_WORDS, Need
from station.core.model import School, Student
from station.services.issuance import school_to_print
from station.store import ledger, lifecycle_records, roster_views

NO_PHOTO = "no tiene fotografía"
WITHDRAWN = "está dado de baja en la plantilla"


@dataclass(frozen=True, slots=True)
class NotReady:
    curp: str
    name: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"curp": self.curp, "name": self.name, "reason": self.reason}


@dataclass(slots=True)
class ReadySelection:
    school: School
    students: list[Student]
    not_ready: list[NotReady] = field(default_factory=list)

    def describe_not_ready(self) -> str:
        if not self.not_ready:
            return ""
        n = len(self.not_ready)
        lines = [ngettext("{n} alumno no se imprime ahora:", "{n} alumnos no se imprimen ahora:",
                          n).format(n=n)]
        lines += [f"- {n.name}: {n.reason}" for n in self.not_ready]
        if any(n.reason == NO_PHOTO for n in self.not_ready):
            lines.append("Para los que no tienen foto: tómela con el botón «Tomar foto» de su "
                         "ficha (o pida a su DRSE que importe las fotos de la escuela) y vuelva "
                         "a imprimir los pendientes.")
        return "\n".join(lines)


def select_ready(station: Station, cct: str, only: Collection[str] | None = None
                 ) -> ReadySelection:
    """Every pending student of ``cct`` who can be printed now, and the others with why.

    ``only``: the students someone ticked (the kiosk's selection); the others of the school
    are left out of both lists. Raises (nothing written) when the school is unknown or not
    served here, or when nobody is ready.
    """
    with station.db.read() as conn:
        school = school_to_print(station, conn, cct)
        pending = ledger.pending_students(conn, cct)
        no_photo = roster_views.without_photo(conn, cct)
        cycle = lifecycle_records.current_cycle(conn, station.settings["cycle.current"])
        lines = lifecycle_records.cycle_lists(conn, cct, cycle)
        withdrawn = roster_views.withdrawn_without_card(conn, cct)
    if only is not None:
        chosen = set(only)
        pending = [s for s in pending if s.curp in chosen]
        lines = [s for s in lines if s.curp in chosen]
        withdrawn = [(curp, name) for curp, name in withdrawn if curp in chosen]
    ready = [s for s in pending if s.curp not in no_photo]
    not_ready = [NotReady(s.curp, s.full_name, NO_PHOTO) for s in pending if s.curp in no_photo]
    not_ready += [NotReady(s.curp, s.name, NEED_WORDS[s.need]) for s in lines
                  if s.need in (Need.DECLINED, Need.RECEIPT)]
    not_ready += [NotReady(curp, name, WITHDRAWN) for curp, name in withdrawn]
    selection = ReadySelection(school, ready, not_ready)
    if ready:
        return selection
    if only is not None:
        raise InputError("No se imprimió nada: ninguno de los alumnos elegidos está listo."
                         + (f"\n{selection.describe_not_ready()}" if not_ready else ""))
    if any(n.reason == NO_PHOTO for n in not_ready):
        raise InputError(f"No se imprimió nada: ningún alumno pendiente de {cct} está listo.\n"
                         + selection.describe_not_ready())
    raise RuleViolation(f"La escuela {cct} no tiene alumnos pendientes de credencial."
                        + (f"\n{selection.describe_not_ready()}" if not_ready else ""))

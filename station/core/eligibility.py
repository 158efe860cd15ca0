"""Who may get a card at all (normativo 1): students enrolled in an *official* primaria or
secundaria of Jalisco, in the *current* school cycle. Pure rules; the roster validation
(:mod:`station.core.roster`) applies them row by row, so a refusal names its rows.

The CCT (clave de centro de trabajo) says who runs a school: after the two digits of the
state comes the *clasificador*, ``P`` for a private school (particular), ``E`` (estatal),
``D``/``F`` (federal) or ``K`` (CONAFE, indígena) for official ones.

>>> private_school_reason("14PPR0123X")[:40]
'la CCT 14PPR0123X es de una escuela part'
>>> private_school_reason("14EPR0412K") is None
True
>>> other_cycle_reason("2025-2026", "2026-2027")[:41]
'el alumno es del ciclo 2025-2026 y el cic'
>>> RosterScope(cycle="2026-2027", only_school="14EES0087H").keeps("14EES0087H")
True
"""

from __future__ import annotations

from dataclasses import dataclass
from gettext import ngettext

PRIVATE_CLASSIFIER = "P"
"""The CCT's third character for a private school (escuela particular)."""


def private_school_reason(cct: str) -> str | None:
    """Why a school's CCT is outside the program (a private school), or None."""
    if len(cct) >= 3 and cct[2] == PRIVATE_CLASSIFIER:
        return (f"la CCT {cct} es de una escuela particular (la letra «P» después de la clave "
                "del estado); las credenciales se expiden sólo a alumnos de escuelas "
                "oficiales (normativo 1): quite esta escuela y sus alumnos del archivo")
    return None


def other_cycle_reason(ciclo: str, current: str) -> str | None:
    """Why a student row of cycle ``ciclo`` is refused on a station working ``current``."""
    if ciclo and current and ciclo != current:
        way_out = (f"si ya empezó el ciclo {ciclo}, cámbielo antes con 'station cycle advance "
                   f"--to {ciclo}'" if ciclo > current
                   else f"exporte de SCEJAL la plantilla del ciclo {current}")
        return (f"el alumno es del ciclo {ciclo} y el ciclo vigente de la estación es "
                f"{current}; las credenciales son para el ciclo vigente: "
                f"{way_out}")
    return None


def roster_cycle_warning(cycles: dict[str, int], current: str) -> str | None:
    """What to tell about a school whose enrolled students are recorded with another cycle
    than the current one (a roster imported before ``cycle advance``), or None.

    >>> roster_cycle_warning({"2026-2027": 30}, "2027-2028")[:52]
    'La plantilla de esta escuela es del ciclo 2026-2027 '
    >>> roster_cycle_warning({"2027-2028": 30}, "2027-2028") is None
    True
    """
    old = {c: n for c, n in cycles.items() if c != current}
    if not old:
        return None
    which = ", ".join(sorted(old))
    count = sum(old.values())
    students = ngettext("{n} alumno", "{n} alumnos", count).format(n=count)
    return (f"La plantilla de esta escuela es del ciclo {which} ({students}) y el ciclo "
            f"vigente es {current}: esta lista usa los alumnos del ciclo anterior. Importe de "
            f"SCEJAL la plantilla del ciclo {current} antes de imprimir o poner hologramas.")


@dataclass(frozen=True, slots=True)
class RosterScope:
    """What a station keeps of a roster export.

    ``cycle``: the station's current cycle; students of another cycle are refused (rows
    named). ``only_school``: a school station's own CCT; the other schools' rows of the file
    are left out, neither imported nor reported as errors.
    """

    cycle: str | None = None
    only_school: str | None = None

    def keeps(self, cct: str) -> bool:
        return not self.only_school or cct == self.only_school

"""Who may receive a certificate: the plantel's regular graduates (seed 000, activity 2.3).

A regular graduate (egresado) has status EGRESADO, every module of the plan accredited, and no
debts with the plantel. The academic wing owns students, grades and careers; this module only
reads them through :class:`GraduateSource`, so the certificate rules do not depend on how the
SAE export is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Graduate:
    matricula: str
    curp: str
    nombre: str
    primer_apellido: str
    segundo_apellido: str
    plantel: str
    plantel_name: str
    career_key: str
    career: str
    model_year: int
    generation: str
    status: str
    failed_modules: tuple[str, ...] = ()
    """Modules without a passing final grade (< 6.0); empty when all are accredited."""
    debts: tuple[str, ...] = ()
    """Outstanding debts with the plantel (library, workshop…); empty when none."""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.nombre, self.primer_apellido, self.segundo_apellido) if p)


def ineligibility(g: Graduate) -> str | None:
    """Why ``g`` cannot get a certificate yet (Spanish), or None when the graduate is regular."""
    if g.status != "EGRESADO":
        return f"{g.full_name} ({g.matricula}) tiene estatus {g.status}, no EGRESADO"
    if g.failed_modules:
        return (f"{g.full_name} ({g.matricula}) no ha acreditado: "
                + ", ".join(g.failed_modules))
    if g.debts:
        return f"{g.full_name} ({g.matricula}) tiene adeudos: " + ", ".join(g.debts)
    return None


class GraduateSource(Protocol):
    def get(self, matricula: str) -> Graduate | None: ...

    def of_plantel(self, plantel: str) -> Iterable[Graduate]: ...


class ListSource:
    """A fixed list (tests, benchmark, and the bridge until the academic tables are read)."""

    def __init__(self, graduates: Iterable[Graduate]) -> None:
        self._by_matricula = {g.matricula: g for g in graduates}

    def get(self, matricula: str) -> Graduate | None:
        return self._by_matricula.get(matricula)

    def of_plantel(self, plantel: str) -> list[Graduate]:
        return [g for g in self._by_matricula.values() if g.plantel == plantel]

"""Terminal efficiency (eficiencia terminal), the indicator of procedure 30-524-PO-04.

The seed's formula, measured yearly by Servicios Escolares of DG and of each plantel:

    eficiencia = egresados de la generación N
                 / inscritos en primer semestre de la generación N × 100

Definitions this module applies (stated on the page and in the Junta Directiva report too):

- *Generación N* is the SAE's ``generacion`` field, ``"2022-2025"``: the students who entered
  first semester in 2022 and were due to conclude in 2025 (the *año de egreso*, which is the
  year the indicator is measured for).
- *Inscritos en primer semestre* are all students of that generación in the SAE export,
  whatever their status now (INSCRITO, BAJA or EGRESADO): each of them enrolled in the first
  semester of it. Students who changed generación (e.g. repeated a semester) count in the
  generación the SAE gives them.
- *Egresados* are those with status EGRESADO (the seed: approved the whole programme).
- A generación is *concluida* once it has an egresado or has nobody left INSCRITO; only then
  is the indicator computed. A generación still in course is listed without a percentage,
  because its 0 % would only mean "not yet".

The figures are grouped per plantel, carrera and generación; the totals per plantel and for
the state are sums of the counts (not averages of percentages).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

EGRESADO, INSCRITO, BAJA = "EGRESADO", "INSCRITO", "BAJA"


@dataclass(frozen=True, slots=True)
class Enrolment:
    """One student as the indicator needs them (no names, no CURP)."""

    clave_plantel: str
    clave_carrera: str
    generacion: str
    estatus: str


@dataclass(frozen=True, slots=True)
class Efficiency:
    clave_plantel: str
    clave_carrera: str
    generacion: str
    egresados: int
    inscritos_primer_semestre: int
    concluida: bool

    @property
    def anio_egreso(self) -> int:
        return generation_end(self.generacion)

    @property
    def eficiencia(self) -> Decimal | None:
        """Percent with two decimals (half up), ``None`` while the generación is in course."""
        if not self.concluida:
            return None
        return percent(self.egresados, self.inscritos_primer_semestre)

    def to_json(self) -> dict[str, object]:
        value = self.eficiencia
        return {"clave_plantel": self.clave_plantel, "clave_carrera": self.clave_carrera,
                "generacion": self.generacion, "egresados": self.egresados,
                "inscritos_primer_semestre": self.inscritos_primer_semestre,
                "eficiencia": None if value is None else float(value)}


def percent(part: int, whole: int) -> Decimal:
    """``part / whole × 100`` rounded half up to two decimals (0 when ``whole`` is 0).

    >>> percent(7, 11), percent(9, 11), percent(2, 3), percent(0, 0)
    (Decimal('63.64'), Decimal('81.82'), Decimal('66.67'), Decimal('0.00'))
    """
    if whole <= 0:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def generation_end(generacion: str) -> int:
    """The year a generación is due to conclude.

    >>> generation_end("2022-2025")
    2025
    """
    start, _, end = generacion.partition("-")
    if not (start.isdigit() and end.isdigit() and len(start) == len(end) == 4):
        raise ValueError(f"generación {generacion!r} no tiene la forma AAAA-AAAA")
    return int(end)


@dataclass(frozen=True, slots=True)
class Counts:
    """What the indicator needs of one plantel, carrera and generación (the database can
    count it: ``GROUP BY`` with the three sums)."""

    clave_plantel: str
    clave_carrera: str
    generacion: str
    alumnos: int
    egresados: int
    inscritos: int
    """Still studying (estatus INSCRITO): while any remain and none graduated, the
    generación is in course."""


def from_counts(counts: Iterable[Counts]) -> list[Efficiency]:
    """The indicator from per-group counts, ordered by plantel, carrera and generación."""
    out = []
    for n in sorted(counts, key=lambda n: (n.clave_plantel, n.clave_carrera, n.generacion)):
        generation_end(n.generacion)
        out.append(Efficiency(n.clave_plantel, n.clave_carrera, n.generacion,
                              egresados=n.egresados, inscritos_primer_semestre=n.alumnos,
                              concluida=n.egresados > 0 or n.inscritos == 0))
    return out


def terminal_efficiency(students: Iterable[Enrolment]) -> list[Efficiency]:
    """The indicator per plantel, carrera and generación, from one row per student.

    >>> rows = terminal_efficiency([Enrolment("165", "INFO-23", "2022-2025", s)
    ...                             for s in ("EGRESADO", "EGRESADO", "BAJA")]
    ...                            + [Enrolment("165", "INFO-23", "2025-2028", "INSCRITO")])
    >>> [(r.generacion, r.egresados, r.inscritos_primer_semestre, r.eficiencia) for r in rows]
    [('2022-2025', 2, 3, Decimal('66.67')), ('2025-2028', 0, 1, None)]
    """
    counts: dict[tuple[str, str, str], list[int]] = {}
    for s in students:
        c = counts.setdefault((s.clave_plantel, s.clave_carrera, s.generacion), [0, 0, 0])
        c[0] += 1
        c[1] += s.estatus == EGRESADO
        c[2] += s.estatus == INSCRITO
    return from_counts(Counts(*key, *n) for key, n in counts.items())


def concluded(rows: Iterable[Efficiency]) -> list[Efficiency]:
    """Only the generaciones the indicator is measured for (what ``conalep eficiencia`` lists)."""
    return [r for r in rows if r.concluida]


def totals(rows: Iterable[Efficiency], *, by_plantel: bool) -> list[Efficiency]:
    """Sums of the concluded rows per (plantel,) generación, or per generación state-wide;
    the carrera (and plantel) of a total row is ``"*"``."""
    sums: dict[tuple[str, str], list[int]] = {}
    for r in concluded(rows):
        key = (r.clave_plantel if by_plantel else "*", r.generacion)
        n = sums.setdefault(key, [0, 0])
        n[0] += r.egresados
        n[1] += r.inscritos_primer_semestre
    return [Efficiency(p, "*", g, egresados=n[0], inscritos_primer_semestre=n[1],
                       concluida=True) for (p, g), n in sorted(sums.items())]

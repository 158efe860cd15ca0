"""Who prints a school's cards (normativo 2).

Primarias with fewer than 475 students, secundarias with fewer than 222, and every school
without internet are printed by their DRSE; the rest print on their own station. The
thresholds come from the settings. A school station refuses a school routed to its DRSE; a
DRSE station serves the schools of its region routed to it and refuses the others.

>>> t = Thresholds(primaria=475, secundaria=222)
>>> route(Nivel.PRIMARIA, 188, True, t).where
'drse'
>>> route(Nivel.SECUNDARIA, 540, True, t).where
'escuela'
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from foundation.errors import RuleViolation
from station.core.model import Nivel, School


@dataclass(frozen=True, slots=True)
class Thresholds:
    primaria: int
    secundaria: int

    def for_nivel(self, nivel: Nivel) -> int:
        return self.primaria if nivel is Nivel.PRIMARIA else self.secundaria


@dataclass(frozen=True, slots=True)
class Routing:
    """``where`` is ``'escuela'`` (its own station) or ``'drse'``; ``reasons`` say why."""

    where: str
    reasons: tuple[str, ...]

    @property
    def words(self) -> str:
        place = "en su propia estación" if self.where == "escuela" else "en su DRSE"
        return f"imprime {place}: " + "; ".join(self.reasons)

    def to_json(self) -> dict[str, object]:
        return {"where": self.where, "reasons": list(self.reasons)}


def route(nivel: Nivel, matricula: int, internet: bool, t: Thresholds) -> Routing:
    """Where a school with these data prints, and every reason that decides it."""
    minimum = t.for_nivel(nivel)
    nivel_words = "primaria" if nivel is Nivel.PRIMARIA else "secundaria"
    reasons = []
    if matricula < minimum:
        reasons.append(f"su matrícula ({matricula}) es menor que {minimum}, el mínimo de una "
                       f"{nivel_words} para imprimir en el plantel")
    if not internet:
        reasons.append("no cuenta con internet")
    if reasons:
        return Routing("drse", tuple(reasons))
    return Routing("escuela", (f"{nivel_words} con matrícula de {matricula} (mínimo {minimum}) "
                               "y con internet",))


def route_school(school: School, t: Thresholds) -> Routing:
    return route(school.nivel, school.matricula, school.internet, t)


def same_drse(a: str, b: str) -> bool:
    """DRSE names compare without case, accents or extra spaces ("Valles (Ameca)")."""
    return _plain(a) == _plain(b)


def _plain(text: str) -> str:
    nfd = unicodedata.normalize("NFD", " ".join((text or "").split()).upper())
    return "".join(c for c in nfd if not unicodedata.combining(c))


def check_station_may_print(
    *, kind: str, station_cct: str, station_drse: str, school: School, routing: Routing
) -> None:
    """Refuse, with the reason, a school this station must not print for.

    An 'escuela' station with no CCT configured still refuses schools routed to their DRSE.
    """
    name = f"{school.nombre} ({school.cct})"
    if kind == "drse":
        if not station_drse.strip():
            raise RuleViolation(
                "Esta estación es de una DRSE, pero no tiene configurada su DRSE.",
                way_out="Llame a su DRSE y dígales que a la configuración de esta estación "
                "le falta el nombre de su DRSE.",
                command="station.drse = \"…\" en station.toml")
        if not same_drse(school.drse, station_drse):
            # Name the office that really prints them: the school itself when it prints on
            # its own station (normativo 2), else its own DRSE.
            printer = (f"la propia escuela en su plantel ({'; '.join(routing.reasons)}); "
                       f"su DRSE es {school.drse}" if routing.where == "escuela"
                       else f"la DRSE {school.drse}")
            raise RuleViolation(
                f"La escuela {name} pertenece a la DRSE {school.drse}; esta estación imprime "
                f"para la DRSE {station_drse}.",
                way_out=f"Sus credenciales las imprime {printer}.")
        if routing.where != "drse":
            raise RuleViolation(
                f"La escuela {name} imprime sus credenciales en su propio plantel: "
                f"{'; '.join(routing.reasons)}.",
                way_out="Si su equipo falla, repórtelo a la DRSE como problema técnico.")
        return
    if station_cct and school.cct != station_cct:
        raise RuleViolation(
            f"Esta estación es de la escuela {station_cct}; no imprime para {name}.",
            way_out="Cada escuela imprime en su propia estación o en su DRSE.")
    if routing.where == "drse":
        raise RuleViolation(
            f"La escuela {name} imprime sus credenciales en su DRSE ({school.drse}): "
            f"{'; '.join(routing.reasons)}.",
            way_out="Envíe la solicitud a su DRSE para que las imprima (procedimiento 1).")

"""Who prints a school's cards (normativo 2), with this station's configuration.

>>> check_may_print(station, school)   # doctest: +SKIP
(raises RuleViolation with the reason when the school prints at its DRSE)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foundation.errors import RuleViolation
from station.core.model import Nivel, School
from station.core.routing import Routing, Thresholds, check_station_may_print, route
from station.services.station import Station
from station.store import ledger


def thresholds(settings: dict[str, Any]) -> Thresholds:
    return Thresholds(primaria=int(settings["routing.primaria_min_students"]),
                      secundaria=int(settings["routing.secundaria_min_students"]))


def routing_for(station: Station, school: School) -> Routing:
    return route(school.nivel, school.matricula, school.internet, thresholds(station.settings))


def route_data(station: Station, nivel: Nivel, matricula: int, internet: bool) -> Routing:
    """Where a school with these data prints (no roster needed)."""
    return route(nivel, matricula, internet, thresholds(station.settings))


def check_may_print(station: Station, school: School) -> None:
    """Refuse, with the reason, a school this station must not print for."""
    s = station.settings
    check_station_may_print(kind=s["station.kind"], station_cct=s["station.school_cct"].strip(),
                            station_drse=s["station.drse"], school=school,
                            routing=routing_for(station, school))


@dataclass(frozen=True, slots=True)
class SchoolRoute:
    school: School
    routing: Routing
    served_here: bool
    refusal: str | None

    def to_json(self) -> dict[str, object]:
        return {"cct": self.school.cct, "nombre": self.school.nombre,
                "nivel": self.school.nivel.value, "matricula": self.school.matricula,
                "internet": self.school.internet, "drse": self.school.drse,
                **self.routing.to_json(), "served_here": self.served_here,
                "refusal": self.refusal}


def route_schools(station: Station, cct: str | None = None) -> list[SchoolRoute]:
    """Every school of the roster (or one): where it prints and whether this station serves it."""
    with station.db.read() as conn:
        schools = ledger.list_schools(conn)
    out = []
    for school in schools:
        if cct and school.cct != cct:
            continue
        try:
            check_may_print(station, school)
            refusal = None
        except RuleViolation as exc:
            refusal = exc.user_message()
        out.append(SchoolRoute(school, routing_for(station, school), refusal is None, refusal))
    return out


def served_schools(station: Station) -> list[School]:
    return [r.school for r in route_schools(station) if r.served_here]

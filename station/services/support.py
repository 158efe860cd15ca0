"""Support from the station (seed 004, técnicos 10–12): questions to the DRSE's Control
Escolar and the answers that come back, with the answers to problem reports the DRSE turned
over to DGTI. Questions travel in the outbox (they wait while the station is offline).

>>> ask_question(station, "¿Dónde pido más micas?", asked_by="Directora")  # doctest: +SKIP
{'question': 1, ...}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foundation.errors import InputError
from station.context import Station
from station.core.requests import require_person
from station.store import support_records
from station.sync.reports_up import reports_state

MAX_QUESTION = 2000


def ask_question(station: Station, text: str, *, asked_by: str) -> dict[str, Any]:
    """Queue a question; it reaches the DRSE at the next sync."""
    clean = " ".join((text or "").split())
    if len(clean) < 5:
        raise InputError("La pregunta está vacía o es muy corta.",
                         way_out='Escríbala completa, por ejemplo: station question ask '
                                 '"¿Cuándo llegan los hologramas del ciclo?" --by "Nombre".')
    if len(clean) > MAX_QUESTION:
        raise InputError(f"La pregunta tiene {len(clean)} caracteres y el máximo es "
                         f"{MAX_QUESTION}.", way_out="Resúmala o divídala en dos preguntas.")
    who = require_person(asked_by, "quién pregunta (--by)")
    with station.db.write() as conn:
        number = support_records.ask(conn, text=clean, asked_by=who,
                                     on=station.today().isoformat())
    return {"question": number, "text": clean, "asked_by": who}


@dataclass(frozen=True, slots=True)
class SupportView:
    questions: list[support_records.Question]
    reports: dict[str, dict[str, Any]]
    """Escalated problem reports by file name: central's status and DGTI's answer."""
    reports_sent: int

    def to_json(self) -> dict[str, Any]:
        return {"questions": [q.to_json() for q in self.questions], "reports": self.reports,
                "reports_sent": self.reports_sent}


def support_view(station: Station) -> SupportView:
    with station.db.read() as conn:
        asked = support_records.questions(conn)
        reports = support_records.report_answers(conn)
    return SupportView(asked, reports, reports_state(station).sent)

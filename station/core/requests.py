"""Declines and requests of a card (normativo 4).

A parent or the student may decline the card: the school records it, with the date and who
took it, and the student leaves the pending list until the decline is withdrawn. If they ask
for the card and the school does not issue it, that is a complaint: so every request is
recorded with its date, and a request still unattended after N days is reported.

>>> r = CardRequest(1, "X", "ANA", "14DPR0001A", date(2026, 9, 1), None)
>>> [u.days_waiting for u in unattended([r], today=date(2026, 9, 15), days=10)]
[14]
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from foundation.errors import InputError, RuleViolation
from station.core.dates import show_day


class DeclaredBy(enum.StrEnum):
    """Who declined or asked: the parent or guardian, or the student."""

    TUTOR = "tutor"
    ALUMNO = "alumno"

    @property
    def words(self) -> str:
        return "madre, padre o tutor" if self is DeclaredBy.TUTOR else "el alumno"

    @classmethod
    def parse(cls, text: str) -> DeclaredBy:
        plain = (text or "").strip().lower()
        if plain in ("tutor", "padre", "madre", "tutora"):
            return cls.TUTOR
        if plain in ("alumno", "alumna", "estudiante"):
            return cls.ALUMNO
        raise InputError(f"«{text}» no es quien puede declarar: use tutor o alumno.")


def require_person(name: str, what: str) -> str:
    """A person's name the record must carry (who took the decline, who asked)."""
    clean = " ".join((name or "").split())
    if len(clean) < 3:
        raise InputError(f"Falta {what}.", way_out="Escriba el nombre completo.")
    return clean


def check_decline(student: str, open_decline_on: str | None) -> None:
    if open_decline_on is not None:
        raise RuleViolation(
            f"{student} ya tiene registrada la renuncia a la credencial desde el "
            f"{show_day(open_decline_on)}.")


def check_withdraw(student: str, open_decline_on: str | None) -> None:
    if open_decline_on is None:
        raise RuleViolation(f"{student} no tiene una renuncia a la credencial que retirar.")


def check_request(student: str, open_decline_on: str | None, open_request_on: str | None) -> None:
    """A request is refused while a decline stands, or while another request is open."""
    if open_decline_on is not None:
        raise RuleViolation(
            f"{student} tiene registrada una renuncia a la credencial desde el "
            f"{show_day(open_decline_on)}.",
            way_out="Si ahora sí la quiere, retire primero la renuncia en sus Trámites "
            "(«Retirar la renuncia»).",
            command="station decline withdraw --curp CURP")
    if open_request_on is not None:
        raise RuleViolation(
            f"{student} ya tiene una solicitud de credencial pendiente desde el "
            f"{show_day(open_request_on)}.",
            way_out="Atienda esa solicitud: imprima la credencial o coloque el holograma.")


@dataclass(frozen=True, slots=True)
class CardRequest:
    """A recorded request; ``attended_on`` is the day a card or hologram answered it."""

    id: int
    curp: str
    name: str
    cct: str
    requested_on: date
    attended_on: date | None


@dataclass(frozen=True, slots=True)
class Unattended:
    request: CardRequest
    days_waiting: int

    def to_json(self) -> dict[str, object]:
        r = self.request
        return {"id": r.id, "curp": r.curp, "name": r.name, "cct": r.cct,
                "requested_on": r.requested_on.isoformat(), "days_waiting": self.days_waiting}


def unattended(requests: Iterable[CardRequest], *, today: date, days: int) -> list[Unattended]:
    """Requests with no answer after more than ``days`` days, the oldest first."""
    out = [Unattended(r, (today - r.requested_on).days) for r in requests
           if r.attended_on is None and (today - r.requested_on).days > days]
    return sorted(out, key=lambda u: (-u.days_waiting, u.request.cct, u.request.name))

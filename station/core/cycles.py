"""School cycles (ciclos escolares) and who needs what in a cycle (normativos 1, 4, 5, 6).

A card does not show the cycle; the cycle's hologram does. So in each cycle an enrolled
student needs either a new card (new students, students without a valid card) or only the
cycle's hologram (students who keep their card). This module holds those rules as pure
functions; the ledger answers the same question in one SQL query
(``station.store.lifecycle_records.cycle_lists``) and a test keeps the two in agreement.

>>> c = parse_cycle("2026-2027")
>>> str(c.next()), str(c)
('2027-2028', '2026-2027')
>>> classify(StudentFacts(enrolled=True, has_card=True, hologram_this_cycle=False))
<Need.HOLOGRAM: 'needs-hologram'>

A card names its school (normativo 7), so a card of the student's former school does not do:

>>> classify(StudentFacts(enrolled=True, has_card=True, card_other_school=True))
<Need.CARD: 'needs-card'>
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from foundation.errors import InputError, RuleViolation

_CYCLE = re.compile(r"^\s*(\d{4})\s*[-–/]\s*(\d{4})\s*$")


@dataclass(frozen=True, order=True, slots=True)
class Cycle:
    """A school cycle: it starts in August of ``start`` and ends in July of ``start + 1``."""

    start: int

    def __str__(self) -> str:
        return f"{self.start}-{self.start + 1}"

    def next(self) -> Cycle:
        return Cycle(self.start + 1)


def parse_cycle(text: str) -> Cycle:
    """``"2026-2027"`` → Cycle(2026); the second year must follow the first.

    >>> parse_cycle("2026-2028")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    foundation.errors.InputError: El ciclo escolar «2026-2028» no es válido: ...
    """
    found = _CYCLE.match(text or "")
    if not found:
        raise InputError(f"El ciclo escolar «{text}» no se entiende.",
                         way_out="Escríbalo como 2026-2027.")
    first, second = int(found.group(1)), int(found.group(2))
    if second != first + 1:
        raise InputError(f"El ciclo escolar «{text.strip()}» no es válido: el segundo año debe "
                         "ser el siguiente del primero.")
    if not 2000 <= first <= 2200:
        raise InputError(f"El ciclo escolar «{text.strip()}» está fuera de rango.")
    return Cycle(first)


def check_advance(current: Cycle, new: Cycle) -> None:
    """Only the cycle right after the current one may become current.

    A skipped cycle would leave every hologram of the missing cycle unaccounted for; going
    back would make this cycle's holograms look like the future's.

    >>> check_advance(Cycle(2026), Cycle(2028))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    foundation.errors.RuleViolation: No se puede pasar del ciclo 2026-2027 al 2028-2029: ...
    """
    if new == current:
        raise RuleViolation(f"El ciclo {new} ya es el ciclo vigente.")
    if new != current.next():
        raise RuleViolation(
            f"No se puede pasar del ciclo {current} al {new}: el siguiente ciclo es "
            f"{current.next()}.")


def effective_cycle(setting: str, advanced: str | None) -> str:
    """The current cycle: the later of the ``cycle.current`` setting (central publishes it to
    the fleet) and the last advance recorded at the station. Cycles only move forward, so a
    station advanced by hand still follows central when central moves on.

    >>> effective_cycle("2027-2028", "2026-2027"), effective_cycle("2026-2027", "2027-2028")
    ('2027-2028', '2027-2028')
    >>> effective_cycle("2026-2027", None)
    '2026-2027'
    """
    if advanced is None:
        return setting
    try:
        configured = parse_cycle(setting)
    except InputError:
        return advanced  # a malformed setting never hides the ledger's own record
    return str(max(configured, parse_cycle(advanced)))


class Need(enum.StrEnum):
    """What an enrolled student needs in a cycle."""

    CARD = "needs-card"
    """No valid card (new student, card spoiled, a paid replacement awaiting print, or a card
    of the school the student left)."""
    HOLOGRAM = "needs-hologram"
    """Has a card; only the cycle's hologram is missing."""
    COMPLETE = "complete"
    """Card and hologram of the cycle recorded."""
    DECLINED = "declined"
    """The parent or student declined the card (normativo 4); not pending until withdrawn."""
    RECEIPT = "needs-receipt"
    """The card was reported lost or stolen; a new one needs the fee receipt (normativo 9)."""


NEED_WORDS: dict[Need, str] = {
    Need.CARD: "necesita credencial",
    Need.HOLOGRAM: "sólo necesita el holograma del ciclo",
    Need.COMPLETE: "credencial y holograma del ciclo registrados",
    Need.DECLINED: "no desea la credencial",
    Need.RECEIPT: "credencial reportada extraviada o robada: falta el recibo de reposición",
}


SCHOOL_CHANGE_WORDS = "cambió de escuela: necesita credencial de su nueva escuela"
"""Why a student holding an active card needs another one (normativo 7, no fee)."""


@dataclass(frozen=True, slots=True)
class StudentFacts:
    """What the ledger knows of one student, reduced to what the cycle rules read."""

    enrolled: bool
    has_card: bool
    """The student holds an active card."""
    hologram_this_cycle: bool = False
    """A hologram of the cycle is recorded on that active card."""
    declined: bool = False
    replacement_awaiting: bool = False
    """A replacement was paid and its new card is not issued yet."""
    loss_unpaid: bool = False
    """A card was reported lost or stolen and no replacement was paid for it."""
    card_other_school: bool = False
    """The active card was issued for another school than the student's current one (the
    student moved): it shows the wrong school's name, CCT, address, phone and turno."""


def classify(f: StudentFacts) -> Need | None:
    """The student's need in the cycle; None for a student who is not enrolled (BAJA).

    A student who moved and holds a card of the former school needs a new card, even with
    this cycle's hologram on the old one:

    >>> classify(StudentFacts(enrolled=True, has_card=True, hologram_this_cycle=True,
    ...                       card_other_school=True))
    <Need.CARD: 'needs-card'>

    >>> classify(StudentFacts(enrolled=True, has_card=False, declined=True))
    <Need.DECLINED: 'declined'>
    """
    if not f.enrolled:
        return None
    if f.declined:
        return Need.DECLINED
    if f.replacement_awaiting:
        return Need.CARD
    if f.has_card and f.card_other_school:
        return Need.CARD  # free: a new school is not a loss (normativo 9 does not apply)
    if f.has_card:
        return Need.COMPLETE if f.hologram_this_cycle else Need.HOLOGRAM
    if f.loss_unpaid:
        return Need.RECEIPT
    return Need.CARD


def need_words(need: Need, *, card_other_school: bool = False) -> str:
    """The words for a student's need; a student who moved is told why they need a card.

    >>> need_words(Need.CARD, card_other_school=True)
    'cambió de escuela: necesita credencial de su nueva escuela'
    """
    if need is Need.CARD and card_other_school:
        return SCHOOL_CHANGE_WORDS
    return NEED_WORDS[need]

"""Domain records shared by the station's services, adapters and the central service.

These are plain frozen dataclasses: no I/O, no framework. Field names keep the Spanish words
of the SCEJAL export (see ``../shared/samples/README.md``) where they are domain terms.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from foundation.credential.card import SHEET_SIZE


class Nivel(enum.StrEnum):
    PRIMARIA = "PRIMARIA"
    SECUNDARIA = "SECUNDARIA"


class Turno(enum.StrEnum):
    MATUTINO = "MATUTINO"
    VESPERTINO = "VESPERTINO"
    NOCTURNO = "NOCTURNO"
    DISCONTINUO = "DISCONTINUO"
    TIEMPO_COMPLETO = "TIEMPO COMPLETO"


class Estatus(enum.StrEnum):
    INSCRITO = "INSCRITO"
    BAJA = "BAJA"


@dataclass(frozen=True, slots=True)
class School:
    """A school as SCEJAL exports it (one row of ``escuelas``)."""

    cct: str
    nombre: str
    nivel: Nivel
    turno: Turno
    domicilio: str
    municipio: str
    telefono: str
    drse: str
    matricula: int
    internet: bool

    @property
    def address_line(self) -> str:
        """The address as printed on the card: street, then municipality."""
        return f"{self.domicilio}, {self.municipio}, JAL."


@dataclass(frozen=True, slots=True)
class Student:
    """An enrolled student (one row of ``alumnos``). Grade and group are never printed."""

    curp: str
    nombre: str
    primer_apellido: str
    segundo_apellido: str
    cct: str
    grado: int
    grupo: str
    ciclo: str
    estatus: Estatus
    nuevo_ingreso: bool

    @property
    def full_name(self) -> str:
        """Name as it goes on the card: given names, then surnames."""
        parts = [self.nombre, self.primer_apellido, self.segundo_apellido]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class CardFace:
    """Everything printed on one card position of a sheet.

    ``photo`` is the path of the stored photo (``None`` prints the template's empty frame).
    ``qr_text`` is the Base45 text of the signed payload (see ``foundation.credential``).
    A specimen card has ``specimen=True``, a folio of ``None`` and a QR that is no credential.
    """

    folio: int | None
    name: str
    school: School
    photo: str | None
    qr_text: str
    specimen: bool = False


@dataclass(frozen=True, slots=True)
class SheetFace:
    """One printed sheet: eight positions, each a card or a cancelled blank.

    ``cancelled`` maps a position (0-7) with no card to the folio it burns, so the void mark
    can print that folio. Positions are numbered row by row from the top left.
    """

    sheet_id: int | None
    cards: dict[int, CardFace]
    cancelled: dict[int, int | None] = field(default_factory=dict)
    specimen: bool = False

    def __post_init__(self) -> None:
        taken = set(self.cards) | set(self.cancelled)
        if set(self.cards) & set(self.cancelled):
            raise ValueError("a position cannot hold a card and a cancelled blank")
        if not taken <= set(range(SHEET_SIZE)):
            raise ValueError(f"positions must be 0..{SHEET_SIZE - 1}")


@dataclass(frozen=True, slots=True)
class Calibration:
    """Per-printer offsets applied to every sheet: millimetres and a scale factor."""

    dx_mm: float = 0.0
    dy_mm: float = 0.0
    scale: float = 1.0

"""Prints that must never consume folios or mark anyone issued: specimen and calibration."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from foundation.card_templates import load_sheet_layout, load_template
from foundation.credential.card import SHEET_SIZE
from foundation.credential.sign import SPECIMEN_QR_TEXT
from foundation.errors import InputError
from station.core.model import Calibration, CardFace, Nivel, School, SheetFace, Turno
from station.printer.calibration_page import render_calibration_pdf
from station.printer.sheet import render_sheets_pdf
from station.services.station import Station
from station.store import ledger

SPECIMEN_SCHOOL = School(
    cct="14XXX0000X", nombre="ESCUELA DE MUESTRA", nivel=Nivel.PRIMARIA,
    turno=Turno.MATUTINO, domicilio="DOMICILIO DE MUESTRA 123", municipio="GUADALAJARA",
    telefono="3300000000", drse="CENTRO 1 GUADALAJARA", matricula=0, internet=True)


def _calibration(station: Station, printer: str) -> Calibration:
    with station.db.read() as conn:
        return ledger.get_calibration(conn, printer)


def specimen_pdf(station: Station, *, printer: str) -> Path:
    """A sheet of 8 SPECIMEN cards (no folio, a QR that is no credential)."""
    cards = {
        pos: CardFace(folio=None, name="NOMBRE DE MUESTRA APELLIDO APELLIDO",
                      school=SPECIMEN_SCHOOL, photo=None, qr_text=SPECIMEN_QR_TEXT,
                      specimen=True)
        for pos in range(SHEET_SIZE)
    }
    out = station.sheets_dir / f"especimen-{date.today().isoformat()}.pdf"
    render_sheets_pdf(out, [SheetFace(sheet_id=None, cards=cards, specimen=True)],
                      template=load_template(station.settings["card.template"]),
                      layout=load_sheet_layout(station.settings["sheet.layout"]),
                      calibration=_calibration(station, printer))
    return out


def calibration_pdf(station: Station, *, printer: str) -> Path:
    out = station.sheets_dir / "calibracion.pdf"
    render_calibration_pdf(out, layout=load_sheet_layout(station.settings["sheet.layout"]),
                           calibration=_calibration(station, printer))
    return out


_PAIR = re.compile(r"^\s*(dx|dy|scale)\s*=\s*([-+]?\d+(?:\.\d+)?)\s*$")


def parse_calibration(text: str, *, base: Calibration | None = None) -> Calibration:
    """``"dx=1.5,dy=-0.8,scale=0.995"`` → Calibration; unnamed values keep ``base``'s.

    >>> parse_calibration("dx=1.5, scale=0.99")
    Calibration(dx_mm=1.5, dy_mm=0.0, scale=0.99)
    """
    values = {"dx": (base or Calibration()).dx_mm, "dy": (base or Calibration()).dy_mm,
              "scale": (base or Calibration()).scale}
    for part in text.split(","):
        match = _PAIR.match(part)
        if not match:
            raise InputError(f"No entiendo '{part.strip()}'. Escriba por ejemplo "
                             "dx=1.5,dy=-0.8,scale=0.995 (milímetros y escala).")
        values[match.group(1)] = float(match.group(2))
    if not (-10 <= values["dx"] <= 10 and -10 <= values["dy"] <= 10):
        raise InputError("Los desplazamientos dx y dy deben estar entre -10 y 10 mm.")
    if not 0.9 <= values["scale"] <= 1.1:
        raise InputError("La escala debe estar entre 0.9 y 1.1.")
    return Calibration(values["dx"], values["dy"], values["scale"])


def store_calibration(station: Station, printer: str, text: str) -> Calibration:
    """Parse ``text`` over the printer's current calibration and store the result."""
    with station.db.write() as conn:
        cal = parse_calibration(text, base=ledger.get_calibration(conn, printer))
        ledger.set_calibration(conn, printer, cal)
    return cal

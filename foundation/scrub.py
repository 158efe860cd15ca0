"""Keep CURPs out of what leaves a machine: problem reports, logs, descriptions people type.

A CURP is found however it was written: upper or lower case, and with spaces, dashes, dots,
slashes or underscores between its characters (people copy it from forms that group it:
``GOXL-150826-HJCNXN-C2``). The check digit is not required, so a mistyped CURP is scrubbed
too. The problem-report categories live here because central shows the same words the station
asked the person to choose from.

>>> scrub("no se pudo con GOXL150826HJCNXNC2 hoy")
'no se pudo con [CURP] hoy'
>>> scrub("alumno goxl 150826 hjcnxn c2, otro GOXL-150826-HJCNXN-C2.")
'alumno [CURP], otro [CURP].'
>>> scrub("CURP:GOXL150826HJCNXNC2GOXL150826HJCNXNC2")
'CURP:[CURP][CURP]'
>>> scrub("folio 0001234, 14DPR2207Z, estación EST-00001")
'folio 0001234, 14DPR2207Z, estación EST-00001'
"""

from __future__ import annotations

import re

_CURP_PARTS = [r"[A-Z]", r"[AEIOUX]", r"[A-Z]", r"[A-Z]", *[r"\d"] * 6, r"[HMX]",
               *[r"[A-Z]"] * 5, r"[A-Z0-9]", r"\d"]
_SEPARATOR = r"[\s._/-]{0,3}"
CURP_AS_WRITTEN = re.compile(_SEPARATOR.join(_CURP_PARTS), re.IGNORECASE)
"""A CURP's 18 characters, each separated from the next by up to three separators.

No word boundaries: a CURP glued to other letters (``CURPGOXL…``, two CURPs in a row) is
still a CURP; scrubbing a look-alike by mistake costs less than leaking a minor's CURP."""

CATEGORIES = {
    "impresora": "La impresora o las hojas",
    "camara": "La cámara o las fotos",
    "enmicadora": "La enmicadora o los insumos",
    "datos": "Los datos de alumnos o folios",
    "pantalla": "La pantalla o la estación",
    "otro": "Otro problema",
}
"""Problem-report categories: key → what the person chose (es-MX)."""


def scrub(text: str) -> str:
    """``text`` with every CURP replaced by ``[CURP]``."""
    return CURP_AS_WRITTEN.sub("[CURP]", text)

"""Drop-outs (bajas), format 30-524-PO-04-F04 (norm 15).

The plantel reports a baja at once with its date, type, a reason from the catalogue and the
tutor's written request (a scan, see :mod:`conalep.followup.scans`); DG Servicios Escolares
sees it immediately and it is channelled to Psicopedagogía, who record the attention given.
This module is the catalogue and the form rules; storage is in ``conalep.models.followup``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from conalep.followup.validation import Checker

TIPOS = {"TEMPORAL": "Temporal", "DEFINITIVA": "Definitiva"}

MOTIVOS = {
    "REPROBACION": "Reprobación de módulos",
    "ECONOMICO": "Problemas económicos",
    "TRABAJO": "Necesidad de trabajar",
    "FAMILIAR": "Problemas familiares",
    "SALUD": "Problemas de salud",
    "EMBARAZO": "Embarazo, maternidad o paternidad",
    "CAMBIO_DOMICILIO": "Cambio de domicilio",
    "CAMBIO_ESCUELA": "Cambio de escuela o de subsistema",
    "CARRERA": "La carrera no era la que esperaba",
    "INASISTENCIA": "Inasistencia",
    "CONVIVENCIA": "Sanción conforme a las Reglas de Convivencia Escolar",
    "OTRO": "Otro (descríbalo)",
}
"""Reasons for a baja; ``OTRO`` requires a description."""

RESULTADOS = {
    "REINCORPORADO": "Se reincorpora a clases",
    "BAJA_CONFIRMADA": "Se confirma la baja",
    "CANALIZADO": "Canalizado a otra instancia",
    "SIN_CONTACTO": "No fue posible contactar a la persona tutora",
}
"""What came of Psicopedagogía's attention."""

PENDIENTE, ATENDIDA = "PENDIENTE", "ATENDIDA"


@dataclass(frozen=True, slots=True)
class DropoutInput:
    matricula: str
    fecha_baja: dt.date
    tipo: str
    motivo: str
    detalle: str
    tutor_nombre: str
    tutor_parentesco: str


@dataclass(frozen=True, slots=True)
class AttentionInput:
    fecha_atencion: dt.date
    resultado: str
    acciones: str


def read_dropout(form: Mapping[str, str], *, today: dt.date,
                 earliest: dt.date | None = None) -> tuple[Checker, DropoutInput]:
    """The F04 fields from a form. Problems are left in the returned :class:`Checker` so the
    caller can add its own (unknown student, bad scan) before :meth:`Checker.done`."""
    c = Checker(form)
    matriculas = c.matriculas("matricula", "Matrícula")
    if len(matriculas) > 1:
        c.fail("Matrícula", "registre una baja a la vez.")
    fecha = c.date("fecha_baja", "Fecha de baja", not_after=today, not_before=earliest)
    tipo = c.choice("tipo", "Tipo de baja", TIPOS)
    motivo = c.choice("motivo", "Motivo", MOTIVOS)
    detalle = c.long_text("detalle", "Descripción del motivo", required=motivo == "OTRO",
                          limit=1000)
    tutor = c.text("tutor_nombre", "Nombre de la persona tutora", limit=120)
    parentesco = c.text("tutor_parentesco", "Parentesco", limit=40)
    return c, DropoutInput(matriculas[0] if matriculas else "", fecha or today, tipo, motivo,
                           detalle, tutor, parentesco)


def read_attention(form: Mapping[str, str], *, today: dt.date,
                   fecha_baja: dt.date) -> AttentionInput:
    """Psicopedagogía's attention: when, what was done and what came of it."""
    c = Checker(form)
    fecha = c.date("fecha_atencion", "Fecha de atención", not_after=today,
                   not_before=fecha_baja)
    resultado = c.choice("resultado", "Resultado", RESULTADOS)
    acciones = c.long_text("acciones", "Acciones realizadas", limit=2000)
    c.done()
    assert fecha is not None
    return AttentionInput(fecha, resultado, acciones)

"""The six CONALEP academic models (seed 000, norm 29) as data: what each one grants.

Both wings read this table: the certificates wing prints the model's text on a certificate
and applies the replacement rule of norms 18 and 28; the follow-up wing groups cohorts by it.

>>> model_for(2018).grants_bachillerato, model_for(1997).proceies_equivalence
(True, True)
>>> model_for(1990).title_es
'Profesional Técnico'
>>> model_for(2003).replacement_rule is ReplacementRule.NATIONAL_GUIDE
False
>>> model_for(1997).replacement_rule is ReplacementRule.NATIONAL_GUIDE
True
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Grant(enum.StrEnum):
    """What a certificate of the model accredits."""

    PT = "PT"
    """Profesional Técnico: terminal studies (training for work)."""
    PT_BACHILLER = "PT-B"
    """Profesional Técnico-Bachiller: also opens higher education."""


class ReplacementRule(enum.StrEnum):
    """How a lost certificate of the model is replaced (norms 18 and 28)."""

    NATIONAL_GUIDE = "guia-nacional"
    """Models before 2003: DG issues it by the national office's *Guía de emisión de
    documentos oficiales a egresados … anteriores al Modelo Académico 2003*."""
    CONVIVENCIA_RULES = "reglas-convivencia"
    """2003 and later: by the *Reglas de Convivencia Escolar del Sistema CONALEP*."""


@dataclass(frozen=True, slots=True)
class AcademicModel:
    year: int
    started: int
    last_generation: int | None
    """Year the last generation started; ``None`` while the model is open."""
    grants: tuple[Grant, ...]
    proceies_equivalence: bool
    """Graduates may get a Certificado de Equivalencia al Bachillerato via ProCEIES."""
    single_technical_track: bool
    """2023: one trayecto técnico (and none in the health careers)."""
    summary_es: str

    @property
    def grants_bachillerato(self) -> bool:
        return Grant.PT_BACHILLER in self.grants

    @property
    def title_es(self) -> str:
        """The title the certificate names (the highest the model grants)."""
        if self.grants_bachillerato:
            return "Profesional Técnico-Bachiller"
        return "Profesional Técnico"

    @property
    def replacement_rule(self) -> ReplacementRule:
        if self.year < 2003:
            return ReplacementRule.NATIONAL_GUIDE
        return ReplacementRule.CONVIVENCIA_RULES

    @property
    def certificate_text_es(self) -> str:
        """The sentence the certificate carries above the career name."""
        text = (
            "acreditó la totalidad de los módulos del plan de estudios del Modelo Académico "
            f"{self.year} y obtiene el título de {self.title_es} en la carrera de"
        )
        return text


ACADEMIC_MODELS: tuple[AcademicModel, ...] = (
    AcademicModel(
        1990, 1979, 1996, (Grant.PT,), True, False,
        "Estudios terminales (formación para el trabajo): solo Profesional Técnico. "
        "Sus egresados pueden obtener la equivalencia al bachillerato por ProCEIES.",
    ),
    AcademicModel(
        1997, 1997, 2003, (Grant.PT,), True, False,
        "Estudios terminales; con el ProCEIES sus egresados (y los de 1990) obtienen un "
        "Certificado de Equivalencia al Bachillerato.",
    ),
    AcademicModel(
        2003, 2004, 2007, (Grant.PT_BACHILLER,), False, False,
        "Solo Profesional Técnico-Bachiller: el certificado permite continuar a la educación "
        "superior.",
    ),
    AcademicModel(
        2008, 2008, 2017, (Grant.PT, Grant.PT_BACHILLER), False, False,
        "Competencias profesionales, genéricas y disciplinares: Profesional Técnico y, de "
        "manera adicional, Profesional Técnico-Bachiller.",
    ),
    AcademicModel(
        2018, 2018, None, (Grant.PT_BACHILLER,), False, False,
        "Incorpora el nuevo Modelo Educativo: solo Profesional Técnico-Bachiller.",
    ),
    AcademicModel(
        2023, 2023, None, (Grant.PT_BACHILLER,), False, True,
        "Marco Curricular Común de la Nueva Escuela Mexicana (Acuerdo 17/08/22): solo "
        "Profesional Técnico-Bachiller, un solo trayecto técnico (ninguno en las carreras de "
        "la salud).",
    ),
)

_BY_YEAR = {m.year: m for m in ACADEMIC_MODELS}


class UnknownModelError(ValueError):
    """The year is not one of CONALEP's academic models; ``str(exc)`` is Spanish."""


def model_for(year: int) -> AcademicModel:
    """The model of that year; UnknownModelError names the valid years."""
    try:
        return _BY_YEAR[year]
    except KeyError:
        years = ", ".join(str(y) for y in _BY_YEAR)
        raise UnknownModelError(
            f"El modelo académico {year} no existe; los modelos son {years}."
        ) from None

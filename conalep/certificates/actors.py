"""Who is acting, what each office may do, and the refusal every step raises."""

from __future__ import annotations

from dataclasses import dataclass

from foundation.errors import RuleViolation

STATE_WIDE = frozenset({"dg_escolares", "dg_director_general", "oficinas_nacionales",
                        "director_general_nacional", "cosfac"})
"""Roles not bound to one plantel."""


@dataclass(frozen=True, slots=True)
class Actor:
    username: str
    role: str
    plantel: str | None = None
    """The plantel of a plantel role; None for state-wide and national roles."""


class Refused(RuleViolation):
    """A step the rules refuse; nothing was written. ``message`` is Spanish for the page."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code, self.status = code, status


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise Refused("forbidden-role",
                      "Su cargo no puede hacer este paso del trámite de certificados.", 403)


def require_plantel(actor: Actor, plantel: str) -> None:
    """A plantel role acts only on its own plantel's students and certificates."""
    if actor.role not in STATE_WIDE and actor.plantel != plantel:
        raise Refused("other-plantel",
                      f"Ese alumno o certificado es del plantel {plantel}; usted solo puede "
                      f"actuar sobre los del plantel {actor.plantel}.", 403)

"""Who may do what, and on which plantel (seed 000: the actors of procedure 30-524-PO-04).

Roles (values in snake_case, fixed for every wing):

- ``dg_escolares`` — Servicios Escolares of the Dirección General: state-wide, imports SAE,
  publishes the SISEAC report, manages accounts;
- ``dg_formacion_tecnica`` — Formación Técnica (DG): state-wide, reads;
- ``psicopedagogia`` — Psicopedagogía (DG): state-wide, attends drop-outs;
- ``plantel_director``, ``plantel_escolares`` — a campus's director and Servicios Escolares:
  **their own plantel only** (``clave_plantel`` of the account);
- ``dg_director_general`` — the state director general (a signer of certificates);
- ``oficinas_nacionales``, ``director_general_nacional``, ``cosfac`` — national office, national
  director general and COSFAC (folios, signatures and federal validation of certificates).

Every page and API route asks :meth:`Scope.require` for its action and filters by
:meth:`Scope.planteles` / :meth:`Scope.require_plantel`. Wings add their actions to
:data:`PERMISSIONS` (one line per action).

>>> s = Scope("ana", Role.PLANTEL_ESCOLARES, "165")
>>> s.may("view_grades"), s.may("import_sae"), s.planteles
(True, False, ('165',))
>>> Scope("dg", Role.DG_ESCOLARES, None).planteles is None
True
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from foundation.web.refusal import Refusal


class Role(enum.StrEnum):
    DG_ESCOLARES = "dg_escolares"
    DG_FORMACION_TECNICA = "dg_formacion_tecnica"
    PSICOPEDAGOGIA = "psicopedagogia"
    PLANTEL_DIRECTOR = "plantel_director"
    PLANTEL_ESCOLARES = "plantel_escolares"
    DG_DIRECTOR_GENERAL = "dg_director_general"
    OFICINAS_NACIONALES = "oficinas_nacionales"
    DIRECTOR_GENERAL_NACIONAL = "director_general_nacional"
    COSFAC = "cosfac"


ROLE_LABELS_ES: dict[str, str] = {
    Role.DG_ESCOLARES: "Servicios Escolares (DG)",
    Role.DG_FORMACION_TECNICA: "Formación Técnica (DG)",
    Role.PSICOPEDAGOGIA: "Psicopedagogía (DG)",
    Role.PLANTEL_DIRECTOR: "Dirección de plantel",
    Role.PLANTEL_ESCOLARES: "Servicios Escolares de plantel",
    Role.DG_DIRECTOR_GENERAL: "Dirección General estatal",
    Role.OFICINAS_NACIONALES: "Oficinas Nacionales",
    Role.DIRECTOR_GENERAL_NACIONAL: "Dirección General nacional",
    Role.COSFAC: "COSFAC",
}

PLANTEL_ROLES = frozenset({Role.PLANTEL_DIRECTOR, Role.PLANTEL_ESCOLARES})
"""Roles bound to one plantel: they see and change only its students."""

_ACADEMIC_READERS = frozenset({Role.DG_ESCOLARES, Role.DG_FORMACION_TECNICA,
                               Role.PSICOPEDAGOGIA, Role.DG_DIRECTOR_GENERAL, *PLANTEL_ROLES})

PERMISSIONS: dict[str, frozenset[Role]] = {
    # academic wing (conalep/academic)
    "manage_accounts": frozenset({Role.DG_ESCOLARES}),
    "import_sae": frozenset({Role.DG_ESCOLARES}),
    "view_grades": _ACADEMIC_READERS,
    "rectify_grade": frozenset({Role.DG_ESCOLARES, Role.PLANTEL_ESCOLARES}),
    "view_siseac": _ACADEMIC_READERS,
    "publish_siseac": frozenset({Role.DG_ESCOLARES}),
    "edit_calendar": frozenset({Role.DG_ESCOLARES}),
    # follow-up wing (conalep/followup): norms 12c, 14, 15, 30 and the indicator
    "view_dropouts": _ACADEMIC_READERS,
    "record_dropout": frozenset({Role.DG_ESCOLARES, *PLANTEL_ROLES}),
    "attend_dropout": frozenset({Role.PSICOPEDAGOGIA}),
    "view_tutoring": _ACADEMIC_READERS,
    "assign_tutoring": frozenset({Role.DG_ESCOLARES, Role.DG_FORMACION_TECNICA,
                                  *PLANTEL_ROLES}),
    "view_meetings": _ACADEMIC_READERS,
    "convene_meeting": frozenset({Role.DG_ESCOLARES}),
    "record_minutes": frozenset({Role.DG_ESCOLARES, Role.DG_FORMACION_TECNICA,
                                 Role.PSICOPEDAGOGIA}),
    "view_efficiency": _ACADEMIC_READERS,
    "junta_report": frozenset({Role.DG_ESCOLARES, Role.DG_DIRECTOR_GENERAL}),
    # certificates wing (conalep/certificates); each step also checks its own office
    "view_certificates": frozenset({Role.DG_ESCOLARES, Role.PLANTEL_ESCOLARES,
                                    Role.PLANTEL_DIRECTOR, Role.DG_DIRECTOR_GENERAL,
                                    Role.DIRECTOR_GENERAL_NACIONAL, Role.COSFAC,
                                    Role.OFICINAS_NACIONALES}),
    "manage_folios": frozenset({Role.DG_ESCOLARES, Role.OFICINAS_NACIONALES,
                                Role.PLANTEL_ESCOLARES}),
    "sign_certificates": frozenset({Role.PLANTEL_DIRECTOR, Role.DG_DIRECTOR_GENERAL,
                                    Role.DIRECTOR_GENERAL_NACIONAL}),
    "register_signer_keys": frozenset({Role.DG_ESCOLARES}),
    "deliver_certificates": frozenset({Role.DG_ESCOLARES, Role.PLANTEL_ESCOLARES}),
    # privacy wing (conalep/privacy, issue 18): the state office reads the access record;
    # Servicios Escolares DG answers ARCO requests for the Unidad de Transparencia
    "view_access_record": frozenset({Role.DG_DIRECTOR_GENERAL, Role.DG_ESCOLARES}),
    "attend_arco": frozenset({Role.DG_ESCOLARES}),
}
"""Action → roles allowed. Unknown actions are refused."""

_ACTION_WORDS: dict[str, str] = {
    "manage_accounts": "administrar las cuentas",
    "import_sae": "importar las exportaciones del SAE",
    "view_grades": "consultar calificaciones",
    "rectify_grade": "registrar rectificaciones de calificaciones",
    "view_siseac": "consultar el reporte SISEAC",
    "publish_siseac": "publicar el reporte SISEAC",
    "edit_calendar": "modificar el calendario de captura",
    "view_dropouts": "consultar las bajas",
    "record_dropout": "registrar bajas",
    "attend_dropout": "registrar la atención de Psicopedagogía a una baja",
    "view_tutoring": "consultar las asesorías complementarias",
    "assign_tutoring": "asignar asesorías complementarias",
    "view_meetings": "consultar las reuniones de revisión",
    "convene_meeting": "convocar reuniones de revisión de seguimiento académico",
    "record_minutes": "registrar la minuta de una reunión de revisión",
    "view_efficiency": "consultar la eficiencia terminal",
    "junta_report": "generar el informe trimestral para la Junta Directiva",
    "view_certificates": "consultar los certificados",
    "manage_folios": "administrar los folios electrónicos",
    "sign_certificates": "firmar certificados",
    "register_signer_keys": "registrar llaves de firma",
    "deliver_certificates": "registrar entregas de certificados",
    "view_access_record": "consultar el registro de accesos a datos personales",
    "attend_arco": "atender solicitudes ARCO (acceso, rectificación, cancelación, oposición)",
}


def allowed(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action``.

    >>> allowed("dg_escolares", "publish_siseac"), allowed("plantel_director", "no-such")
    (True, False)
    """
    return role in {r.value for r in PERMISSIONS.get(action, frozenset())}


def describe(action: str) -> str:
    return _ACTION_WORDS.get(action, action.replace("_", " "))


@dataclass(frozen=True, slots=True)
class Scope:
    """What a signed-in person may see and touch. ``clave_plantel`` is set for campus roles."""

    username: str
    role: str
    clave_plantel: str | None

    @property
    def state_wide(self) -> bool:
        return self.role not in PLANTEL_ROLES

    @property
    def planteles(self) -> tuple[str, ...] | None:
        """The planteles a listing is limited to, or None for the whole state."""
        if self.state_wide:
            return None
        return (self.clave_plantel or "",)

    def may(self, action: str) -> bool:
        return allowed(self.role, action)

    def require(self, action: str) -> None:
        if not self.may(action):
            raise Refusal(403, "role-not-allowed",
                          f"Su rol ({ROLE_LABELS_ES.get(self.role, self.role)}) no permite "
                          f"{describe(action)}.")

    def sees_plantel(self, clave_plantel: str) -> bool:
        return self.state_wide or clave_plantel == self.clave_plantel

    def require_plantel(self, clave_plantel: str, what: str = "") -> None:
        """Refuses another campus's data; the message does not reveal whether it exists."""
        if not self.sees_plantel(clave_plantel):
            raise Refusal(403, "outside-plantel",
                          f"Su cuenta es del plantel {self.clave_plantel}: "
                          f"{what or 'ese dato'} no le corresponde.")

    def require_planteles(self, claves: Iterable[str], what: str = "") -> None:
        for clave in claves:
            self.require_plantel(clave, what)

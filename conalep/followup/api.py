"""JSON API of the academic follow-up, for the office's scripts: the SISEAC report of a
corte, the students at risk, the bajas, and terminal efficiency.

The same checks as the pages (:mod:`conalep.roles`): the action's permission, a campus
account only its own plantel (another plantel's answers 403), a campus account only a
corte DG has published (404 before). The figures are those of ``conalep siseac --json``
and ``conalep eficiencia --json`` (the same functions build them). Refusals answer
``{"error": {"code", "message"}}``; a missing session is 401. No CURP, birth date or photo.
"""

# No ``from __future__ import annotations``: FastAPI must see the Annotated dependencies.

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select

from conalep.academic import siseac
from conalep.academic.siseac import Rules, SiseacReport
from conalep.context import Ctx, Db
from conalep.followup import records
from conalep.followup.dropouts import ATENDIDA, MOTIVOS, PENDIENTE, TIPOS
from conalep.followup.efficiency import concluded
from conalep.models.academic import Alumno
from conalep.models.followup import Baja
from conalep.privacy.access import reads
from conalep.web import ApiStaff, ConalepUser
from foundation.web.refusal import Refusal

router = APIRouter(prefix="/staff/api/seguimiento", include_in_schema=True,
                   tags=["seguimiento académico"])
ESTADOS = ("pendientes", "atendidas", "nuevas", "todas")


def _report(user: ConalepUser, ctx: Ctx, session: Db, periodo: str, corte: int,
            plantel: str) -> SiseacReport:
    """As the page: permission, plantel in scope, published for campus accounts; built for
    one plantel when one is asked (or the account has one), as ``conalep siseac
    --plantel`` does."""
    scope = user.scope
    scope.require("view_siseac")
    if corte not in (1, 2, 3):
        raise Refusal(422, "bad-corte", "El corte debe ser 1, 2 o 3.")
    if plantel:
        scope.require_plantel(plantel, f"el plantel {plantel}")
    if not scope.state_wide and not siseac.is_published(session, periodo, corte):
        raise Refusal(404, "not-published",
                      f"Servicios Escolares de la Dirección General todavía no publica el "
                      f"reporte SISEAC del corte {corte} del periodo {periodo}.")
    planteles = (plantel,) if plantel else scope.planteles
    report = siseac.build_report(session, periodo, corte, Rules.of(ctx.settings), planteles)
    if not report.modules:
        raise Refusal(404, "no-grades", f"No hay calificaciones del periodo {periodo} hasta "
                                        f"el corte {corte} en su alcance.")
    return report


@router.get("/siseac")
def siseac_report(request: Request, user: ApiStaff, ctx: Ctx, session: Db, periodo: str, corte: int,
                  plantel: str = "") -> dict[str, Any]:
    """The keys of ``conalep siseac --json``: failing_students, late_captures,
    missing_captures, at_risk (and the rules applied)."""
    report = _report(user, ctx, session, periodo, corte, plantel)
    reads(session, request, user, "reporte SISEAC (API)",
          [s.matricula for s in report.students] + [m.matricula for m in report.modules])
    return report.as_json()


@router.get("/en-riesgo")
def at_risk(request: Request, user: ApiStaff, ctx: Ctx, session: Db, periodo: str, corte: int,
            plantel: str = "") -> dict[str, Any]:
    """The students at risk in a corte, with their reasons."""
    data = _report(user, ctx, session, periodo, corte, plantel).as_json()
    reads(session, request, user, "alumnos en riesgo (API)",
          [s["matricula"] for s in data["at_risk"]])
    return {"periodo": periodo, "corte": corte, "at_risk": data["at_risk"],
            "rules": data["rules"]}


@router.get("/bajas")
def dropouts(request: Request, user: ApiStaff, session: Db, estado: str = "todas",
             plantel: str = "",
             periodo: str = "") -> list[dict[str, Any]]:
    """The bajas in scope, newest first. ``estado``: pendientes (Psicopedagogía's queue),
    atendidas, nuevas (not yet opened by Servicios Escolares DG) or todas."""
    user.scope.require("view_dropouts")
    if estado not in ESTADOS:
        raise Refusal(422, "bad-filter", "El estado debe ser " + ", ".join(ESTADOS) + ".")
    query = (select(Baja, Alumno).join(Alumno, Alumno.matricula == Baja.matricula)
             .order_by(Baja.registrada_en.desc(), Baja.id.desc()))
    if plantel:
        user.scope.require_plantel(plantel, f"el plantel {plantel}")
        query = query.where(Baja.clave_plantel == plantel)
    elif user.scope.planteles is not None:
        query = query.where(Baja.clave_plantel.in_(user.scope.planteles))
    if periodo:
        query = query.where(Baja.periodo == periodo)
    if estado == "nuevas":
        query = query.where(Baja.vista_dg_en.is_(None))
    elif estado != "todas":
        query = query.where(Baja.estado == (PENDIENTE if estado == "pendientes"
                                            else ATENDIDA))
    rows = session.execute(query).all()
    reads(session, request, user, "lista de bajas (API)", [a.matricula for _, a in rows])
    return [_baja_json(b, a) for b, a in rows]


def _baja_json(b: Baja, a: Alumno) -> dict[str, Any]:
    return {"folio": b.id, "matricula": a.matricula, "alumno": records.full_name(a),
            "clave_plantel": b.clave_plantel, "periodo": b.periodo,
            "fecha_baja": b.fecha_baja.isoformat(), "tipo": b.tipo,
            "tipo_texto": TIPOS.get(b.tipo, b.tipo), "motivo": b.motivo,
            "motivo_texto": MOTIVOS.get(b.motivo, b.motivo), "estado": b.estado,
            "registrada_en": b.registrada_en.isoformat(),
            "vista_por_dg": b.vista_dg_en is not None,
            "fecha_atencion": b.fecha_atencion.isoformat() if b.fecha_atencion else None,
            "resultado": b.resultado}


@router.get("/eficiencia")
def efficiency(user: ApiStaff, session: Db, plantel: str = "") -> list[dict[str, Any]]:
    """Terminal efficiency of the concluded generaciones, as ``conalep eficiencia --json``
    (for a campus account: its plantel's rows)."""
    user.scope.require("view_efficiency")
    if plantel:
        user.scope.require_plantel(plantel, f"el plantel {plantel}")
    rows = concluded(records.efficiency(session, user.scope))
    return [r.to_json() for r in rows if not plantel or r.clave_plantel == plantel]


ROUTERS: list[APIRouter] = [router]

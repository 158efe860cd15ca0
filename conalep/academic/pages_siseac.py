"""The SISEAC pages: the report of a corte with filters, its XLSX and PDF, and DG's
publication (norm 11: a plantel sees a corte's report once DG published it, and only its own
students)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from conalep.academic import siseac, siseac_export
from conalep.academic.siseac import Filters, Rules, SiseacReport
from conalep.context import Ctx, Db, utcnow
from conalep.models.academic import SiseacPublication
from conalep.navigation import NAV, NavItem
from conalep.privacy.access import reads
from conalep.web import CheckedForm, ConalepUser, Staff, WebRoute, page, record
from foundation.web.downloads import XLSX_TYPE, download
from foundation.web.pages import local, text
from foundation.web.refusal import Refusal

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)
NAV.append(NavItem("siseac", "/staff/siseac", "Reporte SISEAC", "view_siseac",
               "avance por corte: calificaciones, reprobación, alumnos en riesgo, "
               "incumplimiento del registro; descarga en Excel y PDF"))
SHOWN_ROWS = 400


def _report(user: ConalepUser, ctx: Ctx, session: Session, periodo: str, corte: int,
            filters: Filters) -> SiseacReport:
    """The report this person may see: campus roles only a published corte, own plantel."""
    scope = user.scope
    scope.require("view_siseac")
    if corte not in (1, 2, 3):
        raise Refusal(422, "bad-corte", "El corte debe ser 1, 2 o 3.")
    if filters.clave_plantel:
        scope.require_plantel(filters.clave_plantel, f"el plantel {filters.clave_plantel}")
    if not scope.state_wide and not siseac.is_published(session, periodo, corte):
        raise Refusal(404, "not-published",
                      f"Servicios Escolares de la Dirección General todavía no publica el "
                      f"reporte SISEAC del corte {corte} del periodo {periodo}.")
    report = siseac.build_report(session, periodo, corte, Rules.of(ctx.settings),
                                 scope.planteles)
    return filters.apply(report)


def _filters(plantel: str, carrera: str, grupo: str, modulo: str, docente: str,
             riesgo: str) -> Filters:
    return Filters(plantel.strip(), carrera.strip(), grupo.strip(), modulo.strip(),
                   docente.strip(), riesgo == "si")


@router.get("/siseac", response_class=HTMLResponse)
def report_page(request: Request, user: Staff, ctx: Ctx, session: Db, periodo: str = "",
                corte: int = 0, plantel: str = "", carrera: str = "", grupo: str = "",
                modulo: str = "", docente: str = "", riesgo: str = "") -> HTMLResponse:
    user.scope.require("view_siseac")
    known = siseac.periodos(session)
    periodo = periodo or (known[0] if known else "")
    choices = siseac.catalogues(session, user.scope.planteles)
    publication = {c: session.get(SiseacPublication, (periodo, c)) for c in (1, 2, 3)}
    context = {"periodos": known, "periodo": periodo, "corte": corte, "plantel": plantel,
               "carrera": carrera, "grupo": grupo, "modulo": modulo, "docente": docente,
               "riesgo": riesgo, "publication": publication, "shown_rows": SHOWN_ROWS,
               "query": request.url.query, **choices}
    if not periodo or not corte:
        return page(request, "academic/siseac.html", user, nav="siseac", report=None,
                    **context)
    filters = _filters(plantel, carrera, grupo, modulo, docente, riesgo)
    report = _report(user, ctx, session, periodo, corte, filters)
    reads(session, request, user, "reporte SISEAC", _named(report))
    return page(request, "academic/siseac.html", user, nav="siseac", report=report,
                data=report.as_json(),
                sabana_in_xlsx=siseac_export.sabana_in_workbook(report), **context)


def _named(report: SiseacReport) -> list[str]:
    """The students a report (page or download) names: its student rows and module rows."""
    return [s.matricula for s in report.students] + [m.matricula for m in report.modules]


def _download_name(periodo: str, corte: int, filters: Filters, ext: str) -> str:
    where = f"-plantel-{filters.clave_plantel}" if filters.clave_plantel else ""
    return f"SISEAC-{periodo}-corte-{corte}{where}.{ext}"


@router.get("/siseac.xlsx")
def report_xlsx(request: Request, user: Staff, ctx: Ctx, session: Db, periodo: str, corte: int,
                plantel: str = "", carrera: str = "", grupo: str = "", modulo: str = "",
                docente: str = "", riesgo: str = "") -> Response:
    filters = _filters(plantel, carrera, grupo, modulo, docente, riesgo)
    report = _report(user, ctx, session, periodo, corte, filters)
    link = "/staff/siseac-sabana.csv?" + urlencode(
        {k: v for k, v in (("periodo", periodo), ("corte", corte), ("plantel", plantel),
                           ("carrera", carrera), ("grupo", grupo), ("modulo", modulo),
                           ("docente", docente), ("riesgo", riesgo)) if v})
    reads(session, request, user, "reporte SISEAC (Excel)", _named(report))
    return download(siseac_export.workbook(report, link),
                    _download_name(periodo, corte, filters, "xlsx"), XLSX_TYPE)


@router.get("/siseac-sabana.csv")
def report_sabana_csv(request: Request, user: Staff, ctx: Ctx, session: Db, periodo: str,
                      corte: int,
                      plantel: str = "", carrera: str = "", grupo: str = "", modulo: str = "",
                      docente: str = "", riesgo: str = "") -> Response:
    """The sábana as CSV: the state-wide one is too large for a quick Excel workbook."""
    filters = _filters(plantel, carrera, grupo, modulo, docente, riesgo)
    report = _report(user, ctx, session, periodo, corte, filters)
    reads(session, request, user, "sábana SISEAC (CSV)", _named(report))
    return download(siseac_export.sabana_csv(report),
                    _download_name(periodo, corte, filters, "csv").replace(
                        "SISEAC-", "SISEAC-sabana-", 1), "text/csv; charset=utf-8")


@router.get("/siseac.pdf")
def report_pdf(request: Request, user: Staff, ctx: Ctx, session: Db, periodo: str, corte: int,
               plantel: str = "", carrera: str = "", grupo: str = "", modulo: str = "",
               docente: str = "", riesgo: str = "") -> Response:
    filters = _filters(plantel, carrera, grupo, modulo, docente, riesgo)
    report = _report(user, ctx, session, periodo, corte, filters)
    shown = ", ".join(f"{k} {v}" for k, v in (
        ("plantel", filters.clave_plantel), ("carrera", filters.clave_carrera),
        ("grupo", filters.grupo), ("módulo", filters.clave_modulo),
        ("docente", filters.clave_docente)) if v)
    subtitle = (f"{len(report.students)} alumnos · {report.failing_students} con algún módulo "
                f"reprobado · {len(report.at_risk)} en riesgo · {report.late_captures} "
                f"capturas tardías · {sum(c.missing for c in report.compliance)} sin capturar"
                + (f" · filtros: {shown}" if shown else "")
                + (" · sólo en riesgo" if filters.only_at_risk else "")
                + f" · generado {local(utcnow())}")
    reads(session, request, user, "reporte SISEAC (PDF)", _named(report))
    return download(siseac_export.pdf(report, subtitle),
                    _download_name(periodo, corte, filters, "pdf"), "application/pdf")


@router.post("/siseac/publicar")
def publish(user: Staff, session: Db, form: CheckedForm) -> Response:
    """DG publishes a corte's report: from now on each plantel sees its own (norm 11)."""
    user.scope.require("publish_siseac")
    periodo, corte_text = text(form, "periodo", limit=20), text(form, "corte", limit=1)
    if corte_text not in ("1", "2", "3") or periodo not in siseac.periodos(session):
        raise Refusal(422, "bad-corte", "Elija un periodo del calendario y un corte (1, 2 o 3).")
    corte, now = int(corte_text), utcnow()
    if not siseac.is_published(session, periodo, corte):
        session.add(SiseacPublication(periodo=periodo, corte=corte, published_at=now,
                                      published_by=user.username))
        record(session, staff=user.username, action="publish-siseac",
               target=f"{periodo} corte {corte}", reason="", now=now)
        session.commit()
    return RedirectResponse(f"/staff/siseac?periodo={periodo}&corte={corte}", status_code=303)

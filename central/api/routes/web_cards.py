"""Staff page «Credenciales»: find a card by folio or student name; undo issued; revoke."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import String, and_, func, select
from sqlalchemy.orm import Session

from central.api.deps import Db, RowId, utcnow
from central.api.routes.access import seen
from central.api.routes.web_session import CheckedForm, Staff, StaffUser, WebRoute, page
from central.crud import cards as card_ops
from central.errors import ApiError
from central.models import Card, School, Station, Student
from foundation.web.pages import text

router = APIRouter(prefix="/staff/credenciales", route_class=WebRoute, include_in_schema=False)
MAX_RESULTS = 200
STATUS_ES = {"active": "vigente", "replaced": "reemplazada por otra", "revoked": "revocada",
             "spoiled": "inutilizada (hoja cancelada)", "undone": "expedición anulada"}
_ACTIONS = {"deshacer": (True, "¿Deshacer la expedición de la credencial con folio {folio}?",
                         "La estación la marcará como no expedida y el alumno quedará pendiente "
                         "otra vez (técnico 9). La credencial deja de ser válida.",
                         "Sí, deshacer la expedición"),
            "revocar": (False, "¿Revocar la credencial con folio {folio}?",
                        "La credencial deja de ser válida en todas las estaciones.",
                        "Sí, revocar")}


_GONE = "(alumno que ya no está en la plantilla)"


def _student_name(st: Student | None) -> str:
    if st is None:
        return _GONE
    return " ".join(x for x in (st.nombre, st.primer_apellido, st.segundo_apellido) if x)


def search(session: Session, user: StaffUser, *, folio: str,
           name: str) -> list[tuple[Card, str]]:
    """Cards of the person's scope by folio, or by words of the student's name."""
    query = select(Card, Student).outerjoin(Student, Student.curp == Card.curp)
    if folio:
        # ASCII digits only ("²".isdigit() is true), and no more than a folio can have.
        if not (folio.isascii() and folio.isdigit() and len(folio) <= 15):
            raise ApiError(422, "bad-folio", "El folio son sólo números (hasta 15 cifras), por "
                                             "ejemplo 1000123.")
        query = query.where(Card.folio == int(folio))
    full = func.upper(Student.nombre + " " + Student.primer_apellido + " "
                      + Student.segundo_apellido, type_=String)
    words = name.upper().split()
    if words:
        query = query.where(and_(*(full.contains(w, autoescape=True) for w in words)))
    ccts = user.scope.ccts(session)
    if ccts is not None:
        query = query.where(Card.cct.in_(ccts))
    rows = session.execute(query.order_by(Card.issued_on.desc(), Card.id.desc())
                           .limit(MAX_RESULTS))
    return [(c, _student_name(st)) for c, st in rows]


@router.get("", response_class=HTMLResponse)
def cards_page(request: Request, user: Staff, session: Db, folio: str = "",
               nombre: str = "") -> HTMLResponse:
    # A NUL can match no name, and PostgreSQL refuses it in a query.
    folio, nombre = folio.strip(), " ".join(nombre.replace("\x00", " ").split())[:120]
    results = search(session, user, folio=folio, name=nombre) if folio or nombre else None
    if results:
        seen(request, user, session, "búsqueda de credenciales",
             ((c.curp, c.cct) for c, name in results if name != _GONE))
    session.commit()
    return page(request, "web_cards.html", user, nav="credenciales", folio=folio,
                nombre=nombre, results=results, status_es=STATUS_ES, limit=MAX_RESULTS)


def _card_in_scope(session: Session, user: StaffUser, card_id: int) -> Card:
    card = session.get(Card, card_id)
    if card is None:
        raise ApiError(404, "card-not-found", f"No existe la credencial {card_id}.")
    user.scope.require_card(session, card)
    return card


def _detail(request: Request, user: StaffUser, session: Session, card: Card, *,
            done: str = "") -> HTMLResponse:
    student = session.get(Student, card.curp)
    if student is not None:
        seen(request, user, session, f"credencial folio {card.folio}", [(card.curp, card.cct)])
    out = page(request, "web_card.html", user, nav="credenciales", card=card, done=done,
               student=_student_name(student), school=session.get(School, card.cct),
               station=session.get(Station, card.station_id), status_es=STATUS_ES,
               can_act=card.status in ("active", "replaced"))
    session.commit()
    return out


@router.get("/{card_id}", response_class=HTMLResponse)
def card_page(request: Request, card_id: RowId, user: Staff, session: Db) -> HTMLResponse:
    return _detail(request, user, session, _card_in_scope(session, user, card_id))


@router.post("/{card_id}/{action}", response_class=HTMLResponse)
def card_action(request: Request, card_id: RowId, action: str, user: Staff, form: CheckedForm,
                session: Db) -> HTMLResponse:
    """«deshacer» (undo issued) or «revocar»: a confirmation page, then the same crud as the
    staff API (:func:`central.crud.cards.staff_revoke`), which records the action."""
    if action not in _ACTIONS:
        raise ApiError(404, "not-found", "No existe esa acción.")
    undo, title, explain, button = _ACTIONS[action]
    card = _card_in_scope(session, user, card_id)
    reason = text(form, "motivo")
    if len(reason) < 3:
        raise ApiError(422, "missing-reason", "Escriba el motivo (al menos 3 letras).")
    if text(form, "confirmar") != "si":
        session.commit()
        return page(request, "web_confirm.html", user, nav="credenciales",
                    title=title.format(folio=card.folio), explain=explain, reason=reason,
                    action=f"/staff/credenciales/{card.id}/{action}", button=button,
                    back=f"/staff/credenciales/{card.id}")
    card = card_ops.staff_revoke(session, card_id=card.id, staff=user.username, reason=reason,
                                 undo=undo, now=utcnow())
    session.commit()
    words = "Se anuló la expedición" if undo else "Se revocó la credencial"
    return _detail(request, user, session, card,
                   done=f"{words} (folio {card.folio}). Las estaciones lo reciben en su "
                        "próxima sincronización.")

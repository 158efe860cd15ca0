"""The home page (what this person may open) and the root redirect."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from conalep.context import Db
from conalep.followup.pages_dropouts import new_count, pending_count
from conalep.navigation import nav_items
from conalep.roles import Role
from conalep.web import Staff, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/staff", status_code=303)


@router.get("/staff", response_class=HTMLResponse)
def home(request: Request, user: Staff, session: Db) -> HTMLResponse:
    """What this person may open and, for the offices that act on bajas (norm 15), how many
    wait for them: Servicios Escolares DG the bajas none of them has opened yet (the list's
    «nueva» mark: "since we last looked", shared by the office), Psicopedagogía its queue."""
    role = user.scope.role
    new_bajas = new_count(session, user.scope) if role == Role.DG_ESCOLARES else None
    pending = pending_count(session, user.scope) if role == Role.PSICOPEDAGOGIA else None
    return page(request, "home.html", user, nav="inicio", items=nav_items(user),
                new_bajas=new_bajas, pending_bajas=pending)

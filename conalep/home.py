"""The home page (what this person may open) and the root redirect."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from conalep.navigation import nav_items
from conalep.web import Staff, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/staff", status_code=303)


@router.get("/staff", response_class=HTMLResponse)
def home(request: Request, user: Staff) -> HTMLResponse:
    return page(request, "home.html", user, nav="inicio", items=nav_items(user))

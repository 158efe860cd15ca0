"""A minimal staff page (Jinja2): stations and conflicts. Same token as the staff API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from central.api.deps import Db, Staff
from central.api.routes.admin import open_conflicts, station_json
from central.models import Station

router = APIRouter(tags=["web"])
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parents[2] / "templates"))


@router.get("/staff", response_class=HTMLResponse, include_in_schema=False)
def staff_page(request: Request, _: Staff, session: Db) -> HTMLResponse:
    stations = [station_json(s) for s in session.scalars(select(Station).order_by(Station.id))]
    return templates.TemplateResponse(request, "staff.html", {
        "stations": stations, "conflicts": open_conflicts(session)})

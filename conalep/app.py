"""The FastAPI application: ``create_app(settings)``; ``conalep serve`` runs it under uvicorn.

Each wing adds its routers to :data:`ROUTERS` (one line per wing).

>>> from conalep.settings import ConalepSettings
>>> import tempfile, pathlib
>>> app = create_app(ConalepSettings(data_dir=pathlib.Path(tempfile.mkdtemp())))
>>> app.title
'CONALEP Veracruz — seguimiento académico y certificados'
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from conalep import home
from conalep.academic import routes as academic_routes
from conalep.certificates import api as certificate_api
from conalep.certificates import pages as certificate_pages
from conalep.certificates import public as certificate_public
from conalep.context import AppContext, utcnow
from conalep.db import upgrade
from conalep.followup import api as followup_api
from conalep.followup import pages as followup_pages
from conalep.privacy import pages as privacy_pages
from conalep.settings import ConalepSettings
from conalep.web import BOOK, STAFF_WEB
from foundation.migrations_env import ready_engine
from foundation.sqldb import make_sessionmaker
from foundation.web.auth import auth_router
from foundation.web.refusal import Refusal


def _routers() -> list[APIRouter]:
    from conalep.context import get_db

    return [
        auth_router(STAFF_WEB, BOOK, db=get_db, now=utcnow),
        home.router,
        *academic_routes.ROUTERS,
        *followup_pages.ROUTERS,
        *followup_api.ROUTERS,
        *certificate_pages.ROUTERS,
        *certificate_api.ROUTERS,
        *certificate_public.ROUTERS,
        *privacy_pages.ROUTERS,
    ]


def create_app(settings: ConalepSettings | None = None, *, migrate: bool = True) -> FastAPI:
    settings = settings or ConalepSettings.load()
    engine = ready_engine(settings, upgrade if migrate else None)
    app = FastAPI(title="CONALEP Veracruz — seguimiento académico y certificados", version="1",
                  description="Calificaciones por corte, reporte SISEAC, bajas, asesorías, "
                              "eficiencia terminal y certificados electrónicos.")
    app.state.ctx = AppContext(settings=settings, sessions=make_sessionmaker(engine))
    app.state.engine = engine

    @app.exception_handler(Refusal)
    async def _refusal(_request: Request, exc: Refusal) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    for router in _routers():
        app.include_router(router)
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory conalep.app:app_factory`` (settings from the environment;
    migrations are applied by ``conalep serve`` / ``conalep migrate`` first)."""
    return create_app(migrate=False)

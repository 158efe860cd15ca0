"""The FastAPI application: ``create_app(settings)``; uvicorn serves ``central.api.app:app``.

>>> from central.settings import CentralSettings
>>> import tempfile, pathlib
>>> app = create_app(CentralSettings(data_dir=pathlib.Path(tempfile.mkdtemp())))
>>> app.openapi()["info"]["title"]
'Credenciales escolares — servicio central'
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from central.api.deps import AppContext
from central.api.middleware import BodyLimit, CatchAll, PageHeaders, Refuse, refuse_json
from central.api.routes import (
    admin,
    enroll,
    releases,
    station_health,
    sync,
    sync_offices,
    sync_privacy,
    sync_support,
    web,
    web_import,
    web_offices,
)
from central.api.routes.web_session import templates
from central.crud.folios import ensure_counter
from central.db import upgrade
from central.errors import install_handlers
from central.logs import install_scrub_filter
from central.settings import CentralSettings
from foundation.credential.keys import StationKey
from foundation.migrations_env import ready_engine
from foundation.photostore import PhotoStore
from foundation.sqldb import make_sessionmaker


def _limits(settings: CentralSettings) -> Callable[[dict[str, Any]], tuple[int, Refuse]]:
    """Per request: the body limit and how to refuse (the staff upload answers a page)."""

    def limit_for(scope: dict[str, Any]) -> tuple[int, Refuse]:
        path = scope["path"]
        if scope["method"] == "POST" and path in (web_import.UPLOAD_PATH,
                                                   web_offices.UPLOAD_PATH):
            return settings.max_upload_bytes, web_import.too_large
        if (scope["method"] == "POST" and path == sync_offices.UPLOAD_PATH) or (
                scope["method"] == "PUT" and path.startswith(sync_offices.SCANS_PATH)):
            return settings.max_upload_bytes, refuse_json  # the signed oficio's scan
        if path.startswith("/api/v1/sync/photos/"):
            return settings.max_photo_bytes, refuse_json
        return settings.max_body_bytes, refuse_json

    return limit_for


def _error_page(message: str) -> bytes:
    page = templates.get_template("foundation/error.html")
    return page.render(user=None, message=message).encode()


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    install_scrub_filter()  # uvicorn configured its loggers by now
    # The ~190,000 objects of the started app (modules, models, routes) live as long as the
    # process: out of the collector's sight, a full collection during a push no longer walks
    # them (each took 0.2-0.7 s on the loaded 2-core VM; docs/PERFORMANCE.md, issue 4).
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # an app stopped in a longer process (tests) is collectable again


def central_key(settings: CentralSettings) -> StationKey:
    """Central's certifying key: created on first run in development, required in production."""
    path = settings.signing_key_file
    assert path is not None
    if settings.mode == "development":
        return StationKey.load_or_create(path)
    return StationKey.load(path)


def create_app(settings: CentralSettings | None = None, *, migrate: bool = True) -> FastAPI:
    settings = settings or CentralSettings.load()
    engine = ready_engine(settings, upgrade if migrate else None)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        ensure_counter(session, first_folio=settings.folio_first)
    install_scrub_filter()
    app = FastAPI(title="Credenciales escolares — servicio central", version="1",
                  lifespan=_lifespan,
                  description="Sincronización de estaciones, folios, lista de confianza y "
                              "revocaciones (SEJ Jalisco).")
    app.state.ctx = AppContext(settings=settings, sessions=sessions,
                               reads=make_sessionmaker(engine, read_only=True),
                               central_key=central_key(settings),
                               photos=PhotoStore(settings.photos_dir))
    app.state.engine = engine
    install_handlers(app)
    for module in (enroll, sync, admin, web, releases, sync_support, sync_offices,
                   station_health, sync_privacy):
        app.include_router(module.router)
    # Last added runs first: the limit before anything, the catch-all closest to the routes.
    app.add_middleware(CatchAll, page=_error_page)
    app.add_middleware(PageHeaders)
    app.add_middleware(BodyLimit, limit_for=_limits(settings))
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory central.api.app:app_factory`` (settings from the environment).

    Migrations are applied by ``central serve`` (or ``central migrate``) before the workers
    start, so several workers never race to migrate.
    """
    return create_app(migrate=False)

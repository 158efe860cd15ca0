"""The FastAPI application: ``create_app(settings)``; uvicorn serves ``central.api.app:app``.

>>> from central.settings import CentralSettings
>>> import tempfile, pathlib
>>> app = create_app(CentralSettings(data_dir=pathlib.Path(tempfile.mkdtemp())))
>>> app.openapi()["info"]["title"]
'Credenciales escolares — servicio central'
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from central.api.deps import AppContext
from central.api.routes import admin, enroll, releases, sync, web, web_import
from central.crud.folios import ensure_counter
from central.db import upgrade
from central.errors import ApiError, install_handlers
from central.settings import CentralSettings, load_settings
from foundation.credential.keys import StationKey
from foundation.photostore import PhotoStore
from foundation.sqldb import make_engine, make_sessionmaker


class BodyLimit:
    """Refuse bodies over the limit with 413 before the application reads them."""

    def __init__(self, app: Any, *, max_bytes: int, max_photo_bytes: int,
                 max_upload_bytes: int = 0) -> None:
        self.app, self.max_bytes, self.max_photo_bytes = app, max_bytes, max_photo_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        photo = scope["path"].startswith("/api/v1/sync/photos/")
        limit = self.max_photo_bytes if photo else self.max_bytes
        # The staff page's SCEJAL upload has its own (larger) limit and an HTML refusal.
        upload = bool(self.max_upload_bytes) and scope["method"] == "POST" \
            and scope["path"] == web_import.UPLOAD_PATH
        if upload:
            limit = self.max_upload_bytes
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            if upload:
                await web_import.too_large(send, int(length) if length.isdigit() else None,
                                           limit)
                return
            await _too_large(send, limit)
            return
        if length is None and scope["method"] in ("POST", "PUT", "PATCH"):
            chunks, size, more = [], 0, True
            while more:
                message = await receive()
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    if upload:
                        await web_import.too_large(send, None, limit)
                        return
                    await _too_large(send, limit)
                    return
                chunks.append(chunk)
                more = message.get("more_body", False)
            body = b"".join(chunks)
            sent = False

            async def replay() -> dict[str, Any]:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)


async def _too_large(send: Any, limit: int) -> None:
    body = json.dumps(ApiError(413, "body-too-large",
                               f"La solicitud es demasiado grande (máximo {limit} bytes); "
                               "envíe menos eventos por solicitud.").body(),
                      ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def central_key(settings: CentralSettings) -> StationKey:
    """Central's certifying key: created on first run in development, required in production."""
    path = settings.signing_key_file
    assert path is not None
    if settings.mode == "development":
        return StationKey.load_or_create(path)
    return StationKey.load(path)


def create_app(settings: CentralSettings | None = None, *, migrate: bool = True) -> FastAPI:
    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if migrate:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        ensure_counter(session, first_folio=settings.folio_first)
    app = FastAPI(title="Credenciales escolares — servicio central", version="1",
                  description="Sincronización de estaciones, folios, lista de confianza y "
                              "revocaciones (SEJ Jalisco).")
    app.state.ctx = AppContext(settings=settings, sessions=sessions,
                               central_key=central_key(settings),
                               photos=PhotoStore(settings.photos_dir))
    app.state.engine = engine
    install_handlers(app)
    for module in (enroll, sync, admin, web, releases):
        app.include_router(module.router)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       max_photo_bytes=settings.max_photo_bytes,
                       max_upload_bytes=settings.max_upload_bytes)
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory central.api.app:app_factory`` (settings from the environment).

    Migrations are applied by ``central serve`` (or ``central migrate``) before the workers
    start, so several workers never race to migrate.
    """
    return create_app(migrate=False)

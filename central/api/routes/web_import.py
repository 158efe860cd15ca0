"""Staff page «Importar» (state staff only): a SCEJAL export pair, CSV or XLSX.

Same validator and importer as ``central import-roster`` (the station's
:func:`station.importers.roster_files.load_roster`, then
:func:`central.crud.roster.import_roster`). With row problems nothing is imported unless
«importar sólo las filas válidas» is checked.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from central.api.deps import Ctx, Db, utcnow
from central.api.routes.access import key_of
from central.api.routes.web_session import CheckedForm, Staff, WebRoute, page, templates
from central.crud import staff as staff_ops
from central.crud.roster import import_roster
from central.errors import ApiError
from foundation.errors import DomainError
from foundation.table_files import MAX_FILE_BYTES
from station.importers.roster_files import load_roster

UPLOAD_PATH = "/staff/importar"
router = APIRouter(prefix=UPLOAD_PATH, route_class=WebRoute, include_in_schema=False)
_WHAT = "importar la plantilla de SCEJAL"
_MB = 1024 * 1024


def too_large_message(size: int | None, limit: int) -> str:
    """The Spanish refusal of an upload over ``CENTRAL_MAX_UPLOAD_BYTES``.

    >>> too_large_message(80 * 1024 * 1024, 50 * 1024 * 1024)[:44]
    'El archivo pesa 80.0 MB; el máximo es 50 MB.'
    """
    weight = f"{size / _MB:.1f} MB" if size is not None else f"más de {limit / _MB:g} MB"
    return (f"El archivo pesa {weight}; el máximo es {limit / _MB:g} MB. Use "
            "`central import-roster` para archivos más grandes.")


async def too_large(send: Any, size: int | None, limit: int) -> None:
    """413 as an HTML page (the middleware answers before any route: no session, no form)."""
    body = templates.get_template("foundation/error.html").render(
        user=None, message=too_large_message(size, limit)).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


@router.get("", response_class=HTMLResponse)
def import_page(request: Request, user: Staff) -> HTMLResponse:
    user.scope.require_estatal(_WHAT)
    return page(request, "web_import.html", user, nav="importar")


async def _save(form_file: object, folder: Path, label: str) -> Path:
    if not isinstance(form_file, UploadFile) or not form_file.filename:
        raise ApiError(422, "missing-file", f"Falta el archivo de {label}; elíjalo con "
                                            "«Examinar…».")
    # Only the base name: a browser may send a path, and the name shows in row messages.
    name = Path(form_file.filename.replace("\\", "/").replace("\x00", "")).name[:120]
    suffix = Path(name).suffix.lower()
    if name.strip(". ") == "" or name.startswith("."):
        # "..", "." or a hidden name would point outside the folder or hide the file.
        name = f"{label}{suffix if suffix in ('.csv', '.xlsx') else '.csv'}"
    path = folder / name
    data = await form_file.read(MAX_FILE_BYTES + 1)
    path.write_bytes(data)
    path.chmod(0o600)
    return path


@router.post("", response_class=HTMLResponse)
async def import_upload(request: Request, user: Staff, form: CheckedForm,
                        session: Db, ctx: Ctx) -> HTMLResponse:
    user.scope.require_estatal(_WHAT)
    accept_valid = form.get("solo_validas") == "si"
    with tempfile.TemporaryDirectory(prefix="central-import-") as tmp:
        (Path(tmp) / "e").mkdir()
        (Path(tmp) / "a").mkdir()
        escuelas = await _save(form.get("escuelas"), Path(tmp) / "e", "escuelas")
        alumnos = await _save(form.get("alumnos"), Path(tmp) / "a", "alumnos")
        try:
            check = load_roster(escuelas, alumnos)
        except DomainError as exc:
            raise ApiError(422, "unreadable-file", exc.user_message()) from None
    counts = None
    if not check.problems or accept_valid:
        now = utcnow()
        counts = import_roster(session, schools=check.schools, students=check.students,
                               now=now, privacy_key=key_of(ctx))
        staff_ops.record(session, staff=user.username, action="import-roster",
                         target=f"{escuelas.name} + {alumnos.name}",
                         reason=f"{len(check.schools)} escuelas, {len(check.students)} alumnos; "
                                f"{len(check.problems)} filas con problemas", now=now)
        session.commit()
    status = 200 if counts is not None else 422
    return page(request, "web_import.html", user, status=status, nav="importar", check=check,
                counts=counts, accept_valid=accept_valid)

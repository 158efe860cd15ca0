"""The SAE upload page: the same check and import as ``conalep import-sae``, through the
browser. Files are kept only for the request, in a private folder under the data folder."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from conalep.academic.sae import FILES
from conalep.academic.sae_import import import_files
from conalep.context import Ctx, Db, utcnow
from conalep.navigation import NAV, NavItem
from conalep.web import CheckedForm, Staff, WebRoute, page, record
from foundation.web.refusal import Refusal

router = APIRouter(prefix="/staff", route_class=WebRoute, include_in_schema=False)
NAV.append(NavItem("importar", "/staff/importar", "Importar SAE", "import_sae",
                   "cargar las exportaciones del SAE (planteles, alumnos, calendario, "
                   "calificaciones)"))
_SHOWN_PROBLEMS = 300


def _size_ok(request: Request, ctx: Ctx) -> None:
    """Refuses an upload over ``CONALEP_MAX_UPLOAD_BYTES`` before the form is read."""
    length = request.headers.get("content-length", "")
    limit = ctx.settings.max_upload_bytes
    if not length.isdigit() or int(length) > limit:
        raise Refusal(413, "upload-too-large",
                      f"Los archivos pesan más de {limit / 2**20:g} MB (o el navegador no dijo "
                      "cuánto pesan). Divídalos en archivos más pequeños, o pida a la "
                      "oficina de Tecnologías que los cargue directamente en el servidor.")


@router.get("/importar", response_class=HTMLResponse)
def import_page(request: Request, user: Staff) -> HTMLResponse:
    user.scope.require("import_sae")
    return page(request, "academic/import.html", user, nav="importar", files=FILES)


@router.post("/importar", response_class=HTMLResponse,
             dependencies=[Depends(_size_ok)])
async def upload(request: Request, user: Staff, ctx: Ctx, session: Db,
                 form: CheckedForm) -> HTMLResponse:
    user.scope.require("import_sae")
    uploads = [f for f in form.getlist("archivos") if isinstance(f, UploadFile) and f.filename]
    if not uploads:
        raise Refusal(422, "no-files", "Elija los archivos del SAE para importar.")
    accept_valid = form.get("solo_validas") == "si"
    ctx.settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=ctx.settings.data_dir, prefix="carga-") as folder:
        files: dict[str, Path] = {}
        for upload_file in uploads:
            name = Path(upload_file.filename or "").name
            stem, ext = Path(name).stem.lower(), Path(name).suffix.lower()
            if stem not in FILES or ext not in {".csv", ".xlsx", ".xlsm"}:
                raise Refusal(422, "unknown-file",
                              f"«{name}» no es un archivo del SAE que se importe aquí; se "
                              "esperan " + ", ".join(f"{n}.csv" for n in FILES)
                              + " (o .xlsx).")
            if stem in files:
                raise Refusal(422, "same-file-twice", f"Eligió dos archivos «{stem}».")
            target = Path(folder) / name
            target.write_bytes(await upload_file.read())
            files[stem] = target
        now = utcnow()
        check, summary = import_files(session, files, staff=user.username, now=now,
                                      accept_valid=accept_valid)
    if summary is None:
        session.rollback()
    else:
        record(session, staff=user.username, action="import-sae",
               target=", ".join(sorted(files)),
               reason=f"{sum(summary.inserted.values())} nuevos, "
                      f"{sum(summary.updated.values())} actualizados", now=now)
        session.commit()
    messages = check.messages()
    status = 200 if summary is not None and not messages else 422
    return page(request, "academic/import.html", user, nav="importar", files=FILES,
                status=status, summary=summary, encodings=check.encodings,
                problems=messages[:_SHOWN_PROBLEMS], more=max(0, len(messages) - _SHOWN_PROBLEMS),
                accept_valid=accept_valid)



"""The ``central`` command: serve, migrate, keygen, import a SCEJAL roster and photos, codes.

Settings come from ``CENTRAL_*`` variables or the TOML file named by ``CENTRAL_CONFIG``
(docs/central.md). With nothing set it runs in development mode on ``./central-data``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from central.settings import CentralSettings
from foundation.command_line import SpanishGroup
from foundation.server_cli import echo_accounts, friendly, read_password
from foundation.server_settings import SettingsRefused
from foundation.words import count

_friendly = friendly("central", "CENTRAL_DATABASE_URL", SettingsRefused)


def _sessions(settings: CentralSettings) -> Any:
    from central.db import upgrade
    from foundation.migrations_env import ready_engine
    from foundation.sqldb import make_sessionmaker

    return make_sessionmaker(ready_engine(settings, upgrade))


@click.group(cls=SpanishGroup, program="central",
             context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Servicio central de credenciales escolares (SEJ Jalisco)."""


@main.command()
@click.option("--host", help="Address to listen on (default CENTRAL_HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port (default CENTRAL_PORT or 8750).")
@click.option("--workers", type=int, help="uvicorn worker processes (default CENTRAL_WORKERS).")
@_friendly
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Apply migrations and serve the API with uvicorn."""
    import uvicorn

    from central.db import upgrade

    for name, value in (("HOST", host), ("PORT", port), ("WORKERS", workers)):
        if value is not None:
            os.environ[f"CENTRAL_{name}"] = str(value)
    settings = CentralSettings.load()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    upgrade(settings.database_url)
    if settings.mode == "development":
        from central.api.app import central_key

        central_key(settings)  # create it before several workers race to
        click.echo("Modo desarrollo: clave de personal de desarrollo; no lo use en producción.",
                   err=True)
    uvicorn.run("central.api.app:app_factory", factory=True, host=settings.host,
                port=settings.port, workers=settings.workers, log_level="warning",
                access_log=False)


@main.command()
@_friendly
def migrate() -> None:
    """Bring the database to the newest schema (alembic upgrade head)."""
    settings = CentralSettings.load()
    _sessions(settings)
    click.echo("La base de datos está al día.")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@_friendly
def keygen(path: Path) -> None:
    """Create central's certifying key at PATH (mode 0600); never overwrites one."""
    from foundation.credential.keys import StationKey

    key = StationKey.generate(path)
    click.echo(f"Llave creada: {path} (id {key.key_id.hex()}). Haga una copia de seguridad.")


@main.command("import-roster")
@click.argument("escuelas", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("alumnos", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--accept-valid", is_flag=True, help="Import the valid rows even with errors.")
@click.option("--json", "as_json", is_flag=True, help="Answer in JSON.")
@_friendly
def import_roster(escuelas: Path, alumnos: Path, accept_valid: bool, as_json: bool) -> None:
    """Import a SCEJAL export (CSV or XLSX) with the station's own validator."""
    from central.crud.roster import import_roster as do_import
    from central.crud.stations import now_utc
    from station.importers.roster_files import load_roster

    check = load_roster(escuelas, alumnos)
    problems = [{"file": p.file, "row": p.row, "field": p.field, "reason": p.reason_es,
                 "message": p.message_es} for p in check.problems]
    counts = None
    if not check.problems or accept_valid:
        from central.crud.privacy_digest import privacy_key

        settings = CentralSettings.load()
        assert settings.privacy_key_file is not None
        sessions = _sessions(settings)
        with sessions() as session, session.begin():
            counts = do_import(session, schools=check.schools, students=check.students,
                               now=now_utc(),
                               privacy_key=privacy_key(settings.privacy_key_file)).to_json()
    if as_json:
        click.echo(json.dumps({"imported": counts is not None, "encodings": check.encodings,
                               "changes": counts, "problems": problems},
                              ensure_ascii=False, indent=2))
    else:
        for name, enc in check.encodings.items():
            click.echo(f"Leído: {name} ({enc})")
        for p in check.problems:
            click.echo(f"- {p.message_es}")
        if counts is None:
            click.echo("No se importó nada. Corrija el archivo o use --accept-valid.")
        else:
            click.echo(
                f"Importado: {count(counts['schools_added'], 'escuela nueva', 'escuelas nuevas')}, "
                f"{count(counts['schools_updated'], 'actualizada', 'actualizadas')}; "
                f"{count(counts['students_added'], 'alumno nuevo', 'alumnos nuevos')}, "
                f"{count(counts['students_updated'], 'actualizado', 'actualizados')}.")
            if counts["cancelled"]:
                n = counts["cancelled"]
                click.echo(f"No se importaron {count(n, 'alumno', 'alumnos')} cuyos datos se "
                           "cancelaron por una solicitud ARCO.")
    if counts is None:
        sys.exit(1)


@main.command("import-photos")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@_friendly
def import_photos(folder: Path) -> None:
    """Import photos named <CURP>.jpg / <CURP>.png (as SCEJAL holds them)."""
    from central.crud.photos import link_photo, store_photo
    from central.crud.stations import now_utc
    from foundation.photostore import PhotoStore, scan_photo_dir

    settings = CentralSettings.load()
    sessions = _sessions(settings)
    store = PhotoStore(settings.photos_dir)
    scan = scan_photo_dir(folder)
    linked = unknown = 0
    with sessions() as session, session.begin():
        now = now_utc()
        for curp, path in scan.accepted:
            digest = store_photo(session, store=store, data=path.read_bytes(), source="scejal",
                                 now=now)
            if link_photo(session, curp=curp, photo_hash=digest, now=now):
                linked += 1
            else:
                unknown += 1
    click.echo(f"Fotos vinculadas: {linked}; de alumnos que no están en la plantilla: {unknown}.")
    for p in scan.problems:
        click.echo(f"- {p.file}: {p.reason_es}")


@main.command("enrollment-code")
@click.option("--school", "school_cct", help="CCT of the school the station serves.")
@click.option("--drse", help="The DRSE the station serves.")
@click.option("--name", "station_name", required=True, help="A name for the station.")
@click.option("--staff", required=True, help="Who creates the code (recorded).")
@click.option("--hours", type=int, help="Hours the code stays valid.")
@_friendly
def enrollment_code(school_cct: str | None, drse: str | None, station_name: str, staff: str,
                    hours: int | None) -> None:
    """Create a one-time enrollment code for a new station."""
    from central.crud.stations import create_enrollment_code, now_utc
    from central.errors import ApiError

    if bool(school_cct) == bool(drse):
        raise click.UsageError("Indique --school o --drse (uno de los dos).")
    settings = CentralSettings.load()
    sessions = _sessions(settings)
    try:
        with sessions() as session, session.begin():
            code, row = create_enrollment_code(
                session, kind="escuela" if school_cct else "drse", school_cct=school_cct,
                drse=drse, station_name=station_name, staff=staff,
                hours=hours or settings.enrollment_code_hours, now=now_utc())
    except ApiError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"Código de inscripción: {code} (vence {row.expires_at:%d/%m/%Y %H:%M} UTC)")


@main.group()
def staff() -> None:
    """Accounts of the staff web pages (/staff): state (estatal) and DRSE staff."""


def _staff_error(exc: Exception) -> None:
    click.echo(f"Error: {getattr(exc, 'message', exc)}", err=True)
    sys.exit(1)


@staff.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["estatal", "drse", "dgti"]), required=True,
              help="estatal sees everything; drse only the schools of --region.")
@click.option("--region", help="The DRSE as SCEJAL names it (required for --role drse).")
@click.option("--name", "display_name", default="", help="Full name shown on the pages.")
@click.option("--office", type=click.Choice(["planeacion", "control_escolar", "tecnologias"]),
              default=None, help="The DRSE office (which procedure steps it does); none: all.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@_friendly
def staff_add(username: str, role: str, region: str | None, display_name: str,
              office: str | None, password_stdin: bool) -> None:
    """Create an account; the password is asked for (hidden) or read from stdin."""
    from central.crud import staff as staff_ops
    from central.crud.stations import now_utc
    from foundation.web.refusal import Refusal

    password = read_password(password_stdin)
    try:
        with _sessions(CentralSettings.load())() as session, session.begin():
            account = staff_ops.create_account(
                session, username=username, password=password, role=role, region=region,
                display_name=display_name, now=now_utc(), office=office)
            staff_ops.record(session, staff="cli", action="staff-add", target=account.username,
                             reason=f"{role} {account.region or ''}".strip(), now=now_utc())
    except Refusal as exc:
        _staff_error(exc)
    click.echo(f"Cuenta creada: {account.username} ({role}"
               + (f", DRSE {account.region})" if account.region else ")"))


@staff.command("list")
@click.option("--json", "as_json", is_flag=True, help="Answer in JSON.")
@_friendly
def staff_list(as_json: bool) -> None:
    """The accounts (never their passwords)."""
    from central.crud import staff as staff_ops

    with _sessions(CentralSettings.load())() as session:
        echo_accounts(staff_ops.BOOK.list(session), "region", as_json=as_json,
                      first_account="central staff add USUARIO --role estatal")


@staff.command("disable")
@click.argument("username")
@_friendly
def staff_disable(username: str) -> None:
    """Disable an account and end its open sessions."""
    from central.crud import staff as staff_ops
    from central.crud.stations import now_utc
    from foundation.web.refusal import Refusal

    try:
        with _sessions(CentralSettings.load())() as session, session.begin():
            account = staff_ops.BOOK.disable(session, username=username)
            staff_ops.record(session, staff="cli", action="staff-disable",
                             target=account.username, reason="", now=now_utc())
    except Refusal as exc:
        _staff_error(exc)
    click.echo(f"Cuenta deshabilitada: {account.username}")


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@_friendly
def openapi(out: Path) -> None:
    """Write the OpenAPI document (also served at /openapi.json)."""
    from central.api.app import create_app

    app = create_app(CentralSettings.load())
    out.write_text(json.dumps(app.openapi(), ensure_ascii=False, indent=2), "utf-8")
    click.echo(f"OpenAPI: {out}")


from central import cli_releases  # noqa: E402  (its commands join this group)

cli_releases.register(main)


@main.group()
def privacy() -> None:
    """Minors' personal data: the retention purge (docs/privacy-central.md)."""


@privacy.command("purge")
@click.option("--dry-run", is_flag=True, help="Only report what would be deleted.")
@click.option("--json", "as_json", is_flag=True, help="Answer in JSON.")
@click.option("--batch", type=click.IntRange(1, 5000), default=200, show_default=True,
              help="Students erased per transaction.")
@_friendly
def privacy_purge(dry_run: bool, as_json: bool, batch: int) -> None:
    """Erase the data of students past the retention period, old access records and orders
    (run nightly; one transaction per student, safe to interrupt and run again)."""
    from central.crud.privacy_digest import privacy_key
    from central.crud.privacy_purge import purge
    from central.crud.stations import now_utc
    from foundation.photostore import PhotoStore

    settings = CentralSettings.load()
    assert settings.privacy_key_file is not None
    report = purge(_sessions(settings), settings=settings,
                   key=privacy_key(settings.privacy_key_file),
                   store=PhotoStore(settings.photos_dir), now=now_utc(), dry_run=dry_run,
                   batch=batch)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        for line in report.lines():
            click.echo(line)

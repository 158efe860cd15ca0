"""Commands of the privacy wing: ``conalep privacy purge [--dry-run]`` (the nightly retention
purge, docs/privacy.md), ``conalep privacy export MATRICULA`` (an ARCO «acceso» answer as
JSON or PDF) and ``conalep privacy aviso`` (the printable privacy notice)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

from conalep.cli_common import friendly, open_sessions
from conalep.settings import ConalepSettings
from foundation.atomic_files import write_atomic


@click.group("privacy")
def privacy() -> None:
    """Datos personales: depuración por plazo de conservación, exportación ARCO, aviso."""


@privacy.command("purge")
@click.option("--dry-run", is_flag=True, help="Only report what would be deleted.")
@click.option("--json", "as_json", is_flag=True, help="The report as one JSON object.")
@friendly
def purge_command(dry_run: bool, as_json: bool) -> None:
    """Purge the personal follow-up data of drop-outs and graduates past their period and
    the access record past its own (CONALEP_PRIVACY_*_DAYS)."""
    from conalep.context import utcnow
    from conalep.privacy.purge import describe, purge

    settings = ConalepSettings.load()
    sessions = open_sessions(settings)
    report = purge(sessions, settings, now=utcnow(), dry_run=dry_run,
                   progress=None if as_json else lambda line: click.echo(f"suprimido {line}"))
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    for line in describe(report):
        click.echo(line)


@privacy.command("export")
@click.argument("matricula")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it: .json or .pdf (mode 0600).")
@friendly
def export_command(matricula: str, out: Path) -> None:
    """Everything held on one student (ARCO «acceso»), as JSON or as PDF for the family."""
    from conalep.context import utcnow
    from conalep.models.academic import Alumno
    from conalep.privacy.access import record_reads
    from conalep.privacy.documents import export_pdf
    from conalep.privacy.export import export, held_files

    settings = ConalepSettings.load()
    with open_sessions(settings)() as session:
        if session.get(Alumno, matricula) is None:
            raise click.ClickException(f"No hay un alumno con matrícula {matricula}.")
        document = export(session, matricula, now=utcnow(),
                          files=held_files(session, settings.data_dir, matricula))
        record_reads(session, None, staff="conalep-cli", role="cli",
                     what=f"exportación ARCO ({out.suffix.lstrip('.').upper()})",
                     matriculas=[matricula], detail="conalep privacy export")
    if out.suffix.lower() == ".pdf":
        data = export_pdf(document, responsable=settings_responsable())
    elif out.suffix.lower() == ".json":
        data = json.dumps(document, ensure_ascii=False, indent=1).encode()
    else:
        raise click.ClickException("--out: el nombre debe terminar en .json o .pdf.")
    write_atomic(out, data, mode=0o600)
    click.echo(f"Datos de {matricula} escritos en {out}")


def retention_lines(settings: ConalepSettings) -> tuple[str, ...]:
    """The notice's «plazos de conservación» from this server's settings."""
    return (f"Datos de seguimiento de una baja (persona tutora, detalle, solicitud escrita, "
            f"atención de Psicopedagogía, asesorías, reuniones): "
            f"{settings.privacy_dropout_days} días después de la baja.",
            f"Los mismos datos de una persona egresada: {settings.privacy_graduate_days} días "
            f"después de emitido su certificado.",
            "Calificaciones y registro del certificado (folio, firmas, documento): se "
            "conservan mientras se necesiten para emitir, verificar o reponer el certificado.",
            f"Registro de accesos del personal a sus datos: {settings.privacy_access_days} "
            f"días.")


def settings_responsable() -> str:
    from conalep.privacy.pages import RESPONSABLE

    return RESPONSABLE


@privacy.command("aviso")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The PDF to write.")
@click.option("--para", "preset", type=click.Choice(["conalep", "credencial"]),
              default="conalep", help="conalep (CONALEP Veracruz) or credencial (school ID "
                                      "cards of the station and central).")
@click.option("--responsable", default="", help="Name of the responsible body.")
@click.option("--domicilio", default="", help="Its address.")
@click.option("--unidad", default="", help="Contact of its Unidad de Transparencia.")
@friendly
def notice_command(out: Path, preset: str, responsable: str, domicilio: str,
                   unidad: str) -> None:
    """The privacy notice (integral and simplified) as a printable PDF; what is not given
    stays as a marked blank the school fills in."""
    from foundation.privacy_notice import PRESETS, notice_pdf

    notice = PRESETS[preset].filled(responsable=responsable, domicilio=domicilio,
                                    unidad=unidad)
    if preset == "conalep":  # the periods this server really applies
        notice = replace(notice, conservacion=retention_lines(ConalepSettings.load()))
    write_atomic(out, notice_pdf(notice), mode=0o644)
    click.echo(f"Aviso de privacidad escrito en {out}")


COMMANDS: list[click.Command] = [privacy]

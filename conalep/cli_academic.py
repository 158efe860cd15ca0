"""Commands of the academic wing: ``import-sae`` and ``siseac``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from conalep.cli_common import friendly, open_sessions
from foundation.words import count


@click.command("import-sae")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--accept-valid", is_flag=True,
              help="Import the valid rows even when some rows are refused.")
@click.option("--staff", "staff_name", default="cli", help="Who imports (for the audit trail).")
@friendly
def import_sae(folder: Path, accept_valid: bool, staff_name: str) -> None:
    """Import SAE exports from FOLDER (planteles, carreras, alumnos, calendario,
    calificaciones; CSV or XLSX). Exit 0 only when every row was imported."""
    from conalep.academic.sae_import import find_files, import_files
    from conalep.context import utcnow
    from conalep.web import record
    from foundation.errors import InputError

    try:
        files = find_files(folder)
    except InputError as exc:
        click.echo(f"Error: {exc.user_message()}", err=True)
        sys.exit(1)
    with open_sessions()() as session, session.begin():
        now = utcnow()
        check, summary = import_files(session, files, staff=staff_name, now=now,
                                      accept_valid=accept_valid)
        if summary is not None:
            record(session, staff=staff_name, action="import-sae", target=str(folder)[-120:],
                   reason=f"{sum(summary.inserted.values())} nuevos, "
                          f"{sum(summary.updated.values())} actualizados", now=now)
    for name, encoding in check.encodings.items():
        click.echo(f"{name}: leído como {encoding}")
    for message in check.messages():
        click.echo(message, err=True)
    if summary is None:
        problems = count(len(check.messages()), "problema", "problemas")
        click.echo(f"No se importó nada: {problems}. Corrija los "
                   "archivos, o importe sólo las filas válidas con --accept-valid.", err=True)
        sys.exit(1)
    parts = [f"{name}: {summary.inserted.get(name, 0)} nuevos, "
             f"{summary.updated.get(name, 0)} actualizados" for name in summary.inserted]
    click.echo("Importado. " + "; ".join(parts) + f". Capturas tardías: {summary.late}; "
               f"rectificaciones abiertas: {summary.rectifications_opened}.")
    if check.problems:
        click.echo(f"Se omitieron {count(summary.refused_rows, 'fila', 'filas')} con problemas.",
                   err=True)
        sys.exit(1)


@click.command("siseac")
@click.option("--periodo", required=True, help="e.g. 2025-2026-1")
@click.option("--corte", type=click.IntRange(1, 3), required=True)
@click.option("--plantel", "clave_plantel", default=None, help="Only this plantel.")
@click.option("--json", "as_json", is_flag=True, help="Answer in JSON (keys: docs/conalep.md).")
@click.option("--publish", is_flag=True,
              help="Publish this corte for the planteles (as DG does on the page).")
@friendly
def siseac(periodo: str, corte: int, clave_plantel: str | None, as_json: bool,
           publish: bool) -> None:
    """The SISEAC report of one corte: failing students, late and missing captures, at risk."""
    import json

    from conalep.academic.siseac import Rules, build_report, is_published
    from conalep.context import utcnow
    from conalep.models.academic import SiseacPublication
    from conalep.settings import ConalepSettings
    from conalep.web import record

    settings = ConalepSettings.load()
    with open_sessions(settings)() as session, session.begin():
        report = build_report(session, periodo, corte, Rules.of(settings),
                              (clave_plantel,) if clave_plantel else None)
        if publish and report.modules and not is_published(session, periodo, corte):
            now = utcnow()
            session.add(SiseacPublication(periodo=periodo, corte=corte, published_at=now,
                                          published_by="cli"))
            record(session, staff="cli", action="publish-siseac",
                   target=f"{periodo} corte {corte}", reason="", now=now)
    if not report.modules:
        click.echo(f"Error: no hay calificaciones del periodo {periodo} hasta el corte {corte}.",
                   err=True)
        sys.exit(1)
    data = report.as_json()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"SISEAC {periodo}, corte {corte}: {len(report.students)} alumnos, "
               f"{data['failing_students']} con algún módulo reprobado, "
               f"{len(data['at_risk'])} en riesgo, {data['late_captures']} capturas tardías.")
    for item in data["missing_captures"]:
        click.echo(f"  {item['clave_docente']}: {item['count']} calificaciones sin capturar")
    if publish:
        click.echo(f"Publicado para los planteles: periodo {periodo}, corte {corte}.")


COMMANDS: list[click.Command] = [import_sae, siseac]

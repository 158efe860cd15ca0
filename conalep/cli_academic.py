"""Commands of the academic wing: ``import-sae`` and ``siseac``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from conalep.cli_common import friendly, open_sessions


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
        click.echo(f"No se importó nada: {len(check.messages())} problema(s). Corrija los "
                   "archivos, o importe sólo las filas válidas con --accept-valid.", err=True)
        sys.exit(1)
    parts = [f"{name}: {summary.inserted.get(name, 0)} nuevos, "
             f"{summary.updated.get(name, 0)} actualizados" for name in summary.inserted]
    click.echo("Importado. " + "; ".join(parts) + f". Capturas tardías: {summary.late}; "
               f"rectificaciones abiertas: {summary.rectifications_opened}.")
    if check.problems:
        click.echo(f"Se omitieron {summary.refused_rows} fila(s) con problemas.", err=True)
        sys.exit(1)


COMMANDS: list[click.Command] = [import_sae]

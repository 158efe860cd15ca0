"""Commands of the academic wing: ``import-sae`` (and, as they land, ``siseac``)."""

from __future__ import annotations

from pathlib import Path

import click

from conalep.cli_common import friendly


@click.command("import-sae")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--accept-valid", is_flag=True,
              help="Import the valid rows even when some rows are refused.")
@friendly
def import_sae(folder: Path, accept_valid: bool) -> None:
    """Import SAE exports from FOLDER (planteles, carreras, alumnos, calendario,
    calificaciones; CSV or XLSX). Exit 0 only when every row was imported."""
    raise click.ClickException("import-sae: not yet available on this branch")


COMMANDS: list[click.Command] = [import_sae]

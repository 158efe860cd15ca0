"""Commands of the follow-up wing: ``eficiencia`` (the terminal-efficiency indicator) and
``informe-junta`` (the quarterly PDF for the H. Junta Directiva, norm 30)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from conalep.cli_common import friendly, open_sessions
from conalep.followup.efficiency import concluded
from conalep.followup.junta import junta_report
from conalep.followup.records import efficiency as efficiency_rows
from conalep.roles import Role, Scope
from foundation.atomic_files import write_atomic

STATE = Scope("conalep-cli", Role.DG_ESCOLARES, None)
"""The commands run on the server as DG Servicios Escolares would: the whole state."""


@click.command("eficiencia")
@click.option("--json", "as_json", is_flag=True, help="One JSON list on standard output.")
@friendly
def efficiency(as_json: bool) -> None:
    """Terminal efficiency per plantel, carrera and concluded generación: egresados of
    generación N / everyone enrolled in its first semester × 100 (two decimals)."""
    with open_sessions()() as session:
        rows = concluded(efficiency_rows(session, STATE))
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], ensure_ascii=False))
        return
    click.echo(f"{'plantel':<8} {'carrera':<10} {'generación':<10} {'egresados':>9} "
               f"{'inscritos':>9} {'eficiencia':>10}")
    for r in rows:
        click.echo(f"{r.clave_plantel:<8} {r.clave_carrera:<10} {r.generacion:<10} "
                   f"{r.egresados:>9} {r.inscritos_primer_semestre:>9} {r.eficiencia:>9}%")
    if not rows:
        click.echo("Ninguna generación ha concluido (importe los alumnos del SAE).")


@click.command("informe-junta")
@click.option("--trimestre", required=True, help="AAAA-T1 … AAAA-T4, e.g. 2025-T4.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the PDF (mode 0600).")
@friendly
def junta(trimestre: str, out: Path) -> None:
    """The quarterly report for the H. Junta Directiva as PDF."""
    with open_sessions()() as session:
        try:
            data = junta_report(session, STATE, trimestre)
        except ValueError as exc:
            raise click.ClickException(f"--trimestre: {exc}") from None
    write_atomic(out, data, mode=0o600)
    click.echo(f"Informe escrito en {out}")


COMMANDS: list[click.Command] = [efficiency, junta]

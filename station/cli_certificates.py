"""``station certificates import FILE``: trust the CONALEP certificates' issuer (offline)."""

from __future__ import annotations

from pathlib import Path

import click

from station.cli_common import emit, open_ctx_station, station_command


def register(main: click.Group) -> None:
    main.add_command(certificates)


@click.group("certificates")
def certificates() -> None:
    """CONALEP certificates: the published keys that let ``station verify`` check them."""


@certificates.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@station_command
def import_cmd(ctx: click.Context, source: Path, as_json: bool) -> None:
    """Import the published keys file of the conalep server (llaves.json)."""
    from station.services.certificate_issuers import import_issuers

    station = open_ctx_station(ctx)
    count = import_issuers(station.data_dir, source)
    emit(as_json, {"issuers": count},
         f"Se importaron las llaves de CONALEP ({count} emisor(es)); la estación ya verifica "
         "sus certificados.")

"""``station`` subcommands of the DRSE procedures (issue 13): the school's oficio to its DRSE
(procedure 1), the DRSE station's batches, and the state of supply requests (procedure 2)."""

from __future__ import annotations

from pathlib import Path

import click

from foundation.words import count
from station.cli_common import emit, station_command
from station.cli_common import open_ctx_station as _station
from station.cli_lifecycle import by_option


@click.group("oficio")
def oficio_group() -> None:
    """The school's request to its DRSE for new students' cards and holograms (procedure 1)."""


@oficio_group.command("create")
@click.option("--number", required=True, help="The oficio's number, e.g. 'DIR/045/2026'.")
@click.option("--director", required=True, help="Name of the director who signs it.")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also copy the oficio PDF here.")
@by_option
@station_command
def oficio_create(ctx: click.Context, number: str, director: str, pdf_out: Path | None,
                  taken_by: str, as_json: bool) -> None:
    """Write the oficio listing who needs a card or the cycle's hologram, to sign and seal."""
    from station.services.offices import create_oficio

    record, pdf = create_oficio(_station(ctx), number=number, director=director,
                                taken_by=taken_by, pdf_out=pdf_out)
    emit(as_json, {**record.to_json(), "pdf": str(pdf_out or pdf)},
         f"Oficio {record.oficio} (solicitud {record.id}) para "
         f"{count(len(record.curps), 'alumno', 'alumnos')}: "
         f"{pdf_out or pdf}\nFírmelo, séllelo, escanéelo y adjúntelo con: station oficio scan "
         f"--id {record.id} --file ESCANEO.pdf")


@oficio_group.command("scan")
@click.option("--id", "oid", type=int, required=True)
@click.option("--file", "scan", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              required=True, help="The signed and sealed oficio, scanned (PDF, JPG or PNG).")
@station_command
def oficio_scan(ctx: click.Context, oid: int, scan: Path, as_json: bool) -> None:
    """Attach the signed oficio's scan: the next sync sends the request to the DRSE."""
    from station.services.offices import attach_scan

    record = attach_scan(_station(ctx), oid, scan)
    emit(as_json, record.to_json(), f"Oficio escaneado adjunto a la solicitud {record.id}; se "
         "enviará a la DRSE en la próxima sincronización ('station sync').")


@oficio_group.command("list")
@station_command
def oficio_list(ctx: click.Context, as_json: bool) -> None:
    """The school's requests and how the DRSE handled them (with the reason of a return)."""
    from station.services.offices import oficios

    rows = [o.to_json() for o in oficios(_station(ctx))]
    text = "\n".join(f"{r['id']:>4} oficio {r['oficio']} ({r['created_on']}): {r['words']}"
                     + (f". Motivo: {r['reason']}" if r["reason"] else "") for r in rows)
    emit(as_json, rows, text or "Sin solicitudes a la DRSE. Créela con 'station oficio "
                                "create'.")


@click.group("batch")
def batch_group() -> None:
    """The validated lists central sends a DRSE station to produce (procedure 1)."""


@batch_group.command("list")
@station_command
def batch_list(ctx: click.Context, as_json: bool) -> None:
    """Batches received from central: school, cards and holograms."""
    from station.services.offices import batches

    rows = batches(_station(ctx))
    text = "\n".join(f"Lote {b.request}: {b.cct}, "
                     f"{count(len(b.cards), 'credencial', 'credenciales')} y "
                     f"{count(len(b.holograms), 'holograma', 'hologramas')} del ciclo {b.cycle}"
                     for b in rows)
    emit(as_json, [b.to_json() for b in rows],
         text or "Sin lotes. Llegan al sincronizar cuando la DRSE valida una solicitud y "
                 "decide que el material alcanza.")


def register(main: click.Group) -> None:
    for command in (oficio_group, batch_group):
        main.add_command(command)

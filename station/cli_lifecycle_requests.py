"""``station`` subcommands: declines and requests (normativo 4), and who prints (normativo 2)."""

from __future__ import annotations

import click

from station.cli_common import emit, station_command
from station.cli_common import open_ctx_station as _station
from station.cli_lifecycle import _day, _upper, recorded_command


@click.group("decline")
def decline_group() -> None:
    """A parent's or student's decline of the card (normativo 4)."""


@decline_group.command("record")
@click.option("--curp", required=True)
@click.option("--declared-by", required=True, help="tutor (parent or guardian) or alumno.")
@click.option("--notes", default="")
@recorded_command
def decline_record(ctx: click.Context, curp: str, declared_by: str, notes: str, on: str,
                   taken_by: str, as_json: bool) -> None:
    """Record a decline: the student leaves the pending list until it is withdrawn."""
    from station.services.lifecycle import decline

    answer = decline(_station(ctx), curp.strip().upper(),
                     on=_day(ctx, on, "la fecha de la renuncia"), declared_by=declared_by,
                     taken_by=taken_by, notes=notes)
    emit(as_json, answer, f"Renuncia registrada: {answer['name']} no recibirá credencial "
         "mientras no la retire.")


@decline_group.command("withdraw")
@click.option("--curp", required=True)
@recorded_command
def decline_withdraw(ctx: click.Context, curp: str, on: str, taken_by: str,
                     as_json: bool) -> None:
    """Withdraw a decline: the student is pending again."""
    from station.services.lifecycle import withdraw_decline

    answer = withdraw_decline(_station(ctx), curp.strip().upper(),
                              on=_day(ctx, on, "la fecha"), taken_by=taken_by)
    emit(as_json, answer, f"Renuncia retirada: {answer['name']} vuelve a estar pendiente.")


@decline_group.command("list")
@click.option("--school", "cct", default=None)
@click.option("--all", "show_all", is_flag=True, help="Include withdrawn declines.")
@station_command
def decline_list(ctx: click.Context, cct: str | None, show_all: bool, as_json: bool) -> None:
    """Declines recorded (standing ones, or all)."""
    from station.core.dates import show_day
    from station.store.request_records import list_declines

    with _station(ctx).db.read() as conn:
        rows = list_declines(conn, _upper(cct), standing_only=not show_all)
    text = "\n".join(f"{d.name} ({d.cct}): desde el {show_day(d.declined_on)}, recibió "
                     f"{d.taken_by}" + (f"; retirada el {show_day(d.withdrawn_on)}"
                                        if d.withdrawn_on else "") for d in rows)
    emit(as_json, [d.to_json() for d in rows], text or "Sin renuncias registradas.")


@click.group("request")
def request_group() -> None:
    """Requests for a card: recorded with their date so none goes unseen (normativo 4)."""


@request_group.command("record")
@click.option("--curp", required=True)
@click.option("--requested-by", required=True, help="tutor (parent or guardian) or alumno.")
@click.option("--notes", default="")
@recorded_command
def request_record(ctx: click.Context, curp: str, requested_by: str, notes: str, on: str,
                   taken_by: str, as_json: bool) -> None:
    """Record a request for a card."""
    from station.services.lifecycle import request_card

    answer = request_card(_station(ctx), curp.strip().upper(),
                          on=_day(ctx, on, "la fecha de la solicitud"),
                          requested_by=requested_by, taken_by=taken_by, notes=notes)
    emit(as_json, answer, f"Solicitud registrada para {answer['name']}.")


@request_group.command("unattended")
@click.option("--days", type=int, default=None,
              help="Days without an answer (default: requests.unattended_days).")
@click.option("--school", "cct", default=None)
@station_command
def request_unattended(ctx: click.Context, days: int | None, cct: str | None,
                       as_json: bool) -> None:
    """Requests still without a card or hologram after N days."""
    from station.core.dates import show_day
    from station.services.lifecycle import unattended_requests

    days_used, late = unattended_requests(_station(ctx), days=days, cct=_upper(cct))
    text = "\n".join(f"{u.request.name} ({u.request.cct}): solicitada el "
                     f"{show_day(u.request.requested_on)}, {u.days_waiting} días sin atender"
                     for u in late)
    emit(as_json, {"days": days_used, "requests": [u.to_json() for u in late]},
         text or f"Ninguna solicitud lleva más de {days_used} días sin atender.")


@click.command("route")
@click.option("--school", "cct", default=None, help="A school of the roster.")
@click.option("--nivel", default=None, help="Or the data of any school: PRIMARIA/SECUNDARIA…")
@click.option("--matricula", type=int, default=None, help="…its number of students…")
@click.option("--internet", type=click.Choice(["si", "no"], case_sensitive=False), default=None,
              help="…and whether it has internet.")
@station_command
def route_cmd(ctx: click.Context, cct: str | None, nivel: str | None, matricula: int | None,
              internet: str | None, as_json: bool) -> None:
    """Who prints a school's cards: its own station or its DRSE (normativo 2)."""
    from foundation.errors import InputError
    from station.core.model import Nivel
    from station.services.lifecycle_routing import route_data, route_schools

    station = _station(ctx)
    if nivel is not None or matricula is not None or internet is not None:
        if nivel is None or matricula is None or internet is None:
            raise click.UsageError("Con datos de una escuela indique --nivel, --matricula e "
                                   "--internet.")
        try:
            level = Nivel(nivel.strip().upper())
        except ValueError:
            raise InputError(f"Nivel desconocido: «{nivel}»; use PRIMARIA o SECUNDARIA.") from None
        r = route_data(station, level, matricula, internet.lower() == "si")
        emit(as_json, r.to_json(), f"La escuela {r.words}.")
        return
    rows = route_schools(station, _upper(cct))
    if cct and not rows:
        raise InputError(f"La escuela con CCT {cct} no está en esta estación.")
    text = "\n".join(f"{r.school.cct} {r.school.nombre}: {r.routing.words}."
                     + ("" if r.served_here else f"\n    Esta estación no la atiende: {r.refusal}")
                     for r in rows)
    emit(as_json, [r.to_json() for r in rows], text or "No hay escuelas en esta estación.")


def register(main: click.Group) -> None:
    for command in (decline_group, request_group, route_cmd):
        main.add_command(command)

"""``station`` subcommands for the card lifecycle (issue 3).

Cycles and holograms, loss and replacement, declines and requests, routing (who prints).
Supplies, deliveries and reports are in :mod:`station.cli_lifecycle_office`. Every command
takes ``--json``; dates are written ``DD/MM/AAAA`` (or ``AAAA-MM-DD``) and default to today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from station.cli_common import emit, station_command
from station.cli_common import open_ctx_station as _station

date_option = click.option("--date", "on", default="",
                           help="Day it happened, DD/MM/AAAA (default: today).")
by_option = click.option("--by", "taken_by", default="", help="Name of the staff member.")


R = TypeVar("R")


def recorded_command(func: Callable[..., R]) -> Callable[..., R]:
    """A :func:`station_command` that records something: adds ``--date`` and ``--by``."""
    return date_option(by_option(station_command(func)))


def _day(ctx: click.Context, text: str, what: str) -> date:
    from station.core.dates import parse_day

    return parse_day(text, what=what, today=_station(ctx).today())


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if value else None


# --- cycle and lists ---------------------------------------------------------------------------

@click.group("cycle")
def cycle_group() -> None:
    """The school cycle (ciclo escolar) the station works in."""


@cycle_group.command("show")
@station_command
def cycle_show(ctx: click.Context, as_json: bool) -> None:
    """Show the current cycle."""
    from station.services.lifecycle import current_cycle

    station = _station(ctx)
    cycle = current_cycle(station)
    setting = station.settings["cycle.current"]
    note = "" if cycle == setting else (f" (el ajuste cycle.current dice {setting}; manda el "
                                        "cambio de ciclo registrado en la estación, que es "
                                        "posterior)")
    emit(as_json, {"cycle": cycle, "setting": setting}, f"Ciclo escolar vigente: {cycle}{note}")


@cycle_group.command("advance")
@click.option("--to", "to", required=True, help="The next cycle, e.g. 2027-2028.")
@by_option
@station_command
def cycle_advance(ctx: click.Context, to: str, taken_by: str, as_json: bool) -> None:
    """Start the next cycle (only the one right after the current is accepted)."""
    from station.services.lifecycle import advance_cycle

    answer = advance_cycle(_station(ctx), to, taken_by=taken_by)
    emit(as_json, answer, f"Ciclo escolar vigente: {answer['cycle']} (antes {answer['previous']})."
         " Los alumnos con credencial necesitan ahora el holograma del nuevo ciclo.")


@click.command("pending")
@click.option("--school", "cct", required=True, help="School CCT.")
@click.option("--cycle", default=None, help="Cycle (default: the current one).")
@station_command
def pending_cmd(ctx: click.Context, cct: str, cycle: str | None, as_json: bool) -> None:
    """Who needs a new card and who only the cycle hologram, for a school."""
    from station.services.lifecycle import school_lists

    lists = school_lists(_station(ctx), cct.strip().upper(), cycle)
    emit(as_json, lists.to_json(), lists.describe())


# --- holograms -----------------------------------------------------------------------------

@click.group("hologram")
def hologram_group() -> None:
    """Hologram stock by serial, and which serial went on which card."""


@hologram_group.command("receive")
@click.option("--first", required=True, help="First serial of the roll, e.g. H000100.")
@click.option("--last", required=True, help="Last serial of the roll, e.g. H000199.")
@click.option("--cycle", default=None, help="Cycle of the holograms (default: current).")
@click.option("--reference", default="", help="Delivery note or official letter.")
@recorded_command
def hologram_receive(ctx: click.Context, first: str, last: str, cycle: str | None,
                     reference: str, on: str, taken_by: str, as_json: bool) -> None:
    """Record a roll of holograms received (a serial range)."""
    from station.services.lifecycle_cards import receive_holograms

    r = receive_holograms(_station(ctx), first, last, cycle=cycle, reference=reference,
                          on=_day(ctx, on, "la fecha de recepción"), taken_by=taken_by)
    emit(as_json, {"range": r.id, "first": r.serial(r.first), "last": r.serial(r.last),
                   "count": r.size, "cycle": r.cycle},
         f"Recibidos {r.size} hologramas del ciclo {r.cycle}: {r.describe()}.")


@hologram_group.command("apply")
@click.option("--serial", required=True, help="Serial printed on the hologram.")
@click.option("--curp", default=None, help="The student's CURP.")
@click.option("--folio", type=int, default=None, help="Or the folio of the student's card.")
@recorded_command
def hologram_apply(ctx: click.Context, serial: str, curp: str | None, folio: int | None,
                   on: str, taken_by: str, as_json: bool) -> None:
    """Record that a hologram went on a student's card (current cycle)."""
    from station.services.lifecycle_cards import apply_hologram

    if bool(curp) == (folio is not None):
        raise click.UsageError("Indique --curp o --folio (uno de los dos).")
    a = apply_hologram(_station(ctx), serial, curp=_upper(curp), folio=folio,
                       on=_day(ctx, on, "la fecha"), taken_by=taken_by)
    emit(as_json, a.to_json(), f"Holograma {a.serial} del ciclo {a.cycle} registrado en la "
         f"credencial {a.folio} de {a.name}.")


@hologram_group.command("assign")
@click.option("--school", "cct", required=True, help="School CCT.")
@click.option("--first-serial", required=True, help="Serial of the first hologram to use.")
@recorded_command
def hologram_assign(ctx: click.Context, cct: str, first_serial: str, on: str, taken_by: str,
                    as_json: bool) -> None:
    """Give consecutive holograms to every student of a school who lacks the cycle's one."""
    from station.services.lifecycle_cards import assign_holograms

    done = assign_holograms(_station(ctx), cct.strip().upper(), first_serial,
                            on=_day(ctx, on, "la fecha"), taken_by=taken_by)
    lines = [f"  {a.serial}  folio {a.folio}  {a.name}" for a in done]
    emit(as_json, [a.to_json() for a in done],
         f"{len(done)} hologramas registrados:\n" + "\n".join(lines))


@hologram_group.command("spoil")
@click.option("--serial", required=True)
@click.option("--reason", required=True, help="What happened (torn, misapplied...).")
@recorded_command
def hologram_spoil(ctx: click.Context, serial: str, reason: str, on: str, taken_by: str,
                   as_json: bool) -> None:
    """Record a damaged or lost hologram."""
    from station.services.lifecycle_cards import spoil_hologram

    answer = spoil_hologram(_station(ctx), serial, reason=reason, on=_day(ctx, on, "la fecha"),
                            taken_by=taken_by)
    emit(as_json, answer, f"Holograma {answer['serial']} marcado como dañado.")


@hologram_group.command("stock")
@station_command
def hologram_stock(ctx: click.Context, as_json: bool) -> None:
    """Holograms per cycle: received, applied, spoiled, in stock."""
    from station.services.lifecycle_cards import hologram_stock as stock

    rows = stock(_station(ctx))
    text = "\n".join(f"Ciclo {c.cycle}: {c.received} recibidos, {c.applied} colocados, "
                     f"{c.spoiled} dañados, {c.stock} en existencia"
                     + (f" (siguiente: {c.next_free})" if c.next_free else "") for c in rows)
    emit(as_json, [c.to_json() for c in rows], text or "No se han recibido hologramas.")


# --- loss and replacement ----------------------------------------------------------------

@click.group("card")
def card_group() -> None:
    """A card in use: report it lost or stolen (it is revoked at once)."""


@card_group.command("lost")
@click.option("--folio", type=int, default=None, help="Folio printed on the card.")
@click.option("--curp", default=None, help="Or the student's CURP.")
@click.option("--stolen", is_flag=True, help="The card was stolen, not lost.")
@recorded_command
def card_lost(ctx: click.Context, folio: int | None, curp: str | None, stolen: bool, on: str,
              taken_by: str, as_json: bool) -> None:
    """Report a lost or stolen card (normativo 8): it stops being valid now."""
    from station.services.lifecycle_cards import report_loss

    if bool(curp) == (folio is not None):
        raise click.UsageError("Indique --folio o --curp (uno de los dos).")
    answer = report_loss(_station(ctx), folio=folio, curp=_upper(curp), stolen=stolen,
                         on=_day(ctx, on, "la fecha del reporte"), taken_by=taken_by)
    emit(as_json, answer, f"Credencial {answer['folio']} de {answer['name']} dada de baja: "
         f"{answer['reason']}. La reposición requiere el recibo de pago: station replacement "
         "request.")


@click.group("replacement")
def replacement_group() -> None:
    """Replacement of a lost, stolen or damaged card (needs the fee receipt)."""


@replacement_group.command("request")
@click.option("--curp", default=None, help="The student's CURP.")
@click.option("--folio", type=int, default=None, help="Or the folio of the card replaced.")
@click.option("--reason", required=True, help="extravio, robo or dano.")
@click.option("--receipt", default="", help="Reference of the fee receipt (required).")
@click.option("--receipt-date", default="", help="Date on the receipt, DD/MM/AAAA.")
@by_option
@click.option("--printer", "queue", help="Print the new card now on this CUPS queue.")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Or write the new card's sheet to this PDF now.")
@click.option("--review/--no-review", default=None, help="Ask whether the sheet came out right.")
@station_command
def replacement_request(ctx: click.Context, curp: str | None, folio: int | None, reason: str,
                        receipt: str, receipt_date: str, taken_by: str, queue: str | None,
                        pdf_out: Path | None, review: bool | None, as_json: bool) -> None:
    """Record a paid replacement (normativo 9); optionally print the new card right away."""
    from station.services.lifecycle_cards import request_replacement

    if bool(curp) == (folio is not None):
        raise click.UsageError("Indique --curp o --folio (uno de los dos).")
    if not receipt_date.strip() and receipt.strip():
        raise click.UsageError("Indique la fecha del recibo con --receipt-date.")
    station = _station(ctx)
    destination = _check_destination(ctx, queue, pdf_out)  # before anything is recorded
    rep = request_replacement(
        station, curp=_upper(curp), folio=folio, reason=reason, receipt=receipt,
        receipt_date=_day(ctx, receipt_date, "la fecha del recibo"), on=station.today(),
        taken_by=taken_by)
    answer: dict[str, Any] = {"replacement": rep.to_json()}
    text = (f"Reposición registrada para {rep.name} (recibo {rep.receipt_ref}, "
            f"${rep.fee_mxn} MXN). La credencial {rep.old_folio} "
            + ("quedó dada de baja." if rep.reason != "damaged" else
               "sigue vigente hasta que se imprima la nueva."))
    if destination is None:
        emit(as_json, answer, text + " Imprima la nueva con: station print --school "
             f"{rep.cct} --curp {rep.curp}")
        return
    if not as_json:
        click.echo(text)
    _print_now(ctx, rep.cct, [rep.curp], destination, review, as_json, answer)


def _check_destination(ctx: click.Context, queue: str | None,
                       pdf_out: Path | None) -> Any:
    """Where the new card goes (printer checked now), or None when not printing now."""
    if not (queue or pdf_out):
        return None
    from station.cli import _one_destination
    from station.services.print_tasks import destination

    station = _station(ctx)
    _one_destination(station, queue, pdf_out)
    return destination(station, queue=queue, pdf_out=pdf_out)


def _print_now(ctx: click.Context, cct: str, curps: list[str], destination: Any,
               review: bool | None, as_json: bool, answer: dict[str, Any]) -> None:
    """Print through the same service as ``station print`` (CUPS or PDF, then review)."""
    from station.cli import _echo_job, _finish, _show_outcome
    from station.services.issuance import select_students
    from station.services.print_tasks import print_students

    station = _station(ctx)
    school, students = select_students(station, cct, curps)
    outcome = print_students(station, school, students, destination,
                             on_job=_echo_job(as_json))
    answer.update(_show_outcome(outcome, as_json))
    _finish(ctx, outcome.produced, answer, review, as_json)


@replacement_group.command("list")
@click.option("--school", "cct", default=None)
@station_command
def replacement_list(ctx: click.Context, cct: str | None, as_json: bool) -> None:
    """Replacements recorded, and which still await their new card."""
    from station.services.lifecycle_cards import list_replacements

    reps = list_replacements(_station(ctx), _upper(cct))
    text = "\n".join(f"{r.name}: folio {r.old_folio} → "
                     f"{'pendiente de imprimir' if r.awaiting else r.new_folio} "
                     f"(recibo {r.receipt_ref})" for r in reps)
    emit(as_json, [r.to_json() for r in reps], text or "Sin reposiciones registradas.")


def register(main: click.Group) -> None:
    """Add this module's commands to the ``station`` group."""
    from station import cli_lifecycle_office, cli_lifecycle_requests

    for command in (cycle_group, pending_cmd, hologram_group, card_group, replacement_group):
        main.add_command(command)
    cli_lifecycle_requests.register(main)
    cli_lifecycle_office.register(main)

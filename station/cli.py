"""The ``station`` command line: the operator's and the scripts' way into the station services.

Every command takes ``--data DIR`` (or ``STATION_DATA``) for the station's data folder, and
``--json`` where a program reads the answer. Errors print in Spanish with the way out and exit
with status 1 (2 for a usage error, as click does).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from foundation.command_line import SpanishGroup
from foundation.words import count
from station import (
    cli_camera,
    cli_certificates,
    cli_kiosk,
    cli_lifecycle,
    cli_offices,
    cli_privacy,
    cli_support,
    cli_sync,
    cli_update,
)
from station.cli_common import emit, friendly_errors, json_option, writable_output
from station.cli_common import open_ctx_station as _station

P = ParamSpec("P")
R = TypeVar("R")

@click.group(cls=SpanishGroup, program="station",
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Station data folder (default: STATION_DATA or "
              "~/.local/share/station).")
@click.version_option(package_name="control-escolar-credenciales")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """Estación de credenciales escolares (SEJ Jalisco)."""
    ctx.obj = {"data_dir": data_dir}


# --- roster and photos ---------------------------------------------------------------------

@main.command("import-roster")
@click.argument("escuelas", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("alumnos", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--accept-valid", is_flag=True,
              help="Import the valid rows even when other rows have errors.")
@json_option
@click.pass_context
@friendly_errors
def import_roster_cmd(ctx: click.Context, escuelas: Path, alumnos: Path, accept_valid: bool,
                      as_json: bool) -> None:
    """Import a SCEJAL export (CSV or XLSX): schools file, then students file."""
    from station.services.roster_import import import_roster

    result = import_roster(_station(ctx), escuelas, alumnos, accept_valid=accept_valid)
    emit(as_json, result.to_json(), result.describe())
    if not result.imported:
        sys.exit(1)


@main.command("import-photos")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@json_option
@click.pass_context
@friendly_errors
def import_photos_cmd(ctx: click.Context, folder: Path, as_json: bool) -> None:
    """Import student photos from a folder of <CURP>.jpg / <CURP>.png files."""
    from station.services.roster_import import import_photos

    result = import_photos(_station(ctx), folder)
    emit(as_json, result.to_json(), result.describe())


@main.command("import-cards")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", "taken_by", required=True, help="Who registers the cards (recorded).")
@click.option("--accept-valid", is_flag=True,
              help="Register the valid rows even when other rows have errors.")
@json_option
@click.pass_context
@friendly_errors
def import_cards_cmd(ctx: click.Context, file: Path, taken_by: str, accept_valid: bool,
                     as_json: bool) -> None:
    """Register cards issued before the station (CSV/XLSX: folio, curp, fecha): their
    holders then need only the cycle hologram (normativo 6)."""
    from station.services.prior_cards import import_prior_cards

    result = import_prior_cards(_station(ctx), file, taken_by=taken_by,
                                accept_valid=accept_valid)
    emit(as_json, result.to_json(), result.describe())
    if not result.imported:
        sys.exit(1)


# --- printing ------------------------------------------------------------------------------

def _printer_options(func: Callable[P, R]) -> Callable[P, R]:
    func = click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write the sheets to this PDF instead of printing.")(func)
    return click.option("--printer", "queue", help="CUPS queue to print on.")(func)


def _one_destination(station: Any, queue: str | None, pdf_out: Path | None) -> None:
    if queue and pdf_out:
        raise click.UsageError("Use --printer o --pdf, no los dos.")
    if not queue and not pdf_out and not station.settings["printer.queue"]:
        raise click.UsageError("Indique --printer COLA o --pdf ARCHIVO.")
    if pdf_out:
        writable_output(pdf_out)


def _echo_sheet(as_json: bool) -> Callable[[Any, int, int], None]:
    def on_sheet(sheet: Any, index: int, total: int) -> None:
        if not as_json:
            click.echo(f"Planilla {index} de {total} lista (núm. {sheet.sheet_id}, folios "
                       f"{sheet.folios[0]}–{sheet.folios[-1]}"
                       + (f", {len(sheet.cancelled)} posiciones canceladas)" if sheet.cancelled
                          else ")"))
    return on_sheet


def _echo_job(as_json: bool) -> Callable[[int, Any], None]:
    def on_job(sheet_id: int, status: Any) -> None:
        if not as_json:
            click.echo(f"  planilla {sheet_id}: {status.message_es}")
    return on_job


def _show_outcome(outcome: Any, as_json: bool) -> dict[str, Any]:
    if not as_json:
        if outcome.pdf is not None:
            click.echo(f"Archivo para imprimir: {outcome.pdf}")
        for job in outcome.jobs:
            click.echo(f"Planilla {job.sheet_id}: {job.message}"
                       # the kiosk's words name no command; the terminal gets it back here
                       + (f" En la terminal: station send --sheet {job.sheet_id}"
                          if job.state == "not-sent" else ""))
    answer: dict[str, Any] = outcome.to_json()
    return answer


review_option = click.option(
    "--review/--no-review", default=None,
    help="Ask, sheet by sheet, whether it came out right (default: when run at a terminal).")


def _finish(ctx: click.Context, produced: list[Any], answer: dict[str, Any],
            review: bool | None, as_json: bool) -> None:
    """Review the sheets with the operator (at a terminal), or say how to do it later."""
    if review is None:
        review = sys.stdin.isatty() and not as_json
    if review:
        answer["spoiled_on_review"] = _review(ctx, produced)
        emit(as_json, answer, "Revisión terminada.")
    else:
        emit(as_json, answer, _confirm_hint(produced))


def _review(ctx: click.Context, produced: list[Any]) -> list[int]:
    """Ask the operator about each sheet: confirm it, or spoil it with a reason.

    Returns the ids of the sheets spoiled here, to offer their reprint.
    """
    from station.services.print_tasks import confirm_sheets, spoil_sheet

    station = _station(ctx)
    spoiled = []
    click.echo("\nLa impresora no puede saber si el papel salió bien. Revise cada planilla.")
    for sheet in produced:
        good = _yes_no(f"¿La planilla {sheet.sheet_id} (folios {sheet.folios[0]}–"
                       f"{sheet.folios[-1]}) salió bien?")
        if good:
            confirm_sheets(station, [sheet.sheet_id])
            continue
        reason = click.prompt("Motivo (atasco, sin tinta, desalineada…)",
                              default="mala impresión")
        spoil_sheet(station, sheet.sheet_id, reason)
        spoiled.append(sheet.sheet_id)
    if spoiled:
        click.echo("Planillas dañadas: " + ", ".join(map(str, spoiled)) + ". Reimprímalas con "
                   "folios nuevos: " + "; ".join(f"station reprint --sheet {i}" for i in spoiled))
    return spoiled


def _yes_no(question: str) -> bool:
    """A yes/no question in Spanish (click.confirm only takes y/n)."""
    answer = click.prompt(f"{question} [S/n]", default="s", show_default=False,
                          show_choices=False,
                          type=click.Choice(["s", "si", "sí", "n", "no"], case_sensitive=False))
    return answer.lower().startswith("s")


def _confirm_hint(produced: list[Any]) -> str:
    ids = " ".join(str(p.sheet_id) for p in produced)
    return ("\nLa impresora no puede saber si el papel salió bien. Revise cada planilla:\n"
            f"  bien:  station confirm --sheet {ids}\n"
            "  mal:   station spoil --sheet N --reason 'motivo'  y luego  "
            "station reprint --sheet N")


@main.command("print")
@click.option("--school", "cct", default=None, help="School CCT.")
@click.option("--all-pending", is_flag=True, help="Every enrolled student without a card.")
@click.option("--curp", "curps", multiple=True, help="A student's CURP (repeatable).")
@click.option("--batch", type=int, default=None,
              help="The new cards of a batch central sent this DRSE station (batch list).")
@click.option("--despite-stock", is_flag=True,
              help="Print although the recorded stock of Teslin or pouches would go below 0.")
@_printer_options
@review_option
@json_option
@click.pass_context
@friendly_errors
def print_cmd(ctx: click.Context, cct: str | None, all_pending: bool, curps: tuple[str, ...],
              batch: int | None, despite_stock: bool, queue: str | None, pdf_out: Path | None,
              review: bool | None, as_json: bool) -> None:
    """Issue and print credentials in sheets of 8."""
    from station.services.batch_selection import select_ready
    from station.services.issuance import select_students
    from station.services.offices import batch_students
    from station.services.print_tasks import destination, print_students
    from station.services.supplies import check_stock_for_print

    station = _station(ctx)
    if batch is not None:
        if cct or all_pending or curps:
            raise click.UsageError("Con --batch no indique --school, --all-pending ni --curp.")
        cct, batch_curps = batch_students(station, batch)
        curps = tuple(batch_curps)
    if not cct:
        raise click.UsageError("Indique --school (o --batch).")
    if all_pending == bool(curps):
        raise click.UsageError("Indique --all-pending o al menos un --curp (no ambos).")
    _one_destination(station, queue, pdf_out)
    not_ready: list[Any] = []
    if all_pending:  # the ready ones print; the others are listed with why, never dropped
        selection = select_ready(station, cct.strip().upper())
        school, students, not_ready = selection.school, selection.students, selection.not_ready
        if not_ready and not as_json:
            click.echo(selection.describe_not_ready())
    else:
        school, students = select_students(station, cct.strip().upper(),
                                           [c.strip().upper() for c in curps])
    check_stock_for_print(station, len(students), despite_stock=despite_stock,
                          way_out="Registre el material que llegó con 'station supplies "
                          "receive'; si el material sí está y sólo falta registrarlo, puede "
                          "imprimir con --despite-stock y registrar la entrada después.")
    dest = destination(station, queue=queue, pdf_out=pdf_out)
    outcome = print_students(station, school, students, dest, on_sheet=_echo_sheet(as_json),
                             on_job=_echo_job(as_json), despite_stock=despite_stock)
    answer = _show_outcome(outcome, as_json)
    answer["not_ready"] = [n.to_json() for n in not_ready]
    _finish(ctx, outcome.produced, answer, review, as_json)


def _sheets_options(func: Callable[P, R]) -> Callable[P, R]:
    """``--sheet 12 13`` as the print hint and the docs write it, ``--sheet 12 --sheet 13``
    too: click options take one value each, so the numbers after the first arrive as
    arguments and :func:`_sheet_numbers` joins them."""
    func = click.argument("more_sheets", nargs=-1, type=click.IntRange(min=1),
                          metavar="[N]...")(func)
    return click.option("--sheet", "sheet_ids", type=click.IntRange(min=1), multiple=True,
                        help="Sheet number(s): --sheet 12 13")(func)


def _sheet_numbers(sheet_ids: tuple[int, ...], more: tuple[int, ...]) -> tuple[int, ...]:
    numbers = tuple(dict.fromkeys((*sheet_ids, *more)))
    if not numbers:
        raise click.UsageError("Indique las planillas: --sheet N [N...] (por ejemplo, "
                               "--sheet 12 13).")
    return numbers


@main.command("send")
@_sheets_options
@_printer_options
@review_option
@json_option
@click.pass_context
@friendly_errors
def send_cmd(ctx: click.Context, sheet_ids: tuple[int, ...], more_sheets: tuple[int, ...],
             queue: str | None, pdf_out: Path | None, review: bool | None,
             as_json: bool) -> None:
    """Send sheets that were produced but never reached the printer (same folios)."""
    from station.services.print_tasks import deliver, destination, sheets_to_send

    sheet_ids = _sheet_numbers(sheet_ids, more_sheets)
    station = _station(ctx)
    _one_destination(station, queue, pdf_out)
    produced = sheets_to_send(station, sheet_ids)
    outcome = deliver(station, produced, destination(station, queue=queue, pdf_out=pdf_out),
                      on_job=_echo_job(as_json))
    _finish(ctx, outcome.produced, _show_outcome(outcome, as_json), review, as_json)


@main.command("confirm")
@_sheets_options
@json_option
@click.pass_context
@friendly_errors
def confirm_cmd(ctx: click.Context, sheet_ids: tuple[int, ...], more_sheets: tuple[int, ...],
                as_json: bool) -> None:
    """Record that these sheets came out of the printer right."""
    from station.services.print_tasks import confirm_sheets

    sheet_ids = _sheet_numbers(sheet_ids, more_sheets)
    confirm_sheets(_station(ctx), sheet_ids)
    emit(as_json, {"confirmed": list(sheet_ids)},
         "Planillas confirmadas: " + ", ".join(map(str, sheet_ids)))


@main.command("spoil")
@click.option("--sheet", "sheet_id", type=int, required=True)
@click.option("--reason", required=True, help="Why the sheet is spoiled (misprint, jam...).")
@json_option
@click.pass_context
@friendly_errors
def spoil_cmd(ctx: click.Context, sheet_id: int, reason: str, as_json: bool) -> None:
    """Mark a misprinted sheet spoiled: its folios are voided and its students pending again."""
    from station.services.print_tasks import spoil_sheet

    sheet = spoil_sheet(_station(ctx), sheet_id, reason)
    emit(as_json, sheet.to_json(),
         f"Planilla {sheet_id} marcada como dañada; "
         f"{count(len(sheet.students), 'alumno vuelve', 'alumnos vuelven')} a quedar "
         f"pendientes. Reimprima con: station reprint --sheet {sheet_id}")


@main.command("reprint")
@click.option("--sheet", "sheet_id", type=int, required=True)
@_printer_options
@review_option
@json_option
@click.pass_context
@friendly_errors
def reprint_cmd(ctx: click.Context, sheet_id: int, queue: str | None, pdf_out: Path | None,
                review: bool | None, as_json: bool) -> None:
    """Print again, on new folios, the students of a spoiled sheet."""
    from station.services.print_tasks import reprint

    station = _station(ctx)
    _one_destination(station, queue, pdf_out)
    outcome = reprint(station, sheet_id, queue=queue, pdf_out=pdf_out,
                      on_sheet=_echo_sheet(as_json), on_job=_echo_job(as_json))
    _finish(ctx, outcome.produced, _show_outcome(outcome, as_json), review, as_json)


def _proof_answer(result: Any) -> dict[str, Any]:
    if isinstance(result, Path):
        return {"pdf": str(result)}
    return {"job": result.job_id, "state": result.state, "message": result.message_es}


@main.command("specimen")
@_printer_options
@json_option
@click.pass_context
@friendly_errors
def specimen_cmd(ctx: click.Context, queue: str | None, pdf_out: Path | None,
                 as_json: bool) -> None:
    """Print a sheet of SPECIMEN cards: uses no folio and marks nobody issued."""
    from station.services.print_tasks import destination, print_without_folios

    station = _station(ctx)
    _one_destination(station, queue, pdf_out)
    dest = destination(station, queue=queue, pdf_out=pdf_out, ready=False)
    answer = _proof_answer(print_without_folios(station, "specimen", dest))
    emit(as_json, answer, "Planilla de espécimen lista; no usó folios ni marcó credenciales.")


@main.command("calibrate")
@click.option("--printer", "queue", help="CUPS queue (default: printer.queue setting).")
@click.option("--set", "values", help="Store offsets, e.g. dx=1.5,dy=-0.8,scale=0.995")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the calibration page to a PDF instead of printing it.")
@json_option
@click.pass_context
@friendly_errors
def calibrate_cmd(ctx: click.Context, queue: str | None, values: str | None,
                  pdf_out: Path | None, as_json: bool) -> None:
    """Print a calibration page, or store the measured offsets for a printer."""
    from station.services.calibration_prints import store_calibration
    from station.services.print_tasks import destination, print_without_folios, printer_key

    station = _station(ctx)
    if not (queue or station.settings["printer.queue"] or pdf_out or values):
        raise click.UsageError("Indique --printer COLA.")
    if pdf_out:
        writable_output(pdf_out)
    printer = printer_key(station, queue)
    if values:
        cal = store_calibration(station, printer, values)
        emit(as_json, {"printer": printer, "dx_mm": cal.dx_mm, "dy_mm": cal.dy_mm,
                       "scale": cal.scale},
             f"Calibración guardada para {printer}: dx={cal.dx_mm} mm, dy={cal.dy_mm} mm, "
             f"escala={cal.scale}. Se aplica a todas las planillas siguientes.")
        return
    dest = destination(station, queue=printer, pdf_out=pdf_out, ready=False)
    answer = _proof_answer(print_without_folios(station, "calibration", dest))
    emit(as_json, answer, "Página de calibración enviada. Mida las marcas y guarde los valores "
         "con: station calibrate --printer COLA --set dx=..,dy=..,scale=..")


@main.command("sheets")
@json_option
@click.pass_context
@friendly_errors
def sheets_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the latest sheets and their state."""
    from station.services.lookup import latest_sheets

    sheets = latest_sheets(_station(ctx))
    lines = [f"{s.id:>6}  {s.cct}  {s.state:<10} {s.created_at}  {len(s.students)} credenciales"
             for s in sheets]
    emit(as_json, [s.to_json() for s in sheets], "\n".join(lines) or "Sin planillas.")


@main.command("audit")
@json_option
@click.pass_context
@friendly_errors
def audit_cmd(ctx: click.Context, as_json: bool) -> None:
    """Prove every folio is exactly one of issued / cancelled / spoiled / unused, every
    hologram serial is used once and its stock adds up, and every fee receipt is used once."""
    from station.services.audit import audit_station

    report = audit_station(_station(ctx))
    emit(as_json, report.to_json(), report.describe())
    if not report.ok:
        sys.exit(1)


@main.command("verify")
@click.argument("image", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--camera", "camera", is_flag=False, flag_value="", default=None,
              metavar="[DEVICE]", help="Verify cards shown to the camera (default device: the "
              "camera.device setting) until Ctrl-C.")
@click.option("--max-seconds", type=float, help="With --camera: stop after this many seconds.")
@json_option
@click.pass_context
@friendly_errors
def verify_cmd(ctx: click.Context, image: Path | None, camera: str | None,
               max_seconds: float | None, as_json: bool) -> None:
    """Verify the credentials in a scan or photo of a card or a whole sheet, or shown to the
    camera (--camera)."""
    from station.services.verification import verify_image

    if (image is None) == (camera is None):
        raise click.UsageError("Indique una IMAGEN o --camera (no los dos).")
    if camera is not None:
        from station.cli_camera import verify_with_camera

        verify_with_camera(ctx, camera, max_seconds, as_json)
        return
    assert image is not None
    results = verify_image(_station(ctx), image)
    if not results:
        emit(as_json, [], "No se encontró ningún código QR en la imagen. Acerque la credencial, "
             "evite reflejos y vuelva a intentar.")
        sys.exit(1)
    emit(as_json, [r.to_json() for r in results], "\n".join(r.reason_es for r in results))


@main.command("demo")
@click.option("--students", default=20, show_default=True, type=click.IntRange(1, 400),
              help="Students in the demo school (1 to 400).")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the sheets to a PDF instead of the virtual printer.")
@click.pass_context
@friendly_errors
def demo_cmd(ctx: click.Context, students: int, pdf_out: Path | None) -> None:
    """Demo: a synthetic school, placeholder portraits, one batch printed."""
    from station.context import resolve_data_dir
    from station.services.demo import run_demo

    ctx.obj["data_dir"] = resolve_data_dir(ctx.obj["data_dir"],
                                           default=Path.cwd() / "station-data")
    if pdf_out:
        writable_output(pdf_out)
    run_demo(_station(ctx), students=students, pdf_out=pdf_out, echo=click.echo)


for _module in (cli_lifecycle, cli_sync, cli_camera, cli_kiosk, cli_update, cli_certificates,
                cli_support, cli_offices, cli_privacy):
    _module.register(main)

if __name__ == "__main__":
    main()

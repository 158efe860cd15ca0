"""The ``station`` command line: the operator's and the scripts' way into the station services.

Every command takes ``--data DIR`` (or ``STATION_DATA``) for the station's data folder, and
``--json`` where a program reads the answer. Errors print in Spanish with the way out and exit
with status 1 (2 for a usage error, as click does).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from station import cli_camera, cli_certificates, cli_kiosk, cli_lifecycle, cli_sync, cli_update
from station.cli_common import emit, friendly_errors, json_option
from station.cli_common import open_ctx_station as _station

P = ParamSpec("P")
R = TypeVar("R")

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="STATION_DATA", help="Station data folder (default: STATION_DATA or "
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


# --- printing ------------------------------------------------------------------------------

def _printer_options(func: Callable[P, R]) -> Callable[P, R]:
    func = click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write the sheets to this PDF instead of printing.")(func)
    return click.option("--printer", "queue", help="CUPS queue to print on.")(func)


def _destination(station: Any, queue: str | None, pdf_out: Path | None) -> str:
    if queue and pdf_out:
        raise click.UsageError("Use --printer o --pdf, no los dos.")
    if not queue and not pdf_out:
        queue = station.settings["printer.queue"] or None
        if not queue:
            raise click.UsageError("Indique --printer COLA o --pdf ARCHIVO.")
    return queue or "pdf"


def _probe(ctx: click.Context, queue: str | None) -> Any:
    """The CUPS queue, checked *before* any folio is used; None for PDF output."""
    if queue is None:
        return None
    from station.services.printer_check import ready_print_queue

    station = _station(ctx)
    return ready_print_queue(queue, server=station.settings["printer.cups_server"] or None)


def _deliver(ctx: click.Context, produced: list[Any], queue: str | None,
             pdf_out: Path | None, as_json: bool, print_queue: Any = None) -> dict[str, Any]:
    """Send produced sheets to CUPS or into one PDF; return the JSON answer."""
    station = _station(ctx)
    answer: dict[str, Any] = {"sheets": [p.to_json() for p in produced]}
    if pdf_out:
        from station.printer.pdf_output import combine_pdfs

        combine_pdfs([p.pdf for p in produced], pdf_out)
        answer["pdf"] = str(pdf_out)
        if not as_json:
            click.echo(f"Archivo para imprimir: {pdf_out}")
        return answer
    from station.services.printing import send_sheets

    assert queue is not None
    if print_queue is None:
        print_queue = _probe(ctx, queue)

    def progress(sheet_id: int, status: Any) -> None:
        if not as_json:
            click.echo(f"  planilla {sheet_id}: {status.message_es}")

    jobs = send_sheets(station, produced, print_queue, printer=queue, on_update=progress)
    answer["jobs"] = [j.to_json() for j in jobs]
    if not as_json:
        for job in jobs:
            click.echo(f"Planilla {job.sheet_id}: {job.message}")
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
    from station.store.sheet_records import confirm, spoil

    station = _station(ctx)
    spoiled = []
    click.echo("\nLa impresora no puede saber si el papel salió bien. Revise cada planilla.")
    for sheet in produced:
        good = _yes_no(f"¿La planilla {sheet.sheet_id} (folios {sheet.folios[0]}–"
                       f"{sheet.folios[-1]}) salió bien?")
        with station.db.write() as conn:
            if good:
                confirm(conn, sheet.sheet_id)
                continue
            reason = click.prompt("Motivo (atasco, sin tinta, desalineada…)",
                                  default="mala impresión")
            spoil(conn, sheet.sheet_id, reason=reason)
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
@click.option("--school", "cct", required=True, help="School CCT.")
@click.option("--all-pending", is_flag=True, help="Every enrolled student without a card.")
@click.option("--curp", "curps", multiple=True, help="A student's CURP (repeatable).")
@_printer_options
@review_option
@json_option
@click.pass_context
@friendly_errors
def print_cmd(ctx: click.Context, cct: str, all_pending: bool, curps: tuple[str, ...],
              queue: str | None, pdf_out: Path | None, review: bool | None,
              as_json: bool) -> None:
    """Issue and print credentials in sheets of 8."""
    from station.services.issuance import Issuer, select_students

    if all_pending == bool(curps):
        raise click.UsageError("Indique --all-pending o al menos un --curp (no ambos).")
    station = _station(ctx)
    printer = _destination(station, queue, pdf_out)
    school, students = select_students(station, cct.strip().upper(),
                                       None if all_pending else [c.strip().upper() for c in curps])

    def on_sheet(sheet: Any, index: int, total: int) -> None:
        if not as_json:
            click.echo(f"Planilla {index} de {total} lista (núm. {sheet.sheet_id}, folios "
                       f"{sheet.folios[0]}–{sheet.folios[-1]}"
                       + (f", {len(sheet.cancelled)} posiciones canceladas)" if sheet.cancelled
                          else ")"))

    print_queue = _probe(ctx, None if pdf_out else printer)
    produced = Issuer(station, printer=printer).produce(school, students, on_sheet=on_sheet)
    answer = _deliver(ctx, produced, None if pdf_out else printer, pdf_out, as_json, print_queue)
    _finish(ctx, produced, answer, review, as_json)


@main.command("send")
@click.option("--sheet", "sheet_ids", type=int, multiple=True, required=True)
@_printer_options
@review_option
@json_option
@click.pass_context
@friendly_errors
def send_cmd(ctx: click.Context, sheet_ids: tuple[int, ...], queue: str | None,
             pdf_out: Path | None, review: bool | None, as_json: bool) -> None:
    """Send sheets that were produced but never reached the printer (same folios)."""
    from foundation.errors import RuleViolation
    from station.services.issuance import ProducedSheet
    from station.store.sheet_records import get_sheet

    station = _station(ctx)
    printer = _destination(station, queue, pdf_out)
    produced = []
    with station.db.read() as conn:
        for sheet_id in sheet_ids:
            rec = get_sheet(conn, sheet_id)
            if rec.state != "generated":
                raise RuleViolation(
                    f"La planilla {sheet_id} ya se envió a imprimir (estado: {rec.state}).",
                    way_out="Si salió mal, márquela dañada y reimprímala con folios nuevos.")
            data = rec.to_json()
            produced.append(ProducedSheet(sheet_id, station.sheets_dir / rec.pdf_name,
                                          tuple(data["folios"]), tuple(data["cancelled"])))
    answer = _deliver(ctx, produced, None if pdf_out else printer, pdf_out, as_json)
    _finish(ctx, produced, answer, review, as_json)


@main.command("confirm")
@click.option("--sheet", "sheet_ids", type=int, multiple=True, required=True)
@json_option
@click.pass_context
@friendly_errors
def confirm_cmd(ctx: click.Context, sheet_ids: tuple[int, ...], as_json: bool) -> None:
    """Record that these sheets came out of the printer right."""
    from station.store.sheet_records import confirm

    station = _station(ctx)
    with station.db.write() as conn:
        for sheet_id in sheet_ids:
            confirm(conn, sheet_id)
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
    from station.store.sheet_records import spoil

    station = _station(ctx)
    with station.db.write() as conn:
        sheet = spoil(conn, sheet_id, reason=reason)
    emit(as_json, sheet.to_json(),
         f"Planilla {sheet_id} marcada como dañada; {len(sheet.students)} alumno(s) vuelven a "
         f"quedar pendientes. Reimprima con: station reprint --sheet {sheet_id}")


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
    from foundation.errors import RuleViolation
    from station.services.issuance import Issuer, select_students
    from station.store.ledger import active_card_folio
    from station.store.sheet_records import get_sheet

    station = _station(ctx)
    printer = _destination(station, queue, pdf_out)
    with station.db.read() as conn:
        sheet = get_sheet(conn, sheet_id)
        if sheet.state != "spoiled":
            raise RuleViolation(
                f"La planilla {sheet_id} no está marcada como dañada.",
                way_out=f"Primero: station spoil --sheet {sheet_id} --reason 'motivo'.")
        curps = [c for c in sheet.students if active_card_folio(conn, c) is None]
    if not curps:
        raise RuleViolation("Todos los alumnos de esa planilla ya tienen otra credencial.")
    school, students = select_students(station, sheet.cct, curps)
    print_queue = _probe(ctx, None if pdf_out else printer)
    produced = Issuer(station, printer=printer).produce(school, students, reprint_of=sheet_id)
    answer = _deliver(ctx, produced, None if pdf_out else printer, pdf_out, as_json, print_queue)
    _finish(ctx, produced, answer, review, as_json)


@main.command("specimen")
@_printer_options
@json_option
@click.pass_context
@friendly_errors
def specimen_cmd(ctx: click.Context, queue: str | None, pdf_out: Path | None,
                 as_json: bool) -> None:
    """Print a sheet of SPECIMEN cards: uses no folio and marks nobody issued."""
    from station.services.test_prints import specimen_pdf

    station = _station(ctx)
    printer = _destination(station, queue, pdf_out)
    pdf = specimen_pdf(station, printer=printer)
    answer = _deliver_test_print(ctx, pdf, "Espécimen", None if pdf_out else printer, pdf_out)
    emit(as_json, answer, "Planilla de espécimen lista; no usó folios ni marcó credenciales.")


def _deliver_test_print(ctx: click.Context, pdf: Path, title: str, queue: str | None,
                        pdf_out: Path | None) -> dict[str, Any]:
    station = _station(ctx)
    if pdf_out:
        shutil.copyfile(pdf, pdf_out)
        return {"pdf": str(pdf_out)}
    from station.printer.cups_queue import probe_print_queue

    assert queue is not None
    print_queue = probe_print_queue(queue, server=station.settings["printer.cups_server"] or None)
    job = print_queue.submit(pdf, title=title)
    status = print_queue.follow(job, timeout_s=float(station.settings["printer.job_timeout_s"]))
    return {"job": job, "state": status.state, "message": status.message_es}


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
    from station.services.test_prints import calibration_pdf, store_calibration

    station = _station(ctx)
    printer = queue or station.settings["printer.queue"] or ("pdf" if pdf_out or values else None)
    if not printer:
        raise click.UsageError("Indique --printer COLA.")
    if values:
        cal = store_calibration(station, printer, values)
        emit(as_json, {"printer": printer, "dx_mm": cal.dx_mm, "dy_mm": cal.dy_mm,
                       "scale": cal.scale},
             f"Calibración guardada para {printer}: dx={cal.dx_mm} mm, dy={cal.dy_mm} mm, "
             f"escala={cal.scale}. Se aplica a todas las planillas siguientes.")
        return
    pdf = calibration_pdf(station, printer=printer)
    answer = _deliver_test_print(ctx, pdf, "Calibración", None if pdf_out else printer, pdf_out)
    emit(as_json, answer, "Página de calibración enviada. Mida las marcas y guarde los valores "
         "con: station calibrate --printer COLA --set dx=..,dy=..,scale=..")


@main.command("sheets")
@json_option
@click.pass_context
@friendly_errors
def sheets_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the latest sheets and their state."""
    from station.store.sheet_records import list_sheets

    with _station(ctx).db.read() as conn:
        sheets = list_sheets(conn)
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
    from station.core.folios import audit
    from station.services.lifecycle_audit import audit_lifecycle
    from station.store import ledger

    with _station(ctx).db.read() as conn:
        report = audit(ledger.folio_blocks(conn), ledger.folio_uses(conn),
                       ledger.card_records(conn))
        lifecycle = audit_lifecycle(conn)
    report.problems.extend(lifecycle.problems)
    report.ok = report.ok and lifecycle.ok
    text = (f"{'Auditoría correcta' if report.ok else 'LA AUDITORÍA ENCONTRÓ PROBLEMAS'}: "
            f"{report.issued} expedidos, {report.cancelled} cancelados, {report.spoiled} dañados, "
            f"{report.unused} sin usar. {lifecycle.describe()}"
            + "".join(f"\n- {p}" for p in report.problems))
    emit(as_json, {**report.to_json(), **lifecycle.to_json()}, text)
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
@click.option("--students", default=20, show_default=True, help="Students in the demo school.")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the sheets to a PDF instead of the virtual printer.")
@click.pass_context
@friendly_errors
def demo_cmd(ctx: click.Context, students: int, pdf_out: Path | None) -> None:
    """Demo: a synthetic school, placeholder portraits, one batch printed."""
    from station.services.demo import run_demo

    if ctx.obj["data_dir"] is None:
        ctx.obj["data_dir"] = Path.cwd() / "station-data"
    run_demo(_station(ctx), students=students, pdf_out=pdf_out, echo=click.echo)


for _module in (cli_lifecycle, cli_sync, cli_camera, cli_kiosk, cli_update, cli_certificates):
    _module.register(main)

if __name__ == "__main__":
    main()

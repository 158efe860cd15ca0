"""``station`` subcommands for the office side: supplies, deliveries to schools, reports."""

from __future__ import annotations

from pathlib import Path

import click

from station.cli_common import emit, station_command
from station.cli_common import open_ctx_station as _station
from station.cli_lifecycle import _day, by_option, date_option, recorded_command

# --- supplies ------------------------------------------------------------------------------


@click.group("supplies")
def supplies_group() -> None:
    """Teslin sheets, pouches (micas), holograms and ink: stock, use, resupply."""


printer_option = click.option("--printer", default=None,
                              help="CUPS queue to ask for ink levels (default: printer.queue).")
no_printer_option = click.option("--no-printer", is_flag=True,
                                 help="Do not ask the printer for its ink levels.")


@supplies_group.command("status")
@printer_option
@no_printer_option
@station_command
def supplies_status_cmd(ctx: click.Context, printer: str | None, no_printer: bool,
                        as_json: bool) -> None:
    """Stock of each material, ink levels, and low-stock warnings."""
    from station.services.supplies import supplies_status

    status = supplies_status(_station(ctx), printer=printer, ask_printer=not no_printer)
    emit(as_json, status.to_json(), status.describe())


@supplies_group.command("receive")
@click.option("--item", required=True, help="teslin, micas or tinta (holograms: hologram "
              "receive).")
@click.option("--quantity", type=int, required=True)
@click.option("--reference", default="", help="Delivery note, letter or invoice.")
@click.option("--request", "request", type=int, default=None,
              help="The resupply request this material answers (closes it at the DRSE).")
@recorded_command
def supplies_receive(ctx: click.Context, item: str, quantity: int, reference: str,
                     request: int | None, on: str, taken_by: str, as_json: bool) -> None:
    """Record material received."""
    from station.services.supplies import receive

    line = receive(_station(ctx), item, quantity, reference=reference,
                   on=_day(ctx, on, "la fecha de recepción"), taken_by=taken_by,
                   request=request)
    emit(as_json, line.to_json(), f"Entrada registrada: {quantity} {line.item.words}. "
         f"Existencia: {line.stock}.")


@supplies_group.command("adjust")
@click.option("--item", required=True)
@click.option("--quantity", type=int, required=True,
              help="Signed change: -3 for three pouches ruined, +1 for one found.")
@click.option("--reason", default="", help="Why (required).")
@recorded_command
def supplies_adjust(ctx: click.Context, item: str, quantity: int, reason: str, on: str,
                    taken_by: str, as_json: bool) -> None:
    """Correct the stock by hand, with a reason (e.g. a cartridge installed)."""
    from station.services.supplies import adjust

    line = adjust(_station(ctx), item, quantity, reason=reason, on=_day(ctx, on, "la fecha"),
                  taken_by=taken_by)
    emit(as_json, line.to_json(), f"Ajuste registrado ({quantity:+d} {line.item.words}). "
         f"Existencia: {line.stock}.")


@supplies_group.command("request")
@click.option("--since", default=None, help="Justify use since this day (default: since the "
              "last request).")
@click.option("--teslin", type=int, default=None, help="Sheets to ask for (default: computed).")
@click.option("--micas", type=int, default=None)
@click.option("--hologramas", type=int, default=None)
@click.option("--tinta", type=int, default=None)
@click.option("--director", default="", help="Name of who signs the request.")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also copy the PDF here.")
@printer_option
@no_printer_option
@station_command
def supplies_request(ctx: click.Context, since: str | None, teslin: int | None,
                     micas: int | None, hologramas: int | None, tinta: int | None,
                     director: str, pdf_out: Path | None, printer: str | None, no_printer: bool,
                     as_json: bool) -> None:
    """Produce the resupply request with the use justified from the ledger (PDF and JSON)."""
    from foundation.errors import InputError
    from station.core.supplies import Item
    from station.services.supplies import build_request
    from station.services.supplies_request import issue_request

    asked = {Item.TESLIN: teslin, Item.MICAS: micas, Item.HOLOGRAMAS: hologramas,
             Item.TINTA: tinta}
    if any(v is not None and v < 0 for v in asked.values()):
        raise InputError("Las cantidades solicitadas no pueden ser negativas.")
    start = _day(ctx, since, "la fecha de inicio").isoformat() if since else None
    station = _station(ctx)
    req = build_request(station, since=start, asked=asked, director=director, printer=printer,
                        ask_printer=not no_printer)
    pdf = issue_request(station, req, pdf_out)
    answer = {**req.to_json(), "pdf": str(pdf_out or pdf)}
    lines = [f"  {Item(k).words}: {v}" for k, v in answer["requested"].items()]  # type: ignore[union-attr]
    emit(as_json, answer, f"Solicitud de material {req.id} lista para firma: {pdf_out or pdf}\n"
         + "\n".join(lines))


@supplies_group.command("requests")
@station_command
def supplies_requests(ctx: click.Context, as_json: bool) -> None:
    """The station's resupply requests as the DRSE handled them (procedure 2)."""
    from station.services.offices import supply_news

    rows = supply_news(_station(ctx))
    text = "\n".join(f"Solicitud {n.ref}: {n.words}" + (f". Motivo: {n.reason}" if n.reason
                                                         else "")
                     + (f". Aprobado: {n.detail['approved']}" if n.detail.get("approved")
                        else "")
                     + (f". Envío: {n.detail['shipped_reference']}"
                        if n.detail.get("shipped_reference") else "") for n in rows)
    emit(as_json, [n.to_json() for n in rows],
         text or "Sin noticias de la DRSE: sincronice después de enviar una solicitud.")


# --- deliveries ------------------------------------------------------------------------------

@click.group("delivery")
def delivery_group() -> None:
    """DRSE deliveries to schools, with the acknowledgement of receipt (procedure 1)."""


@delivery_group.command("create")
@click.option("--school", "cct", required=True)
@by_option
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also copy the acknowledgement PDF here.")
@station_command
def delivery_create(ctx: click.Context, cct: str, taken_by: str, pdf_out: Path | None,
                    as_json: bool) -> None:
    """List what goes to the school and print the acknowledgement of receipt."""
    from station.services.delivery import copy_pdf, create_delivery, delivery_pdf

    station = _station(ctx)
    d = create_delivery(station, cct.strip().upper(), taken_by=taken_by)
    pdf = delivery_pdf(station, d.id)
    copy_pdf(pdf, pdf_out)
    emit(as_json, {**d.to_json(), "pdf": str(pdf_out or pdf)},
         f"Entrega {d.id} a {d.cct}: {len(d.cards)} credenciales y {len(d.holograms)} "
         f"hologramas. Acuse para firmar: {pdf_out or pdf}\nAl regresar firmado: station "
         f"delivery close --id {d.id} --received-by 'NOMBRE'")


@delivery_group.command("close")
@click.option("--id", "did", type=int, required=True)
@click.option("--received-by", required=True, help="Who signed at the school.")
@click.option("--scan", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Scan or photo of the signed acknowledgement (kept).")
@date_option
@station_command
def delivery_close(ctx: click.Context, did: int, received_by: str, scan: Path | None, on: str,
                   as_json: bool) -> None:
    """Record the signed acknowledgement: the delivery is closed."""
    from station.services.delivery import close_delivery

    d = close_delivery(_station(ctx), did, received_by=received_by,
                       received_on=_day(ctx, on, "la fecha de recibido"), scan=scan)
    emit(as_json, d.to_json(), f"Entrega {d.id} cerrada: la recibió {d.received_by}.")


@delivery_group.command("list")
@station_command
def delivery_list(ctx: click.Context, as_json: bool) -> None:
    """Deliveries and their state (open until the signed acknowledgement)."""
    from station.services.delivery import list_deliveries

    rows = list_deliveries(_station(ctx))
    text = "\n".join(f"{d.id:>4} {d.cct} {d.created_on} {d.state:<7} {len(d.cards)} "
                     f"credenciales, {len(d.holograms)} hologramas" for d in rows)
    emit(as_json, [d.to_json() for d in rows], text or "Sin entregas.")


@delivery_group.command("pdf")
@click.option("--id", "did", type=int, required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@station_command
def delivery_pdf_cmd(ctx: click.Context, did: int, out: Path, as_json: bool) -> None:
    """Copy a delivery's acknowledgement PDF (to print it again)."""
    from station.services.delivery import copy_pdf, delivery_pdf

    copy_pdf(delivery_pdf(_station(ctx), did), out)
    emit(as_json, {"delivery": did, "pdf": str(out)}, f"Acuse de la entrega {did}: {out}")


# --- reports -------------------------------------------------------------------------------

@click.command("report")
@click.option("--school", "ccts", multiple=True, help="School CCT (repeatable; default: all).")
@click.option("--cycle", default=None, help="Cycle (default: current).")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--xlsx", "xlsx_out", type=click.Path(dir_okay=False, path_type=Path))
@station_command
def report_cmd(ctx: click.Context, ccts: tuple[str, ...], cycle: str | None,
               pdf_out: Path | None, xlsx_out: Path | None, as_json: bool) -> None:
    """Per school and cycle: with card, pending, declined, hologram applied (PDF, XLSX)."""
    from station.services.reports import COUNT_LABELS, school_reports, write_pdf, write_xlsx

    station = _station(ctx)
    reports = school_reports(station, [c.strip().upper() for c in ccts] or None, cycle)
    if pdf_out:
        write_pdf(station, reports, pdf_out)
    if xlsx_out:
        write_xlsx(reports, xlsx_out)
    text = "\n".join(f"{r.lists.school.cct} {r.lists.school.nombre} ({r.lists.cycle}): "
                     + ", ".join(f"{label.lower()} {r.counts()[k]}" for k, label in COUNT_LABELS)
                     for r in reports)
    files = [str(p) for p in (pdf_out, xlsx_out) if p]
    emit(as_json, {"schools": [r.to_json() for r in reports], "files": files},
         (text or "No hay escuelas.") + ("\nArchivos: " + ", ".join(files) if files else ""))


def register(main: click.Group) -> None:
    for command in (supplies_group, delivery_group, report_cmd):
        main.add_command(command)

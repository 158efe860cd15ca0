"""The resupply request (técnico 5; DRSE procedure 2) as a PDF a director signs, and as JSON.

The request is recorded in the ledger (its JSON, and the period it justifies), so the next
request justifies only what was used after it.
"""

from __future__ import annotations

import shutil
from gettext import ngettext
from pathlib import Path

from station.context import Station
from station.core.dates import show_day
from station.core.supplies import Item, shown
from station.printer.documents import Document, Table, render_document
from station.services.supplies import ResupplyRequest
from station.store import supply_records
from station.store.data_folder import DataFolder


def _document(req: ResupplyRequest) -> Document:
    u = req.usage
    period = (f"del {show_day(u.period_from)} al {show_day(u.period_to)}" if u.period_from
              else f"desde el inicio hasta el {show_day(u.period_to)}")
    who = "Escuela (CCT)" if req.kind == "escuela" else "DRSE"
    asked = [(item.words, str(shown(req.stock[item])), str(req.asked[item])) for item in Item]
    use = [(label, str(n)) for label, n in u.lines_es()]
    adjustments = [(Item(i).words, f"{q:+d}", r) for i, q, r in u.adjustments]
    body: list[Table | str] = [
        "Con fundamento en el numeral 5 de los lineamientos técnico operativos de "
        "credencialización, se solicita el material que se detalla, con la justificación de su "
        "uso calculada del registro de la estación.",
        Table("Material solicitado", ("Material", "Existencia actual", "Cantidad solicitada"),
              asked, (3, 1.3, 1.3)),
        Table(f"Justificación: uso del material {period}", ("Concepto", "Cantidad"), use, (4, 1)),
        Table("Ajustes manuales de inventario en el periodo", ("Material", "Cantidad", "Motivo"),
              adjustments, (2, 1, 4), empty="Sin ajustes manuales en el periodo."),
        f"Trabajo pendiente del ciclo {req.cycle}: "
        + ngettext("{n} alumno sin credencial", "{n} alumnos sin credencial",
                   req.pending_cards).format(n=req.pending_cards) + " y "
        + ngettext("{n} alumno que sólo necesita el holograma",
                   "{n} alumnos que sólo necesitan el holograma",
                   req.pending_holograms).format(n=req.pending_holograms) + ".",
    ]
    if req.ink:
        body.append(Table("Niveles de tinta que informa la impresora", ("Cartucho", "Nivel"),
                          [(i.name, "desconocido" if i.level is None else f"{i.level} %")
                           for i in req.ink], (3, 1)))
    if req.warnings:
        body.append(Table("Avisos", ("Aviso",), [(w,) for w in req.warnings]))
    return Document(
        title="Solicitud de material para credencialización",
        header=[("Solicitud núm.", str(req.id)), ("Fecha", show_day(req.on)),
                (who, req.who), ("Estación", req.station_id), ("Ciclo escolar", req.cycle)],
        body=body,
        signatures=[f"Solicita\n{req.director or 'Nombre y firma del director(a)'}",
                    "Sello de la escuela o DRSE", "Recibe\nNombre, firma y fecha"],
        footer=f"Solicitud de material {req.id} — estación {req.station_id}")


def issue_request(station: Station, req: ResupplyRequest, pdf_out: Path | None) -> Path:
    """Record the request and write its PDF; returns the PDF kept in the data folder."""
    folder = DataFolder.private(station.folder.documents)
    with station.db.write() as conn:
        req.id = supply_records.next_request_id(conn)
        pdf = folder / f"solicitud-material-{req.id:04d}.pdf"
        render_document(pdf, _document(req))
        supply_records.record_request(conn, payload=req.to_json(), on=req.on,
                                      period_from=req.usage.period_from,
                                      period_to=req.usage.period_to, pdf_name=pdf.name)
    if pdf_out:
        shutil.copyfile(pdf, pdf_out)
    return pdf

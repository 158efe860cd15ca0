"""Supplies (técnicos 1–6): stock from the ledger, adjustments, warnings, ink over IPP, and
the resupply request as JSON and as a PDF a director signs."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_lifecycle import (
    cli,
    cli_json,
    ledger_snapshot,
    pdf_text,
    pdf_words,
    refused,
    write_settings,
)

from station.core.supplies import Item, StockLine, check_adjustment, suggest, warnings


def _stock(data: Path) -> dict[str, dict]:
    return {s["item"]: s for s in cli_json(data, "supplies", "status", "--no-printer")["stock"]}


def test_rules_of_stock() -> None:
    line = StockLine(Item.MICAS, received=10, adjusted=0, used=8)
    check_adjustment(line, -2, "dañadas al enmicar")
    with pytest.raises(Exception, match="sólo hay 2"):
        check_adjustment(line, -3, "dañadas")
    with pytest.raises(Exception, match="motivo"):
        check_adjustment(line, -1, "")
    with pytest.raises(Exception, match="número de serie"):
        check_adjustment(StockLine(Item.HOLOGRAMAS, 5, 0, 0), -1, "x")
    lines = {Item.TESLIN: StockLine(Item.TESLIN, 10, 0, 12),
             Item.MICAS: StockLine(Item.MICAS, 200, 0, 150)}
    found = warnings(lines, {Item.TESLIN: 25, Item.MICAS: 100}, [], 15)
    # Never a negative stock in words (issue 13): the excess use is said as a positive number.
    assert "Se usaron 2 hojas Teslin más" in found[0] and "Quedan 50 micas" in found[1]
    assert "-2" not in found[0]
    assert suggest(needs_card=17, needs_hologram=5, stock={Item.TESLIN: -4, Item.MICAS: 3},
                   low_ink=1, reserve={Item.TESLIN: 2}) == {
        Item.TESLIN: 5, Item.MICAS: 14, Item.HOLOGRAMAS: 22, Item.TINTA: 1}


def test_use_is_computed_from_the_ledger(station_data, tmp_path: Path) -> None:
    data, cct, curps = station_data
    cli(data, "supplies", "receive", "--item", "teslin", "--quantity", "50",
        "--reference", "Kit SEJ 2026")
    cli(data, "supplies", "receive", "--item", "mica", "--quantity", "120")
    batch = cli_json(data, "print", "--school", cct, "--all-pending", "--pdf",
                     str(tmp_path / "a.pdf"))
    n, sheets = len(curps), len(batch["sheets"])
    stock = _stock(data)
    assert (stock["teslin"]["used"], stock["teslin"]["stock"]) == (sheets, 50 - sheets)
    assert (stock["micas"]["used"], stock["micas"]["stock"]) == (n, 120 - n)

    # A spoiled sheet used its Teslin but its cards were never laminated.
    last = batch["sheets"][-1]
    cli(data, "spoil", "--sheet", str(last["sheet"]), "--reason", "sin tinta magenta")
    assert _stock(data)["micas"]["used"] == n - len(last["folios"])
    cli(data, "reprint", "--sheet", str(last["sheet"]), "--pdf", str(tmp_path / "b.pdf"))
    stock = _stock(data)
    assert (stock["teslin"]["used"], stock["micas"]["used"]) == (sheets + 1, n)

    snapshot = ledger_snapshot(data)
    assert "sólo hay" in refused(data, "supplies", "adjust", "--item", "teslin",
                                 "--quantity", "-500", "--reason", "conteo físico")
    assert "necesita el motivo" in refused(data, "supplies", "adjust", "--item", "teslin",
                                           "--quantity", "-1")
    assert "mayor que cero" in refused(data, "supplies", "receive", "--item", "micas",
                                       "--quantity", "-5")
    assert "por rango de números de serie" in refused(
        data, "supplies", "receive", "--item", "hologramas", "--quantity", "100")
    assert "no se ajustan a mano" in refused(data, "supplies", "adjust", "--item", "hologramas",
                                             "--quantity", "-1", "--reason", "x")
    assert "Material desconocido" in refused(data, "supplies", "receive", "--item", "papel",
                                             "--quantity", "1")
    assert ledger_snapshot(data) == snapshot
    adjusted = cli_json(data, "supplies", "adjust", "--item", "micas", "--quantity", "-3",
                        "--reason", "se arrugaron en la enmicadora")
    assert adjusted["adjusted"] == -3 and adjusted["stock"] == 120 - n - 3

    write_settings(data, supplies__low_teslin_sheets=60)
    found = cli_json(data, "supplies", "status", "--no-printer")["warnings"]
    assert any(w.startswith(f"Quedan {50 - sheets - 1} hojas Teslin") for w in found)


def test_resupply_request_justifies_use_from_the_ledger(station_data, tmp_path: Path) -> None:
    data, cct, curps = station_data
    cli(data, "supplies", "receive", "--item", "teslin", "--quantity", "10")
    cli(data, "supplies", "receive", "--item", "micas", "--quantity", "10")
    cli(data, "hologram", "receive", "--first", "H0001", "--last", "H0020")
    batch = cli_json(data, "print", "--school", cct, "--curp", curps[0], "--curp", curps[1],
                     "--curp", curps[2], "--pdf", str(tmp_path / "a.pdf"))
    cli(data, "hologram", "apply", "--serial", "H0001", "--curp", curps[0])
    cli(data, "hologram", "spoil", "--serial", "H0002", "--reason", "se despegó")
    cli(data, "supplies", "adjust", "--item", "micas", "--quantity", "-1", "--reason",
        "burbuja al enmicar")

    pdf = tmp_path / "solicitud.pdf"
    req = cli_json(data, "supplies", "request", "--director", "Profra. Juana López Ramos",
                   "--pdf", str(pdf), "--tinta", "2")
    usage = req["usage"]
    assert (usage["sheets_printed"], usage["cards_issued"], usage["blanks_cancelled"],
            usage["holograms_applied"], usage["holograms_spoiled"]) == (1, 3, 5, 1, 1)
    assert usage["adjustments"] == [{"item": "micas", "quantity": -1,
                                     "reason": "burbuja al enmicar"}]
    pending = len(curps) - 3
    assert req["pending"] == {"cards": pending, "holograms": 2}
    # pending work plus the warning level, minus the stock; ink as asked
    assert req["requested"] == {"teslin": -(-pending // 8) + 25 - 9, "micas": pending + 100 - 6,
                                "hologramas": pending + 2 + 100 - 18, "tinta": 2}
    assert req["stock"]["teslin"] == 9 and batch["sheets"][0]["cancelled"]

    words = pdf_words(pdf)
    for phrase in ("Solicitud de material para credencialización", "Profra. Juana López Ramos",
                   "Credenciales expedidas 3", "Posiciones en blanco canceladas 5",
                   "Hologramas colocados 1", "Hologramas dañados 1", "burbuja al enmicar",
                   "Nombre, firma y fecha"):
        assert phrase in words, phrase
    table = pdf_text(pdf)
    teslin_row = next(line for line in table.splitlines()
                      if line.strip().startswith("hojas Teslin"))
    assert teslin_row.split()[-2:] == ["9", str(req["requested"]["teslin"])]
    assert (data / "documents" / "solicitud-material-0001.pdf").exists()

    # The next request justifies only what was used after this one.
    second = cli_json(data, "supplies", "request", "--no-printer")
    assert second["request"] == 2 and second["usage"]["cards_issued"] == 0
    assert second["usage"]["from"] == req["usage"]["to"]
    assert "no pueden ser negativas" in refused(data, "supplies", "request", "--micas", "-1")


@pytest.mark.cups
def test_ink_levels_come_from_the_printer(station_data, virtual_printer) -> None:
    data, _cct, _ = station_data
    write_settings(data, printer__queue=virtual_printer.queue,
                   printer__cups_server=virtual_printer.cups_server,
                   supplies__low_ink_percent=40)
    status = cli_json(data, "supplies", "status")
    assert [(i["name"], i["level"]) for i in status["ink"]] == [
        ("Tinta negra", 80), ("Tinta cian", 65), ("Tinta magenta", 50), ("Tinta amarilla", 35)]
    assert "Tinta amarilla: queda 35 % (aviso con menos de 40 %)." in status["warnings"]
    assert not any("Tinta magenta" in w for w in status["warnings"])
    req = cli_json(data, "supplies", "request")
    assert req["requested"]["tinta"] == 1 and req["ink"][3] == {"name": "Tinta amarilla",
                                                                "level": 35}
    write_settings(data, printer__queue="NoExiste", printer__cups_server=virtual_printer
                   .cups_server)
    status = cli_json(data, "supplies", "status")
    assert status["ink"] is None and "no se pudo consultar la impresora" in status["ink_note"]


def test_printing_is_refused_before_recorded_stock_goes_below_zero(prepared_station,
                                                                    tmp_path: Path) -> None:
    """The rule the kiosk and ``station print`` share (issue 13): the kiosk's words name no
    terminal command, nothing is issued, and an item never recorded is not checked."""
    from datetime import date

    from foundation.errors import RuleViolation
    from station.services.issuance import select_students
    from station.services.print_tasks import destination, print_students
    from station.services.supplies import receive

    station, cct, curps = prepared_station
    receive(station, "micas", 3, reference="kit", on=date.today(), taken_by="Ana Ruiz")
    school, students = select_students(station, cct, curps[:4])
    before = ledger_snapshot(station.data_dir)
    with pytest.raises(RuleViolation) as refusal:
        print_students(station, school, students,
                       destination(station, pdf_out=tmp_path / "a.pdf"))
    words = refusal.value.user_message()
    assert "usa 4 micas (bolsas para enmicar) y sólo hay 3 registradas (falta 1)" in words
    assert "hojas Teslin" not in words  # never recorded: its stock is unknown, not zero
    assert "station " not in words and "--" not in words and "«Material»" in words
    assert ledger_snapshot(station.data_dir) == before
    assert not (tmp_path / "a.pdf").exists()

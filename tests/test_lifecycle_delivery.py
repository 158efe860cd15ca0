"""DRSE delivery to a school (procedure 1) and the per-school reports: real PDF and XLSX."""

from __future__ import annotations

import stat
from pathlib import Path

from openpyxl import load_workbook
from plugin_lifecycle import cli, cli_json, day, ledger_snapshot, pdf_text, pdf_words, refused


def test_drse_delivery_acknowledgement_and_close(drse_station, tmp_path: Path) -> None:
    data, cct, curps = drse_station
    printed = cli_json(data, "print", "--school", cct, "--all-pending", "--pdf",
                       str(tmp_path / "a.pdf"))
    sheets = [str(s["sheet"]) for s in printed["sheets"]]
    folios = [f for s in printed["sheets"] for f in s["folios"]]
    text = refused(data, "delivery", "create", "--school", cct, "--by", "Rosa Díaz")
    assert f"Hay {len(curps)} credenciales cuyas planillas aún no se confirman" in text

    cli(data, "confirm", "--sheet", *sheets[:1], "--sheet", *sheets[1:])
    cli(data, "hologram", "receive", "--first", "AS-00001", "--last", "AS-00500",
        "--reference", "Oficio SEJ/DGTI/88")
    assigned = cli_json(data, "hologram", "assign", "--school", cct, "--first-serial",
                        "AS-00001")
    assert len(assigned) == len(curps)

    ack = tmp_path / "acuse.pdf"
    d = cli_json(data, "delivery", "create", "--school", cct, "--by", "Rosa Díaz",
                 "--pdf", str(ack))
    assert (d["state"], len(d["cards"]), len(d["holograms"])) == ("open", len(curps),
                                                                  len(curps))
    assert sorted(c["folio"] for c in d["cards"]) == sorted(folios)
    words = pdf_words(ack)
    assert "Acuse de recibo de credenciales y hologramas" in words
    assert 'ESCUELA PRIMARIA DE DEMOSTRACIÓN "GUADALUPE VICTORIA"' in words
    assert "Altos Sur (Tepatitlán)" in words
    rows = [line.split() for line in pdf_text(ack).splitlines()]
    for card in d["cards"]:  # a row: number, folio, the student's name, grade
        assert any(r[1:3] == [str(card["folio"]), card["name"].split()[0]] for r in rows
                   if len(r) > 2), card
    for h in d["holograms"]:  # a row: number, serial, name …, folio of the card, grade
        assert any(r[1:3] == [h["serial"], h["name"].split()[0]] and str(h["folio"]) in r
                   for r in rows if len(r) > 2), h
    for line in ("Recibe: director(a) de la escuela", "Sello de la escuela", "Rosa Díaz"):
        assert line in words
    assert not any(curp in words for curp in curps)  # no CURP on paper

    snapshot = ledger_snapshot(data)
    assert "No hay credenciales ni hologramas pendientes" in refused(
        data, "delivery", "create", "--school", cct, "--by", "Rosa Díaz")
    assert ledger_snapshot(data) == snapshot

    scan = tmp_path / "acuse-firmado.jpg"
    scan.write_bytes(b"\xff\xd8 fake scan bytes")
    closed = cli_json(data, "delivery", "close", "--id", str(d["delivery"]), "--received-by",
                      "Profra. Elena Ruiz", "--date", day(0), "--scan", str(scan))
    assert closed["state"] == "closed" and closed["received_by"] == "Profra. Elena Ruiz"
    kept = data / "deliveries" / closed["scan"]
    assert kept.read_bytes() == scan.read_bytes()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert "ya se cerró" in refused(data, "delivery", "close", "--id", str(d["delivery"]),
                                    "--received-by", "Otra Persona")
    assert [x["state"] for x in cli_json(data, "delivery", "list")] == ["closed"]
    again = tmp_path / "otra-vez.pdf"
    cli(data, "delivery", "pdf", "--id", str(d["delivery"]), "--out", str(again))
    assert pdf_words(again) == words


def test_school_station_has_no_deliveries(station_data) -> None:
    data, cct, _ = station_data
    assert "esta estación es de una escuela" in refused(data, "delivery", "create", "--school",
                                                        cct, "--by", "Rosa Díaz")


def test_report_counts_in_pdf_and_xlsx(station_data, tmp_path: Path) -> None:
    data, cct, curps = station_data
    cli(data, "decline", "record", "--curp", curps[0], "--declared-by", "tutor", "--by", "Laura M")
    cli(data, "print", "--school", cct, "--curp", curps[1], "--curp", curps[2], "--curp",
        curps[3], "--pdf", str(tmp_path / "a.pdf"))
    cli(data, "hologram", "receive", "--first", "H0001", "--last", "H0100")
    cli(data, "hologram", "apply", "--serial", "H0001", "--curp", curps[1])
    cli(data, "card", "lost", "--curp", curps[3], "--by", "Laura M")
    pdf, xlsx = tmp_path / "reporte.pdf", tmp_path / "reporte.xlsx"
    answer = cli_json(data, "report", "--school", cct, "--pdf", str(pdf), "--xlsx", str(xlsx))
    n = len(curps)
    expected = {"enrolled": n, "with_card": 2, "pending": n - 4, "hologram_only": 1,
                "hologram_applied": 1, "declined": 1, "needs_receipt": 1,
                "requests_unattended": 0}
    assert {k: answer["schools"][0][k] for k in expected} == expected

    wb = load_workbook(xlsx)
    summary = list(wb["Resumen"].iter_rows(values_only=True))
    assert summary[0][:4] == ("CCT", "Escuela", "Ciclo", "Inscritos")
    assert summary[1][0] == cct and summary[1][2] == "2026-2027"
    assert list(summary[1][3:]) == list(expected.values())
    students = {r[0]: r for r in wb[cct].iter_rows(min_row=2, values_only=True)}
    assert len(students) == n
    statuses = sorted(r[4] for r in students.values())
    assert statuses.count("necesita credencial") == n - 4
    assert any(r[6] == "H0001" and r[4].startswith("credencial y holograma")
               for r in students.values())
    assert not any(curp in str(cell) for row in wb[cct].iter_rows(values_only=True)
                   for cell in row for curp in curps)
    assert stat.S_IMODE(xlsx.stat().st_mode) == 0o600

    words = pdf_text(pdf)
    assert "Reporte de credencialización — ciclo 2026-2027" in words
    counts_line = next(line for line in words.splitlines() if line.strip().startswith(cct))
    assert counts_line.split()[-8:] == [str(v) for v in expected.values()]
    phrases = pdf_words(pdf)
    assert "no desea la credencial" in phrases
    assert "credencial reportada extraviada o robada: falta el recibo de reposición" in phrases

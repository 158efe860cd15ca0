"""The `station` command line end to end: real SQLite ledger, real PDFs, real QR decoding."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from station.camera.qr_reader import read_qr_texts
from station.cli import main

SAMPLES = Path(__file__).parent / "data" / "scejal"


def run(data: Path, *args: str, ok: bool = True) -> Result:
    result = CliRunner().invoke(main, ["--data", str(data), *args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def as_json(result: Result) -> object:
    return json.loads(result.output)


def pdf_pages_png(pdf: Path, out_dir: Path, dpi: int = 300) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out_dir / "p")],
                   check=True)
    return sorted(out_dir.glob("p*.png"))


def audit(data: Path) -> dict[str, object]:
    result = as_json(run(data, "audit", "--json"))
    assert isinstance(result, dict)
    return result


def test_import_roster_is_all_or_nothing_and_idempotent(tmp_path: Path) -> None:
    data = tmp_path / "st"
    first = as_json(run(data, "import-roster", str(SAMPLES / "escuelas.csv"),
                        str(SAMPLES / "alumnos.csv"), "--json"))
    assert first["imported"] and first["problems"] == []
    assert first["changes"]["students_added"] == 40
    assert "UTF-8 con BOM" in json.dumps(first["encodings"], ensure_ascii=False)
    again = as_json(run(data, "import-roster", str(SAMPLES / "escuelas.csv"),
                        str(SAMPLES / "alumnos.csv"), "--json"))
    changes = again["changes"]
    assert (changes["students_added"], changes["students_updated"],
            changes["schools_added"]) == (0, 0, 0)

    # A newer export: one student withdrawn (BAJA), one with a broken CURP.
    lines = (SAMPLES / "alumnos.csv").read_text("utf-8-sig").splitlines()
    header, rows = lines[0], lines[1:]
    withdrawn = rows[0].replace("INSCRITO", "BAJA")
    broken = rows[1][:17] + ("0" if rows[1][17] != "0" else "1") + rows[1][18:]
    newer = tmp_path / "alumnos-nuevo.csv"
    newer.write_text("\n".join([header, withdrawn, broken, *rows[2:]]) + "\n", "utf-8-sig")
    refused = run(data, "import-roster", str(SAMPLES / "escuelas.csv"), str(newer), ok=False)
    assert refused.exit_code == 1
    assert "fila 3" in refused.output and "curp" in refused.output.lower()
    assert "No se importó nada" in refused.output
    accepted = as_json(run(data, "import-roster", str(SAMPLES / "escuelas.csv"), str(newer),
                           "--accept-valid", "--json"))
    assert accepted["imported"] and accepted["changes"]["students_withdrawn"] == 1


def test_print_to_pdf_issues_cancels_and_verifies(prepared_station, tmp_path: Path) -> None:
    station, cct, curps = prepared_station
    data = station.data_dir
    station.close()
    out = tmp_path / "lote.pdf"
    answer = as_json(run(data, "print", "--school", cct, "--all-pending", "--pdf", str(out),
                         "--json"))
    sheets = answer["sheets"]
    n = len(curps)
    assert n % 8, "the fixture must leave blanks on the last sheet"
    assert len(sheets) == -(-n // 8)
    assert [len(s["folios"]) for s in sheets] == [8] * (n // 8) + [n % 8]
    assert len(sheets[-1]["cancelled"]) == 8 - n % 8
    report = audit(data)
    assert report["ok"] and report["issued"] == n and report["cancelled"] == 8 - n % 8
    all_folios = [f for s in sheets for f in s["folios"] + s["cancelled"]]
    assert all_folios == list(range(1, len(sheets) * 8 + 1))

    pages = pdf_pages_png(out, tmp_path / "png")
    assert len(pages) == len(sheets)
    verdicts = as_json(run(data, "verify", str(pages[-1]), "--json"))
    assert [v["verdict"] for v in verdicts] == ["valid"] * (n % 8)
    assert [v["folio"] for v in verdicts] == sheets[-1]["folios"]
    assert all(v["cct"] == cct for v in verdicts)

    # Printing the same students again is refused: they have a card.
    again = run(data, "print", "--school", cct, "--curp", curps[0], "--pdf", str(out), ok=False)
    assert again.exit_code == 1 and "ya tiene credencial vigente" in again.output
    assert audit(data)["issued"] == n


def test_spoil_and_reprint_use_new_folios(prepared_station, tmp_path: Path) -> None:
    station, cct, curps = prepared_station
    data = station.data_dir
    station.close()
    out = tmp_path / "a.pdf"
    first = as_json(run(data, "print", "--school", cct, "--curp", curps[0], "--curp", curps[1],
                        "--pdf", str(out), "--json"))
    sheet = first["sheets"][0]
    png = pdf_pages_png(out, tmp_path / "a")[0]

    refused = run(data, "reprint", "--sheet", str(sheet["sheet"]), "--pdf", str(out), ok=False)
    assert "no está marcada como dañada" in refused.output
    run(data, "spoil", "--sheet", str(sheet["sheet"]), "--reason", "atasco de papel")
    report = audit(data)
    assert report["ok"] and report["spoiled"] == 2 and report["cancelled"] == 6

    old = as_json(run(data, "verify", str(png), "--json"))
    assert [v["verdict"] for v in old] == ["revoked", "revoked"]
    assert "atasco de papel" in old[0]["reason"]

    out2 = tmp_path / "b.pdf"
    second = as_json(run(data, "reprint", "--sheet", str(sheet["sheet"]), "--pdf", str(out2),
                         "--json"))
    new_folios = second["sheets"][0]["folios"]
    assert len(new_folios) == 2 and not set(new_folios) & set(sheet["folios"])
    assert min(new_folios) > max(sheet["folios"] + sheet["cancelled"])
    report = audit(data)
    assert report["ok"] and report["issued"] == 2 and report["spoiled"] == 2
    confirmed = run(data, "confirm", "--sheet", str(second["sheets"][0]["sheet"]))
    assert "confirmadas" in confirmed.output
    late = run(data, "spoil", "--sheet", str(second["sheets"][0]["sheet"]), "--reason", "x",
               ok=False)
    assert "ya fue confirmada" in late.output


def test_specimen_uses_no_folio_and_is_not_a_credential(prepared_station, tmp_path) -> None:
    station, _cct, _ = prepared_station
    data = station.data_dir
    station.close()
    before = audit(data)
    out = tmp_path / "esp.pdf"
    run(data, "specimen", "--pdf", str(out))
    assert audit(data) == before
    texts = pdf_pages_png(out, tmp_path / "esp")
    verdicts = as_json(run(data, "verify", str(texts[0]), "--json"))
    assert len(verdicts) == 8
    assert {v["verdict"] for v in verdicts} == {"not-a-credential"}
    out_text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                              check=True).stdout
    assert "ESPÉCIMEN" in out_text


def test_calibration_is_stored_per_printer_and_applied(prepared_station, tmp_path) -> None:
    station, cct, curps = prepared_station
    data = station.data_dir
    station.close()
    run(data, "calibrate", "--printer", "pdf", "--set", "dx=4,dy=3")
    kept = as_json(run(data, "calibrate", "--printer", "pdf", "--set", "scale=0.99", "--json"))
    assert (kept["dx_mm"], kept["dy_mm"], kept["scale"]) == (4.0, 3.0, 0.99)
    bad = run(data, "calibrate", "--printer", "pdf", "--set", "dx=40", ok=False)
    assert "entre -10 y 10" in bad.output
    out = tmp_path / "cal.pdf"
    run(data, "print", "--school", cct, "--curp", curps[0], "--pdf", str(out))
    shifted = read_qr_texts(pdf_pages_png(out, tmp_path / "c", dpi=150)[0])
    run(data, "calibrate", "--printer", "pdf", "--set", "dx=0,dy=0,scale=1")
    out2 = tmp_path / "cal2.pdf"
    run(data, "print", "--school", cct, "--curp", curps[1], "--pdf", str(out2))
    plain = read_qr_texts(pdf_pages_png(out2, tmp_path / "d", dpi=150)[0])
    dx_px = shifted[0].position[0] - plain[0].position[0]
    assert dx_px == pytest.approx(4 / 25.4 * 150, abs=3)


def test_errors_are_words_not_tracebacks(tmp_path: Path) -> None:
    data = tmp_path / "st"
    missing = run(data, "import-roster", str(tmp_path / "no.csv"), str(tmp_path / "no2.csv"),
                  ok=False)
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    unknown = run(data, "print", "--school", "14DPR9999Z", "--all-pending", "--pdf", "x.pdf",
                  ok=False)
    assert "no está en esta estación" in unknown.output
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not an image")
    bad = run(data, "verify", str(junk), ok=False)
    assert "no es una imagen" in bad.output
    nosheet = run(data, "spoil", "--sheet", "999", "--reason", "x", ok=False)
    assert "No existe la planilla 999" in nosheet.output


def test_operator_reviews_each_sheet_after_printing(prepared_station, tmp_path: Path) -> None:
    station, cct, curps = prepared_station
    data = station.data_dir
    station.close()
    # 10 students → 2 sheets; the operator says the first came out right, the second not.
    args = ["--data", str(data), "print", "--school", cct, "--pdf", str(tmp_path / "x.pdf"),
            "--review"]
    for curp in curps[:10]:
        args += ["--curp", curp]
    result = CliRunner().invoke(main, args, input="s\nn\ndesalineada\n",
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "station reprint --sheet 2" in result.output
    sheets = as_json(run(data, "sheets", "--json"))
    states = {s["sheet"]: s["state"] for s in sheets}
    assert states == {1: "confirmed", 2: "spoiled"}
    report = audit(data)
    assert report["ok"] and report["issued"] == 8 and report["spoiled"] == 2


def test_import_photos_reports_bad_files_and_stores_once(prepared_station, tmp_path) -> None:
    from station.services.demo_data import make_placeholder_portrait

    station, _cct, curps = prepared_station
    data = station.data_dir
    station.close()
    folder = tmp_path / "fotos"
    folder.mkdir()
    (folder / f"{curps[0]}.jpg").write_bytes(make_placeholder_portrait("NUEVA", "x"))
    (folder / f"{curps[1]}.jpg").write_bytes(b"\xff\xd8 truncated")
    (folder / "notas.txt").write_text("hola")
    first = as_json(run(data, "import-photos", str(folder), "--json"))
    assert first["stored"] == 1
    reasons = {Path(p["file"]).name: p["reason"] for p in first["problems"]}
    assert f"{curps[1]}.jpg" in reasons and "notas.txt" in reasons
    again = as_json(run(data, "import-photos", str(folder), "--json"))
    assert again["stored"] == 0 and again["unchanged"] == 1

"""Issue 14 on the station, as a school secretary and a DRSE clerk meet it with the sample
roster: who may get a card (normativo 1), cards made before the system (normativo 6),
partial batches, the DRSE refusal's words, a school station's own data, the relative data
folder and ``confirm --sheet 12 13``. Real SQLite ledgers, real PDFs, the real CLI."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from plugin_lifecycle import cli, cli_json, refused, write_settings

from station.printer.pdf_output import combine_pdfs
from station.services.demo_data import make_placeholder_portrait
from station.store.db import Database, _migrations

SAMPLES = Path(__file__).parent / "data" / "scejal"
SECUNDARIA = "14EES0087H"  # 540 students, internet: prints on its own station
MIGUEL, MAXIMILIANO = "CAXM110212HJCSXGJ5", "OOGM111104HJCCRXI2"  # both of 14EES0087H
ANA = "GAGA131004MJCRMNH3"


def _alumnos(tmp: Path, edit: str = "") -> Path:
    text = (SAMPLES / "alumnos.csv").read_text("utf-8-sig")
    out = tmp / "alumnos.csv"
    out.write_text(text.replace("2026-2027", edit) if edit else text, "utf-8")
    return out


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("elig") / "st"
    cli(data, "import-roster", str(SAMPLES / "escuelas.csv"), str(SAMPLES / "alumnos.csv"))
    return data


@pytest.fixture
def data(imported: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "st"
    shutil.copytree(imported, copy)
    return copy


def _photos(data: Path, tmp: Path, *curps: str) -> None:
    folder = tmp / "fotos"
    folder.mkdir(exist_ok=True)
    for curp in curps:
        (folder / f"{curp}.jpg").write_bytes(make_placeholder_portrait("ALUMNO", curp))
    cli(data, "import-photos", str(folder))


# --- normativo 1 ------------------------------------------------------------------------------

def test_a_private_school_is_refused_with_its_rows(tmp_path: Path) -> None:
    escuelas = tmp_path / "escuelas.csv"
    text = (SAMPLES / "escuelas.csv").read_text("utf-8-sig")
    escuelas.write_text(text.replace("14DPR2207Z", "14PPR2207Z"), "utf-8")
    alumnos = tmp_path / "alumnos.csv"
    alumnos.write_text((SAMPLES / "alumnos.csv").read_text("utf-8-sig")
                       .replace("14DPR2207Z", "14PPR2207Z"), "utf-8")
    result = cli(tmp_path / "st", "import-roster", str(escuelas), str(alumnos), "--json",
                 ok=False)
    answer = json.loads(result.output)
    assert result.exit_code == 1 and not answer["imported"]
    school = [p for p in answer["problems"] if p["file"] == "escuelas.csv"]
    assert [(p["row"], p["field"]) for p in school] == [(3, "cct")]
    assert "escuela particular" in school[0]["reason"] and "normativo 1" in school[0]["reason"]
    students = {p["row"] for p in answer["problems"] if p["file"] == "alumnos.csv"}
    assert students and all("14PPR2207Z" in p["reason"] for p in answer["problems"]
                            if p["file"] == "alumnos.csv")
    # With --accept-valid the private school and its students stay out; the rest come in.
    kept = cli_json(tmp_path / "st", "import-roster", str(escuelas), str(alumnos),
                    "--accept-valid")
    assert kept["imported"] and kept["schools"] == 5
    assert "no está en esta estación" in refused(tmp_path / "st", "pending", "--school",
                                                 "14PPR2207Z")


def test_a_roster_of_another_cycle_is_refused_naming_the_rows(tmp_path: Path) -> None:
    old = _alumnos(tmp_path, "2025-2026")
    result = cli(tmp_path / "st", "import-roster", str(SAMPLES / "escuelas.csv"), str(old),
                 "--json", ok=False)
    answer = json.loads(result.output)
    assert result.exit_code == 1 and not answer["imported"]
    assert sorted(p["row"] for p in answer["problems"]) == list(range(2, 42))
    assert {p["field"] for p in answer["problems"]} == {"ciclo"}
    assert "ciclo vigente de la estación es 2026-2027" in answer["problems"][0]["reason"]
    newer = cli(tmp_path / "st", "import-roster", str(SAMPLES / "escuelas.csv"),
                str(_alumnos(tmp_path, "2027-2028")), ok=False).output
    assert "station cycle advance --to 2027-2028" in newer and "No se importó nada" in newer


def test_after_cycle_advance_pending_says_the_roster_is_old_and_who_has_no_photo(
        data: Path, tmp_path: Path) -> None:
    _photos(data, tmp_path, MIGUEL)
    now = cli_json(data, "pending", "--school", SECUNDARIA)
    assert now["warning"] is None
    assert MIGUEL not in now["needs_card_without_photo"]
    assert MAXIMILIANO in now["needs_card_without_photo"]
    text = cli(data, "pending", "--school", SECUNDARIA).output
    assert "SIN FOTO" in text and "no tienen foto" in text
    cli(data, "cycle", "advance", "--to", "2027-2028", "--by", "Directora Ana")
    later = cli_json(data, "pending", "--school", SECUNDARIA)
    assert "del ciclo 2026-2027" in later["warning"] and "vigente es 2027-2028" in later["warning"]
    assert "AVISO: La plantilla" in cli(data, "pending", "--school", SECUNDARIA).output


def test_a_school_station_imports_and_reports_only_its_own_school(tmp_path: Path) -> None:
    data = tmp_path / "st"
    data.mkdir()
    write_settings(data, station__kind="escuela", station__school_cct=SECUNDARIA)
    answer = cli_json(data, "import-roster", str(SAMPLES / "escuelas.csv"),
                      str(SAMPLES / "alumnos.csv"))
    assert answer["imported"] and answer["schools"] == 1 and answer["students"] == 7
    assert answer["left_out"] == {"escuelas.csv": 5, "alumnos.csv": 33}
    report = cli_json(data, "report")
    assert [r["cct"] for r in report["schools"]] == [SECUNDARIA], report


# --- who prints, partial batches ----------------------------------------------------------------

def test_a_drse_station_names_who_really_prints_a_school_of_another_drse(data: Path) -> None:
    write_settings(data, station__kind="drse", station__drse="CENTRO 1 GUADALAJARA")
    text = refused(data, "print", "--school", SECUNDARIA, "--all-pending", "--pdf", "x.pdf")
    assert "pertenece a la DRSE CENTRO 2 ZAPOPAN" in text
    assert "las imprime la propia escuela en su plantel" in text
    assert "las imprime la DRSE CENTRO 1" not in text
    small = refused(data, "print", "--school", "14DST0031M", "--all-pending", "--pdf", "x.pdf")
    assert "Sus credenciales las imprime la DRSE CENTRO 3 TLAQUEPAQUE." in small


def test_print_all_pending_prints_the_ready_and_lists_the_rest(data: Path,
                                                               tmp_path: Path) -> None:
    _photos(data, tmp_path, MIGUEL, MAXIMILIANO, ANA)
    cli(data, "decline", "record", "--curp", ANA, "--declared-by", "tutor",
        "--by", "Directora Ana")
    withdrawn = _alumnos(tmp_path)
    lines = withdrawn.read_text("utf-8").splitlines()
    quinones = next(i for i, line in enumerate(lines) if line.startswith("QUMS"))
    lines[quinones] = lines[quinones].replace("INSCRITO", "BAJA")
    withdrawn.write_text("\n".join(lines) + "\n", "utf-8")
    cli(data, "import-roster", str(SAMPLES / "escuelas.csv"), str(withdrawn))
    pdf = tmp_path / "lote.pdf"
    answer = cli_json(data, "print", "--school", SECUNDARIA, "--all-pending", "--pdf", str(pdf),
                      "--no-review")
    assert pdf.exists() and len(answer["sheets"]) == 1
    assert len(answer["sheets"][0]["folios"]) == 2  # the two with a photo; 6 blanks voided
    reasons = {n["curp"][:4]: n["reason"] for n in answer["not_ready"]}
    assert reasons["GAGA"] == "no desea la credencial"
    assert reasons["QUMS"] == "está dado de baja en la plantilla"
    assert sum(r == "no tiene fotografía" for r in reasons.values()) == 3, reasons
    text = cli(data, "print", "--school", SECUNDARIA, "--all-pending", "--pdf",
               str(tmp_path / "otra.pdf"), ok=False).output
    assert "ningún alumno pendiente de 14EES0087H está listo" in text
    assert "no tiene fotografía" in text


def test_confirm_takes_several_sheets_as_print_suggests(data: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(data.parent)
    relative = Path(data.name)  # `station --data st …`, a relative data folder
    _photos(relative, tmp_path, *_curps_of(SECUNDARIA))
    printed = cli(relative, "print", "--school", SECUNDARIA, "--all-pending", "--pdf",
                  "lote.pdf", "--no-review")
    ids = sorted({int(w) for w in printed.output.split("station confirm --sheet ")[1]
                  .splitlines()[0].split()})
    assert ids
    one = cli(relative, "print", "--school", "14EPR0412K", "--all-pending", "--pdf",
              "otro.pdf", "--no-review", ok=False)
    assert one.exit_code == 1 and "Error: " in one.output  # no photos there: words, no crash
    confirmed = cli_json(relative, "confirm", "--sheet", *map(str, ids))
    assert confirmed["confirmed"] == ids
    assert cli_json(relative, "audit")["ok"]


def _curps_of(cct: str) -> list[str]:
    rows = (SAMPLES / "alumnos.csv").read_text("utf-8-sig").splitlines()[1:]
    return [r.split(",")[0] for r in rows if f",{cct}," in r]


# --- normativo 6: cards made before the system -------------------------------------------------

def test_prior_cards_from_csv_need_only_the_hologram_and_the_audit_balances(
        data: Path, tmp_path: Path) -> None:
    bad = tmp_path / "malas.csv"
    bad.write_text("folio,curp,fecha\n1520,CAXM110212HJCSXGJ5,31/02/2025\n"
                   "abc,LOOM110304HJCPCXJ2,15/09/2025\n1521,NOESUNACURP,15/09/2025\n"
                   "1522,LOOM110304HJCPCXJ2,15/09/2099\n", "utf-8")
    before = _cards(data)
    result = cli(data, "import-cards", str(bad), "--by", "Directora Ana", "--json", ok=False)
    answer = json.loads(result.output)
    assert result.exit_code == 1 and not answer["imported"]
    assert [(p["row"], p["field"]) for p in answer["problems"]] == [
        (2, "fecha"), (3, "folio"), (4, "curp"), (5, "fecha")]
    assert _cards(data) == before  # all or nothing
    good = tmp_path / "previas.csv"
    good.write_text(f"folio,curp,fecha\n1520,{MIGUEL},15/09/2025\n"
                    f"1521,{MAXIMILIANO},2025-09-15\n", "utf-8")
    assert cli_json(data, "import-cards", str(good), "--by", "Directora Ana")["registered"] == 2
    again = cli_json(data, "import-cards", str(good), "--by", "Directora Ana")
    assert (again["registered"], again["already_registered"]) == (0, 2)
    pending = cli_json(data, "pending", "--school", SECUNDARIA)
    assert {s["curp"] for s in pending["hologram_only"]} == {MIGUEL, MAXIMILIANO}
    assert not {MIGUEL, MAXIMILIANO} & {s["curp"] for s in pending["needs_card"]}
    # Printing the others uses the station's own block; the audit keeps the prior cards apart.
    _photos(data, tmp_path, *_curps_of(SECUNDARIA))
    printed = cli_json(data, "print", "--school", SECUNDARIA, "--all-pending", "--pdf",
                       str(tmp_path / "a.pdf"), "--no-review")
    folios = [f for s in printed["sheets"] for f in s["folios"]]
    assert min(folios) > 1521  # the station's own block starts above the prior folios
    report = cli_json(data, "audit")
    assert report["ok"] and report["prior"] == 2 and report["issued"] == 5, report
    # A later file with a folio of the station's own block is refused, naming the row.
    clash = tmp_path / "choque.csv"
    clash.write_text(f"folio,curp,fecha\n{folios[0]},{ANA},01/09/2025\n", "utf-8")
    text = cli(data, "import-cards", str(clash), "--by", "Directora Ana", ok=False).output
    assert "fila 2, columna «folio»" in text and "bloque de folios de esta estación" in text
    # A loss dated before the prior card's issue day is refused.
    assert "anterior a la expedición" in refused(data, "card", "lost", "--folio", "1520",
                                                 "--date", "01/09/2025", "--by", "Ana")


def test_prior_cards_from_xlsx_with_accept_valid(data: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Folio", "CURP", "Fecha de expedición"])
    sheet.append([3001, MIGUEL, "15/09/2024"])
    sheet.append([3001, MAXIMILIANO, "15/09/2024"])  # the same folio twice
    sheet.append([3003, ANA, "15/09/2024"])
    path = tmp_path / "previas.xlsx"
    book.save(path)
    refused_all = cli(data, "import-cards", str(path), "--by", "Ana Pérez", "--json", ok=False)
    problems = json.loads(refused_all.output)["problems"]
    assert [(p["row"], p["field"]) for p in problems] == [(2, "folio"), (3, "folio")]
    kept = cli_json(data, "import-cards", str(path), "--by", "Ana Pérez", "--accept-valid")
    assert kept["imported"] and kept["registered"] == 1
    assert _cards(data) == [(3003, ANA, "prior")]


def _cards(data: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(data / "ledger.sqlite3") as conn:
        return [tuple(r) for r in conn.execute(
            "SELECT folio, curp, origin FROM cards ORDER BY folio")]


def test_migration_0006_keeps_every_card_and_reference(tmp_path: Path) -> None:
    """A ledger written before migration 0006 (cards referencing folio_uses, a school change
    referencing cards) is rebuilt with every row and reference kept."""
    path = tmp_path / "ledger.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT "
                 "NULL DEFAULT (datetime('now')))")
    for name, sql in _migrations():
        if name >= "0006":
            break
        conn.executescript(sql)
        conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))
    conn.executescript("""
        INSERT INTO schools VALUES ('14EES0087H','E','SECUNDARIA','MATUTINO','D','M',
            '3310027201','CENTRO 2 ZAPOPAN',540,1,'t');
        INSERT INTO students (curp, nombre, primer_apellido, segundo_apellido, cct, grado,
            grupo, ciclo, estatus, nuevo_ingreso, updated_at) VALUES
            ('CAXM110212HJCSXGJ5','M','C','','14EES0087H',3,'A','2026-2027','INSCRITO',0,'t');
        INSERT INTO folio_blocks VALUES (1, 100, 199, 'local', 't');
        INSERT INTO sheets (id, cct, created_at, state, pdf_name, template)
            VALUES (1, '14EES0087H', 't', 'generated', 'p.pdf', 'x');
        INSERT INTO folio_uses VALUES (100, 1, 'issued', 1, 0, NULL, 't');
        INSERT INTO folio_uses VALUES (101, 1, 'issued', 1, 1, NULL, 't');
        INSERT INTO cards VALUES (100,'CAXM110212HJCSXGJ5','14EPR0412K','M C','2026-09-01',
            'k','revoked','cambio');
        INSERT INTO cards VALUES (101,'CAXM110212HJCSXGJ5','14EES0087H','M C','2026-09-02',
            'k','active',NULL);
        INSERT INTO school_changes VALUES (100,'CAXM110212HJCSXGJ5','14EPR0412K','14EES0087H',
            101,'t');
    """)
    conn.commit()
    conn.close()
    db = Database(path)
    try:
        with db.read() as reader:
            cards = [tuple(r) for r in reader.execute(
                "SELECT folio, status, origin FROM cards ORDER BY folio")]
            assert cards == [(100, "revoked", "station"), (101, "active", "station")]
            assert reader.execute("PRAGMA foreign_key_check").fetchall() == []
            assert "0006_prior_cards" in {r[0] for r in reader.execute(
                "SELECT name FROM schema_migrations")}
        with db.write() as writer, pytest.raises(sqlite3.IntegrityError):
            writer.execute("DELETE FROM cards WHERE folio = 100")  # still referenced
    finally:
        db.close()


def test_a_killed_pdf_write_leaves_nothing_behind_after_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "OUT.pdf"
    stale = [out.with_name(".OUT.pdf.999999999.tmp"), out.with_name("OUT.pdf.tmp")]
    for path in stale:
        path.write_bytes(b"%PDF-1.4 half")
    specimen = tmp_path / "part.pdf"
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(specimen))
    page.drawString(100, 100, "x")
    page.save()
    combine_pdfs([specimen], out)
    assert out.exists() and not any(p.exists() for p in stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OUT.pdf", "part.pdf"]


def test_a_prior_card_is_revoked_when_its_student_moves_and_is_lost_in_words(
        data: Path, tmp_path: Path) -> None:
    """A prior card has no key and central never saw its folio: the school change and the
    loss revoke it here without a card_revoked event central would refuse."""
    previas = tmp_path / "previas.csv"
    previas.write_text(f"folio,curp,fecha\n1520,{MIGUEL},15/09/2025\n"
                       f"1521,{MAXIMILIANO},15/09/2025\n", "utf-8")
    cli(data, "import-cards", str(previas), "--by", "Directora Ana")
    moved = _alumnos(tmp_path)
    moved.write_text(moved.read_text("utf-8").replace(f"{MIGUEL},MIGUEL ÁNGEL,CASTAÑEDA,,"
                                                      "14EES0087H", f"{MIGUEL},MIGUEL ÁNGEL,"
                                                      "CASTAÑEDA,,14EPR0412K"), "utf-8")
    cli(data, "import-roster", str(SAMPLES / "escuelas.csv"), str(moved))
    _photos(data, tmp_path, MIGUEL)
    cli(data, "print", "--school", "14EPR0412K", "--curp", MIGUEL, "--pdf",
        str(tmp_path / "m.pdf"), "--no-review")
    cli(data, "card", "lost", "--folio", "1521", "--by", "Directora Ana")
    with sqlite3.connect(data / "ledger.sqlite3") as conn:
        status = dict(conn.execute("SELECT folio, status FROM cards WHERE origin = 'prior'"))
        revoked = [json.loads(p)["folio"] for (p,) in conn.execute(
            "SELECT payload FROM events WHERE kind = 'card_revoked'")]
    assert status == {1520: "revoked", 1521: "revoked"}
    assert 1520 not in revoked and 1521 not in revoked
    assert cli_json(data, "audit")["ok"]

"""The follow-up wing's pure parts: terminal efficiency, the chart, form rules, scans and the
F04/F05/minutes/Junta documents (read back with pdftotext and openpyxl)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import require_part
from PIL import Image

from conalep.followup import documents as docs
from conalep.followup.chart import chart_svg, efficiency_chart
from conalep.followup.dropouts import read_attention, read_dropout
from conalep.followup.efficiency import Enrolment, concluded, terminal_efficiency, totals
from conalep.followup.meetings import read_agreement, read_attendance, read_meeting
from conalep.followup.scans import ScanError, check_scan, store_scan
from conalep.followup.tutoring import FailingGrade, read_tutoring, suggest
from conalep.followup.validation import FollowupInputError

SAE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "sae"
TODAY = dt.date(2025, 11, 20)


def sample_students() -> list[dict[str, str]]:
    path = SAE / "alumnos.csv"
    if not path.is_file():
        path = Path("/work/wt/shared/samples/sae/alumnos.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def expected_efficiency(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], str]:
    """The seed's formula written out independently: EGRESADO of generation N over everyone
    of generation N, only for generations with nobody still INSCRITO or with egresados."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for r in rows:
        groups.setdefault((r["clave_plantel"], r["clave_carrera"], r["generacion"]),
                          []).append(r["estatus"])
    out = {}
    for key, statuses in groups.items():
        if "EGRESADO" in statuses or "INSCRITO" not in statuses:
            out[key] = f"{round(100 * statuses.count('EGRESADO') / len(statuses) + 1e-9, 2):.2f}"
    return out


def pdf_text(data: bytes, tmp_path: Path) -> str:
    require_part(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout


def test_terminal_efficiency_matches_the_formula_on_the_sample() -> None:
    rows = sample_students()
    got = {(r.clave_plantel, r.clave_carrera, r.generacion): f"{r.eficiencia:.2f}"
           for r in concluded(terminal_efficiency(
               Enrolment(s["clave_plantel"], s["clave_carrera"], s["generacion"],
                         s["estatus"]) for s in rows))}
    assert got == expected_efficiency(rows)
    assert got  # the sample has a concluded generation


def test_generations_in_course_have_no_percentage_and_totals_sum_counts() -> None:
    rows = terminal_efficiency([
        Enrolment("1", "A", "2020-2023", "EGRESADO"), Enrolment("1", "A", "2020-2023", "BAJA"),
        Enrolment("1", "B", "2020-2023", "EGRESADO"), Enrolment("1", "B", "2020-2023",
                                                                "EGRESADO"),
        Enrolment("1", "B", "2020-2023", "BAJA"), Enrolment("1", "B", "2024-2027", "INSCRITO"),
        Enrolment("2", "A", "2020-2023", "BAJA")])
    by = {(r.clave_plantel, r.clave_carrera, r.generacion): r for r in rows}
    assert by[("1", "B", "2024-2027")].eficiencia is None
    assert str(by[("2", "A", "2020-2023")].eficiencia) == "0.00"  # everyone left: measured
    (plantel1, plantel2) = totals(rows, by_plantel=True)
    assert (plantel1.egresados, plantel1.inscritos_primer_semestre) == (3, 5)
    assert str(plantel1.eficiencia) == "60.00" and str(plantel2.eficiencia) == "0.00"
    (state,) = totals(rows, by_plantel=False)
    assert (state.egresados, state.inscritos_primer_semestre) == (3, 6)
    with pytest.raises(ValueError, match="AAAA-AAAA"):
        terminal_efficiency([Enrolment("1", "A", "2020", "BAJA")])


def test_chart_is_svg_with_each_bar_labelled() -> None:
    rows = terminal_efficiency(Enrolment(s["clave_plantel"], s["clave_carrera"],
                                         s["generacion"], s["estatus"])
                               for s in sample_students())
    svg = chart_svg(rows)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "por carrera y generación" in svg  # one plantel: carreras on the x axis
    for r in concluded(rows):
        assert f"{r.eficiencia:.2f}" in svg
        assert r.clave_carrera in svg and f"Gen. {r.generacion}" in svg
    assert "Sin generaciones concluidas" in chart_svg([])


def test_state_wide_chart_shows_plantel_totals() -> None:
    rows = terminal_efficiency(
        [Enrolment(p, c, "2021-2024", s) for p in ("101", "102") for c in ("A", "B")
         for s in ("EGRESADO", "BAJA", "BAJA" if c == "A" else "EGRESADO")])
    svg = chart_svg(rows)
    assert "por plantel y generación" in svg and "101" in svg and "102" in svg
    assert "50.00" in svg  # each plantel: 3 egresados of 6, not the carreras' 33.33 / 66.67
    assert "33.33" not in svg and "66.67" not in svg
    many = terminal_efficiency([Enrolment(f"{p:03d}", "A", "2021-2024", "EGRESADO")
                                for p in range(40)])
    wide = efficiency_chart(many)
    assert 560 < wide.width <= 1280
    assert "100.00" not in chart_svg(many)  # 40 bars: too many to label each
    start, end = docs.quarter("2024-T3")
    pdf = docs.junta_pdf(trimestre="2024-T3", desde=start, hasta=end, efficiency=[],
                         totals=[], chart=wide, bajas=[], tutoring=[], meetings=[])
    assert pdf.startswith(b"%PDF-")  # the wide chart was shrunk to the page


def test_dropout_form_names_every_bad_field() -> None:
    checker, _ = read_dropout({"matricula": "12ab", "fecha_baja": "2025-13-01",
                               "tipo": "X", "motivo": "OTRO"}, today=TODAY)
    with pytest.raises(FollowupInputError) as caught:
        checker.done()
    fields = {p.field for p in caught.value.problems}
    assert fields == {"Matrícula", "Fecha de baja", "Tipo de baja", "Descripción del motivo",
                      "Nombre de la persona tutora", "Parentesco"}
    checker, _ = read_dropout({"matricula": "2316500012", "fecha_baja": "2025-11-21",
                               "tipo": "DEFINITIVA", "motivo": "ECONOMICO",
                               "tutor_nombre": "ROSA GARCÍA", "tutor_parentesco": "Madre"},
                              today=TODAY)
    assert [p.message for p in checker.problems] == ["no puede ser posterior al 2025-11-20."]
    checker, ok = read_dropout({"matricula": "2316500012", "fecha_baja": "2025-11-03",
                                "tipo": "DEFINITIVA", "motivo": "ECONOMICO",
                                "tutor_nombre": " ROSA   GARCÍA ", "tutor_parentesco": "Madre"},
                               today=TODAY)
    checker.done()
    assert ok.tutor_nombre == "ROSA GARCÍA" and ok.fecha_baja == dt.date(2025, 11, 3)
    with pytest.raises(FollowupInputError, match="Fecha de atención: no puede ser anterior"):
        read_attention({"fecha_atencion": "2025-11-01", "resultado": "REINCORPORADO",
                        "acciones": "Entrevista"}, today=TODAY, fecha_baja=ok.fecha_baja)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


def test_scans_are_checked_by_content_and_stored_private(tmp_path: Path) -> None:
    pdf = docs.render_pdf(docs.Pdf("Solicitud", "X", [("Tutor", "ROSA")]))
    assert check_scan(pdf).media_type == "application/pdf"
    jpeg = io.BytesIO()
    Image.new("L", (20, 20)).save(jpeg, "JPEG")
    assert check_scan(jpeg.getvalue()).extension == ".jpg"
    png = check_scan(_png())
    assert png.media_type == "image/png"
    gif = io.BytesIO()
    Image.new("P", (5, 5)).save(gif, "GIF")
    for bad, words in [(b"", "vacío"), (b"hola, esto es texto", "se revisa su contenido"),
                       (gif.getvalue(), "GIF"), (b"%PDF-1.4 garbage", "dañado"),
                       (_png()[:40], "se revisa su contenido"),
                       (b"x" * 2048, "no es un PDF")]:
        with pytest.raises(ScanError, match=words):
            check_scan(bad)
    with pytest.raises(ScanError, match="el máximo es 1 MB"):
        check_scan(b"%PDF-" + b"0" * 1_100_000, max_bytes=1024 * 1024)
    stored = store_scan(tmp_path / "scans", _png(), png)
    assert stored.name == f"{png.sha256}.png" and stored.read_bytes() == _png()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "scans").stat().st_mode) == 0o700
    assert store_scan(tmp_path / "scans", _png(), png) == stored


def test_meeting_rules() -> None:
    form = {"periodo": "2025-2026-1", "numero": "2", "clave_plantel": "165",
            "fecha": "2025-11-10", "hora": "10:00", "lugar": "Sala de juntas",
            "matriculas": "2316500012, 2316500013\n2316500012"}
    with pytest.raises(FollowupInputError) as caught:
        read_meeting(form, taken=[1, 2])
    assert [str(p) for p in caught.value.problems] == [
        "Número de reunión: la reunión 2 de ese periodo y plantel ya fue convocada "
        "(son 3 por semestre).",
        "Alumnos en riesgo a revisar: la matrícula 2316500012 está repetida."]
    with pytest.raises(FollowupInputError, match="Número de reunión: «4» no está"):
        read_meeting({**form, "numero": "4"})
    with pytest.raises(FollowupInputError) as caught:
        read_meeting({**form, "matriculas": "2316500012", "fecha": "2027-01-15"})
    assert [str(p) for p in caught.value.problems] == [
        "Fecha: no puede ser posterior al 2026-12-31."]
    with pytest.raises(FollowupInputError, match="años consecutivos"):
        read_meeting({**form, "matriculas": "2316500012", "periodo": "2025-2027-1"})
    ok = read_meeting({**form, "matriculas": "2316500012 2316500013"}, taken=[1])
    assert ok.numero == 2 and ok.matriculas == ("2316500012", "2316500013")
    people = read_attendance({"asistentes": "Ana Ruiz — Jefa de Servicios Escolares\n\n"
                                            "Luis Paz - Psicopedagogía"})
    assert [(p.nombre, p.cargo) for p in people] == [
        ("Ana Ruiz", "Jefa de Servicios Escolares"), ("Luis Paz", "Psicopedagogía")]
    with pytest.raises(FollowupInputError, match=r"la línea 1 .* «Nombre — Cargo»"):
        read_attendance({"asistentes": "Ana Ruiz"})
    with pytest.raises(FollowupInputError, match="2216500001 no está"):
        read_agreement({"texto": "Asesoría", "responsable": "Tutor",
                        "matriculas": "2216500001"}, reviewed=ok.matriculas,
                       fecha_reunion=ok.fecha)
    agreement = read_agreement({"texto": "Asesoría de matemáticas", "responsable": "Tutor",
                                "fecha_compromiso": "2025-11-30", "matriculas": "2316500013"},
                               reviewed=ok.matriculas, fecha_reunion=ok.fecha)
    assert agreement.matriculas == ("2316500013",)


def test_tutoring_form_and_suggestions() -> None:
    with pytest.raises(FollowupInputError) as caught:
        read_tutoring({"periodo": "2025-1", "clave_modulo": "", "fecha_inicio": "ayer"})
    assert {p.field for p in caught.value.problems} == {
        "Periodo", "Clave del módulo", "Módulo", "Asesor(a)", "Horario", "Fecha de inicio",
        "Alumnos asignados"}
    ok = read_tutoring({"periodo": "2025-2026-1", "clave_modulo": "info-51", "modulo": "Redes",
                        "asesor": "Mtra. Paz", "horario": "Lunes 14:00–15:00",
                        "fecha_inicio": "2025-11-24", "matriculas": "2316500020"})
    assert ok.clave_modulo == "INFO-51" and ok.matriculas == ("2316500020",)
    (only,) = suggest([FailingGrade("2", "B", "5A", "M1", "Mate", 1, 5.9),
                       FailingGrade("2", "B", "5A", "M1", "Mate", 3, 3.0),
                       FailingGrade("1", "A", "5A", "M1", "Mate", 2, 4.5)])
    assert [(g.matricula, g.corte, g.calificacion) for g in only.students] == [
        ("2", 3, 3.0), ("1", 2, 4.5)]


def test_f04_and_f05_pdf_read_back(tmp_path: Path) -> None:
    row = docs.DropoutRow(7, "2316500012", "RICARDO ZÚÑIGA GARCÍA", "ENFE-23", "5", "5ENF-1",
                          dt.date(2025, 11, 3), "Definitiva", "Problemas económicos", "",
                          "ROSA GARCÍA (Madre)", "PDF, 12 KB", "Reincorporado")
    text = pdf_text(docs.f04_pdf(plantel="165 CONALEP XALAPA", periodo="2025-2026-1",
                                 fecha=TODAY, rows=[row]), tmp_path)
    for words in ("Formato de bajas", "30-524-PO-04-F04", "2316500012", "ZÚÑIGA",
                  "03/11/2025", "Problemas económicos", "ROSA GARCÍA", "Reincorporado"):
        assert words in text
    group = docs.TutoringGroup("INFO-51", "Redes de computadoras", "MTRA. LUZ PAZ",
                               "Lunes 14:00-15:00", "B-4", dt.date(2025, 11, 24),
                               [docs.TutoringStudent("2316500020", "DIEGO RAMÍREZ", "5INF-1",
                                                     "Corte 2: 4.5")])
    text = pdf_text(docs.f05_pdf(plantel="165", periodo="2025-2026-1", fecha=TODAY,
                                 groups=[group]), tmp_path)
    for words in ("30-524-PO-04-F05", "asesorías complementarias", "MTRA. LUZ PAZ",
                  "2316500020", "Corte 2: 4.5"):
        assert words in text


def test_minutes_and_junta_report_read_back(tmp_path: Path) -> None:
    text = pdf_text(docs.minutes_pdf(
        plantel="165", periodo="2025-2026-1", numero=2, fecha=dt.date(2025, 11, 10),
        hora="10:00", lugar="Sala de juntas", convoco="dg.escolares",
        students=[("2316500012", "RICARDO ZÚÑIGA", "5ENF-1")],
        attendees=[("Ana Ruiz", "Jefa de Servicios Escolares")],
        agreements=[docs.MinutesAgreement(1, "Canalizar a asesoría", "Tutor", None,
                                          "2316500012")]), tmp_path)
    for words in ("Minuta", "2 de 3", "10/11/2025 10:00", "Ana Ruiz", "Canalizar a asesoría"):
        assert words in text
    rows = terminal_efficiency(Enrolment(s["clave_plantel"], s["clave_carrera"],
                                         s["generacion"], s["estatus"])
                               for s in sample_students())
    start, end = docs.quarter("2025-T4")
    text = pdf_text(docs.junta_pdf(
        trimestre="2025-T4", desde=start, hasta=end,
        efficiency=[(r.clave_plantel, r.clave_carrera, r.generacion, r.anio_egreso,
                     r.egresados, r.inscritos_primer_semestre, f"{r.eficiencia:.2f}")
                    for r in concluded(rows)],
        totals=[], chart=efficiency_chart(rows), bajas=[], tutoring=[], meetings=[]), tmp_path)
    for key, value in expected_efficiency(sample_students()).items():
        line = next(line for line in text.splitlines() if key[1] in line and key[2] in line)
        assert value in line
    assert "Junta Directiva" in text and "01/10/2025" in text
    with pytest.raises(ValueError, match="AAAA-T1"):
        docs.quarter("2025-T5")

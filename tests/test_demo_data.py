"""The synthetic demo export and placeholder portraits (station.services.demo_data)."""

from __future__ import annotations

import csv
import doctest
import io
from datetime import date
from pathlib import Path

from PIL import Image
from test_curp import sample_dir

import station.services.demo_data as demo_module
from foundation.curp import INCONVENIENT_WORDS, build_curp, curp_birth_date
from foundation.photostore import scan_photo_dir
from foundation.table_files import read_table
from station.core.model import Nivel
from station.importers.roster_files import load_roster
from station.services.demo_data import (
    CICLO_START,
    demo_export_rows,
    make_placeholder_portrait,
    write_demo_export,
)

# The regional offices named in seed 004 (samples/README.md), as the export writes them.
DRSE_NAMES = {
    "VALLES (AMECA)", "COSTA SUR (LA HUERTA)", "SIERRA DE AMULA (AUTLÁN)", "SUR (CD. GUZMÁN)",
    "LAGUNAS (COCULA)", "NORTE (COLOTLÁN)", "ALTOS NORTE (LAGOS DE MORENO)",
    "CIÉNEGA (OCOTLÁN)", "ALTOS SUR (TEPATITLÁN)", "COSTA SIERRA OCCIDENTAL (VALLARTA)",
    "SURESTE (JOCOTEPEC)", "CENTRO 1 GUADALAJARA", "CENTRO 2 ZAPOPAN", "CENTRO 3 TLAQUEPAQUE",
}  # fmt: skip


def test_docstring_examples() -> None:
    result = doctest.testmod(demo_module)
    assert result.attempted >= 3 and result.failed == 0


def test_demo_export_passes_validation_with_zero_problems(tmp_path: Path) -> None:
    escuelas, alumnos = write_demo_export(tmp_path, students=20)
    check = load_roster(escuelas, alumnos)
    assert check.problems == () and check.notes == ()
    assert len(check.schools) == 3 and len(check.students) == 20
    assert check.encodings == {"escuelas.csv": "UTF-8 con BOM", "alumnos.csv": "UTF-8 con BOM"}


def test_files_have_the_sample_format(tmp_path: Path) -> None:
    escuelas, alumnos = write_demo_export(tmp_path, students=5)
    for path in (escuelas, alumnos):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert data.count(b"\r\n") == data.count(b"\n") == 1 + len(read_table(path).rows)
    folder = sample_dir()
    if folder is not None:  # same header line, byte for byte
        for name in ("escuelas.csv", "alumnos.csv"):
            ours = (tmp_path / name).read_bytes().split(b"\r\n")[0]
            assert ours == (folder / name).read_bytes().split(b"\r\n")[0]


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    a = write_demo_export(tmp_path / "a", students=30, seed=5)
    b = write_demo_export(tmp_path / "b", students=30, seed=5)
    c = write_demo_export(tmp_path / "c", students=30, seed=6)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert a[1].read_bytes() != c[1].read_bytes()


def test_curps_follow_the_official_rules_and_ages_fit_grades() -> None:
    escuelas, alumnos = demo_export_rows(students=600, seed=9)
    nivel = {e["cct"]: Nivel(e["nivel"]) for e in escuelas}
    curps = [a["curp"] for a in alumnos]
    assert len(set(curps)) == len(curps)
    for a in alumnos:
        curp = a["curp"]
        born = curp_birth_date(curp)
        rebuilt = build_curp(a["nombre"], a["primer_apellido"], a["segundo_apellido"], born,
                             curp[10], homoclave=curp[16])  # fmt: skip
        assert rebuilt == curp
        assert curp[11:13] == "JC" and curp[:4] not in INCONVENIENT_WORDS
        # Age on December 31 of the cycle's first year: 6 in 1st of primaria, 12 in 1st of
        # secundaria, one more per grade.
        age = CICLO_START - born.year
        first = 6 if nivel[a["cct"]] is Nivel.PRIMARIA else 12
        assert age == first + int(a["grado"]) - 1, a
        assert a["ciclo"] == f"{CICLO_START}-{CICLO_START + 1}"
        assert a["nuevo_ingreso"] == "SI" or a["grado"] != "1"
        assert date(2000, 1, 1) <= born


def test_names_cover_what_a_card_must_handle() -> None:
    _, alumnos = demo_export_rows(students=20)
    full = [" ".join(p for p in (a["nombre"], a["primer_apellido"], a["segundo_apellido"]) if p)
            for a in alumnos]  # fmt: skip
    assert any(" " in a["nombre"] for a in alumnos)  # compound given names
    assert any(a["segundo_apellido"] == "" for a in alumnos)
    assert any("Ñ" in name for name in full)
    assert any(ch in name for name in full for ch in "ÁÉÍÓÚ")
    assert max(len(name) for name in full) >= 45
    assert all(name == name.upper() for name in full)


def test_schools_are_in_jalisco_with_real_drse_names() -> None:
    escuelas, _ = demo_export_rows(students=3)
    assert all(e["cct"].startswith("14") for e in escuelas)
    assert {e["drse"] for e in escuelas} <= DRSE_NAMES
    assert {e["nivel"] for e in escuelas} == {"PRIMARIA", "SECUNDARIA"}
    assert "NO" in {e["internet"] for e in escuelas}
    assert [e["cct"] for e in escuelas] == sorted(e["cct"] for e in escuelas)


def test_placeholder_portrait_is_a_deterministic_jpeg_that_passes_the_photo_check() -> None:
    data = make_placeholder_portrait("MARÍA FERNANDA NÚÑEZ DE LA TORRE", "NUTF200612MJCXRRQ1")
    assert data == make_placeholder_portrait("MARÍA FERNANDA NÚÑEZ DE LA TORRE",
                                             "NUTF200612MJCXRRQ1")  # fmt: skip
    other = make_placeholder_portrait("MARÍA FERNANDA NÚÑEZ DE LA TORRE", "CAXS191104HJCSXNT4")
    assert other != data
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG" and im.size == (600, 750)
    rgb = im.convert("RGB")
    corner = rgb.getpixel((5, 5))
    assert isinstance(corner, tuple) and min(corner) >= 200  # light background
    centre = rgb.getpixel((300, int(750 * 0.38) - 100))  # the head, above the initials
    assert isinstance(centre, tuple) and max(centre) < min(corner)  # darker silhouette
    band = rgb.crop((0, 690, 600, 750))
    assert band.getextrema()[0][0] < 120  # the "FOTO DE MUESTRA" text is there
    small = make_placeholder_portrait("ANA", "X", size=(240, 300))
    assert Image.open(io.BytesIO(small)).size == (240, 300)


def test_demo_photos_match_the_students(tmp_path: Path) -> None:
    _, alumnos = write_demo_export(tmp_path, students=6, photos=True)
    scan = scan_photo_dir(tmp_path / "fotos")
    assert scan.problems == []
    with alumnos.open(encoding="utf-8-sig", newline="") as fh:
        curps = sorted(r["curp"] for r in csv.DictReader(fh))
    assert [c for c, _ in scan.accepted] == curps

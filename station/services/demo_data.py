"""A synthetic SCEJAL export and placeholder portraits, for demos and tests.

Everything is made up but shaped like the real thing: demo schools in Jalisco with the
real DRSE names, students with Mexican names (accents, Ñ, compound names, an empty second
surname, one very long name) and valid CURPs built by RENAPO's rules, grades that fit the
students' ages. The same ``seed`` always gives the same files, byte for byte.

>>> escuelas, alumnos = write_demo_export(Path(tmp), students=20)  # doctest: +SKIP
>>> escuelas.name, alumnos.name  # doctest: +SKIP
('escuelas.csv', 'alumnos.csv')
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import string
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from foundation.curp import PARTICLES, build_curp
from station.core.model import Nivel
from station.core.roster import GRADE_RANGE, SCHOOL_COLUMNS, STUDENT_COLUMNS

CICLO_START = 2026

DEMO_SCHOOLS: tuple[dict[str, str], ...] = (
    {"cct": "14DPR9901D", "nombre": 'ESCUELA PRIMARIA DE DEMOSTRACIÓN "JOSÉ CLEMENTE OROZCO"',
     "nivel": "PRIMARIA", "turno": "MATUTINO",
     "domicilio": "AV. DE LAS AMÉRICAS 1500, COL. PROVIDENCIA", "municipio": "ZAPOPAN",
     "telefono": "3399990101", "drse": "CENTRO 2 ZAPOPAN", "matricula": "512",
     "internet": "SI"},
    {"cct": "14EPR9902E", "nombre": 'ESCUELA PRIMARIA DE DEMOSTRACIÓN "GUADALUPE VICTORIA"',
     "nivel": "PRIMARIA", "turno": "VESPERTINO", "domicilio": "CALLE HIDALGO 12",
     "municipio": "TEPATITLÁN DE MORELOS", "telefono": "3789990202",
     "drse": "ALTOS SUR (TEPATITLÁN)", "matricula": "143", "internet": "SI"},
    {"cct": "14ETV9903F", "nombre": 'TELESECUNDARIA DE DEMOSTRACIÓN "MARÍA IZQUIERDO"',
     "nivel": "SECUNDARIA", "turno": "MATUTINO", "domicilio": "DOMICILIO CONOCIDO, EL TUITO",
     "municipio": "CABO CORRIENTES", "telefono": "3229990303",
     "drse": "COSTA SIERRA OCCIDENTAL (VALLARTA)", "matricula": "58", "internet": "NO"},
)  # fmt: skip
"""In CCT order: a large primaria that prints its own cards, a small one and a
telesecundaria without internet that its DRSE prints for (normativo 2)."""

GIVEN_NAMES_F = (
    "MARÍA FERNANDA", "XIMENA", "SOFÍA", "VALENTINA", "REGINA", "CAMILA", "RENATA", "NATALIA",
    "ANA SOFÍA", "MARÍA JOSÉ", "XÓCHITL", "ZOÉ", "GUADALUPE", "ITZEL", "DANNA PAOLA", "IVANNA",
    "MONSERRAT", "ABRIL", "ROMINA", "ALEJANDRA", "MARÍA DE LOS ÁNGELES", "NAYELI",
)  # fmt: skip
GIVEN_NAMES_M = (
    "SANTIAGO", "MATEO", "SEBASTIÁN", "LEONARDO", "EMILIANO", "DIEGO", "GAEL", "JOSÉ LUIS",
    "MIGUEL ÁNGEL", "JULIÁN", "DAMIÁN", "ÁNGEL", "IKER", "RAÚL", "JESÚS", "JUAN PABLO",
    "CUAUHTÉMOC", "TADEO", "JOSÉ MARÍA", "ÍÑIGO", "MAXIMILIANO", "LUIS ÁNGEL",
)  # fmt: skip
SURNAMES = (
    "HERNÁNDEZ", "GARCÍA", "MARTÍNEZ", "LÓPEZ", "GONZÁLEZ", "RODRÍGUEZ", "PÉREZ", "SÁNCHEZ",
    "RAMÍREZ", "CRUZ", "FLORES", "GÓMEZ", "MUÑOZ", "NÚÑEZ", "PEÑA", "IBÁÑEZ", "ÍÑIGUEZ",
    "YÁÑEZ", "ZÚÑIGA", "VILLASEÑOR", "CASTAÑEDA", "OCHOA", "DE LA TORRE", "DEL TORO",
    "DE LA CRUZ", "ORTÍZ", "ÁLVAREZ", "QUIÑONES", "TREVIÑO", "URIBE", "MENDOZA", "AGUIRRE",
)  # fmt: skip

SHOWCASE = (
    ("MARÍA FERNANDA", "NÚÑEZ", "DE LA TORRE", "M"),
    ("SANTIAGO", "CASTAÑEDA", "", "H"),
    ("MARÍA DE LOS ÁNGELES GUADALUPE", "VILLASEÑOR", "PEÑA", "M"),
)
"""The first students of every export: a compound name, an empty second surname and a very
long name (46 characters; the card template fits names up to about 75 characters on three
lines)."""

# The font the project ships (foundation/fonts), never whatever the machine has.
_FONT = Path(__file__).resolve().parents[1] / "printer" / "fonts" / "DejaVuSans-Bold.ttf"


def demo_export_rows(
    *, students: int = 20, seed: int = 2026
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The rows of ``escuelas`` and ``alumnos``, as SCEJAL would export them.

    >>> escuelas, alumnos = demo_export_rows(students=3)
    >>> [a["nombre"] for a in alumnos][:2]
    ['MARÍA FERNANDA', 'SANTIAGO']
    """
    rng = random.Random(seed)
    alumnos: list[dict[str, str]] = []
    curps: set[str] = set()
    for i in range(students):
        # The showcase students go to the first school: the one a demo prints.
        school = DEMO_SCHOOLS[0 if i < len(SHOWCASE) else i % len(DEMO_SCHOOLS)]
        if i < len(SHOWCASE):
            nombre, apellido1, apellido2, sex = SHOWCASE[i]
        else:
            sex = rng.choice("HM")
            nombre = rng.choice(GIVEN_NAMES_M if sex == "H" else GIVEN_NAMES_F)
            apellido1 = rng.choice(SURNAMES)
            apellido2 = "" if rng.random() < 0.12 else rng.choice(SURNAMES)
        nivel = Nivel(school["nivel"])
        grado = rng.randint(*GRADE_RANGE[nivel])
        born = _birth_date(rng, nivel, grado)
        curp = build_curp(nombre, apellido1, apellido2, born, sex,
                          homoclave=rng.choice(string.ascii_uppercase))  # fmt: skip
        while curp in curps:  # RENAPO's homoclave exists precisely to tell homonyms apart
            curp = build_curp(nombre, apellido1, apellido2, born, sex,
                              homoclave=rng.choice(string.ascii_uppercase))  # fmt: skip
        curps.add(curp)
        alumnos.append({
            "curp": curp, "nombre": nombre, "primer_apellido": apellido1,
            "segundo_apellido": apellido2, "cct": school["cct"], "grado": str(grado),
            "grupo": rng.choice("ABCD"), "ciclo": f"{CICLO_START}-{CICLO_START + 1}",
            "estatus": "INSCRITO",
            "nuevo_ingreso": "SI" if grado == 1 or rng.random() < 0.1 else "NO",
        })  # fmt: skip
    return [dict(s) for s in DEMO_SCHOOLS], alumnos


def write_demo_export(
    out_dir: Path, *, students: int = 20, seed: int = 2026, photos: bool = False
) -> tuple[Path, Path]:
    """Writes ``escuelas.csv`` and ``alumnos.csv`` (UTF-8 with BOM, like the samples).

    With ``photos``, also ``fotos/<CURP>.jpg`` placeholder portraits for every student.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    escuelas, alumnos = demo_export_rows(students=students, seed=seed)
    paths = (out_dir / "escuelas.csv", out_dir / "alumnos.csv")
    for path, columns, rows in zip(paths, (SCHOOL_COLUMNS, STUDENT_COLUMNS),
                                   (escuelas, alumnos), strict=True):  # fmt: skip
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns)  # CRLF, as Excel writes
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    if photos:
        folder = out_dir / "fotos"
        folder.mkdir(exist_ok=True)
        for a in alumnos:
            name = " ".join(p for p in (a["nombre"], a["primer_apellido"]) if p)
            (folder / f"{a['curp']}.jpg").write_bytes(make_placeholder_portrait(name, a["curp"]))
    return paths


def _birth_date(rng: random.Random, nivel: Nivel, grado: int) -> date:
    """A birthday that fits the grade: SEP admits to 1st of primaria children who turn 6 by
    December 31 of the cycle's first year, and to 1st of secundaria at 12."""
    first_grade_age = 6 if nivel is Nivel.PRIMARIA else 12
    year = CICLO_START - first_grade_age - (grado - 1)
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def make_placeholder_portrait(
    name: str, curp_seed: str, size: tuple[int, int] = (600, 750)
) -> bytes:
    """A JPEG of a neutral silhouette with the initials, marked as a sample photo.

    The same arguments always give the same bytes; the background tint comes from
    ``curp_seed`` so neighbouring cards look different.

    >>> data = make_placeholder_portrait("ANA SOFÍA GARCÍA", "GAGA131004MJCRMNH3")
    >>> data[:3] == b"\\xff\\xd8\\xff", data == make_placeholder_portrait(
    ...     "ANA SOFÍA GARCÍA", "GAGA131004MJCRMNH3")
    (True, True)
    """
    w, h = size
    tint = hashlib.sha256(curp_seed.encode()).digest()
    background = tuple(225 + b % 25 for b in tint[:3])
    figure = tuple(c - 70 for c in background)
    im = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(im)
    cx = w // 2
    head_r = int(w * 0.2)
    head_cy = int(h * 0.38)
    draw.ellipse((cx - int(w * 0.42), int(h * 0.62), cx + int(w * 0.42), int(h * 1.25)),
                 fill=figure)  # fmt: skip
    draw.ellipse((cx - head_r, head_cy - head_r, cx + head_r, head_cy + head_r), fill=figure)
    draw.text((cx, head_cy), _initials(name), fill=background, anchor="mm",
              font=_font(int(head_r * 0.8)))  # fmt: skip
    band = int(h * 0.1)
    draw.rectangle((0, h - band, w, h), fill=(255, 255, 255))
    draw.text((cx, h - band // 2), "FOTO DE MUESTRA", fill=(90, 90, 90), anchor="mm",
              font=_font(int(band * 0.45)))  # fmt: skip
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


def _initials(name: str) -> str:
    """First letters of the first and last words, particles (DE, LA…) aside: ``"AG"``."""
    words = [w for w in name.upper().split() if w not in PARTICLES]
    if not words:
        return "?"
    return words[0][0] + (words[-1][0] if len(words) > 1 else "")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if _FONT.is_file():
        return ImageFont.truetype(str(_FONT), size)
    return ImageFont.load_default(size)

"""Card rendering: text fitting, photo handling, QR and template validation, checked on the
real outputs (pdftotext, pdftoppm + zxing-cpp, pypdf). Helpers here are shared with
test_render_sheet.py.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import base45
import pytest
import qrcode
import zxingcpp
from conftest import require_part
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from foundation.card_templates import TEMPLATES_DIR, load_sheet_layout, load_template
from foundation.errors import InputError
from foundation.qr_draw import qr_symbol
from station.core.model import CardFace, Nivel, School, Turno
from station.printer.card import (
    fit_text,
    font_name,
    photo_pixels,
    prepare_photo,
    render_card_pdf,
)

TEMPLATE = load_template()
NAME_EL = next(e for e in TEMPLATE.texts if e.field == "name")

SCHOOL = School(
    cct="14DES0042K",
    nombre="ESCUELA SECUNDARIA TÉCNICA 42 «JOSÉ MARÍA MORELOS»",
    nivel=Nivel.SECUNDARIA,
    turno=Turno.VESPERTINO,
    domicilio="CALLE IGNACIO ALLENDE 318, COL. EL SEÑOR DE LA MISERICORDIA",
    municipio="TLAQUEPAQUE",
    telefono="33 3635 1290",
    drse="CENTRO 3",
    matricula=540,
    internet=True,
)


def qr_text(seed: int = 0) -> str:
    """Base45 text like the signed payload: 'SC1:' + base45 of 180 random bytes."""
    return "SC1:" + base45.b45encode(os.urandom(180) if seed == 0 else
                                     bytes((seed * 7 + i) % 256 for i in range(180))).decode()


def make_photo(path: Path, color: tuple[int, int, int], size: tuple[int, int] = (1200, 1600),
               **save: object) -> Path:
    im = Image.new("RGB", size, color)
    d = ImageDraw.Draw(im)
    w, h = size
    d.ellipse([w * 0.3, h * 0.18, w * 0.7, h * 0.55], fill=(222, 176, 140))
    im.save(path, "JPEG", quality=90, **save)
    return path


def need_poppler() -> None:
    require_part(bool(shutil.which("pdftoppm") and shutil.which("pdftotext")),
                 "poppler-utils (pdftoppm, pdftotext)")


def pdf_text(pdf: Path) -> str:
    need_poppler()
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    return out


def rasterize(pdf: Path, dpi: int, *, gray: bool = False) -> list[Image.Image]:
    need_poppler()
    prefix = pdf.with_suffix("")
    args = ["pdftoppm", "-r", str(dpi), "-png", *(["-gray"] if gray else []), str(pdf),
            str(prefix)]
    subprocess.run(args, check=True, capture_output=True)
    pages = sorted(pdf.parent.glob(prefix.name + "-*.png"))
    return [Image.open(p).convert("RGB") for p in pages]


def decode_qrs(image: Image.Image) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode))


def face(folio: int | None = 1234, name: str = "ÑANDÚ JOSÉ ÍÑIGUEZ PEÑA", *,
         photo: Path | None = None, text: str | None = None, specimen: bool = False,
         school: School = SCHOOL) -> CardFace:
    return CardFace(folio, name, school, str(photo) if photo else None, text or qr_text(),
                    specimen=specimen)


# -- text ---------------------------------------------------------------------------------

def test_card_text_has_every_datum_with_accents_and_nothing_of_the_cycle(tmp_path: Path) -> None:
    pdf = tmp_path / "card.pdf"
    f = face(photo=make_photo(tmp_path / "p.jpg", (90, 120, 160)))
    render_card_pdf(pdf, f, template=TEMPLATE)
    text = pdf_text(pdf)
    flat = " ".join(text.split())
    assert "ÑANDÚ JOSÉ ÍÑIGUEZ PEÑA" in flat
    assert SCHOOL.cct in flat
    assert "0001234" in flat
    assert "VESPERTINO" in flat and "SECUNDARIA" in flat
    assert SCHOOL.telefono in flat
    school_el = next(e for e in TEMPLATE.texts if e.field == "school_name")
    for line in fit_text(SCHOOL.nombre, school_el).lines:
        assert line in text
    address_el = next(e for e in TEMPLATE.texts if e.field == "address")
    for line in fit_text(SCHOOL.address_line, address_el).lines:
        assert line in text
    assert "Secretario de Educación" in flat
    assert "HOLOGRAMA" in flat
    # Seed 004, normativo 5: no cycle, grade or group on the card.
    assert not re.search(r"20\d\d\s*[-–]\s*20\d\d", flat)
    assert "GRADO" not in flat.upper() and "GRUPO" not in flat.upper()


def test_long_name_shrinks_then_wraps_and_is_all_printed(tmp_path: Path) -> None:
    medium = "JOSÉ ÁNGEL PEÑA NÚÑEZ"
    one = fit_text(medium, NAME_EL)
    assert one.lines == (medium,) and NAME_EL.wrap_below <= one.size < NAME_EL.max_size
    # Too long for one line at the wrap threshold: two lines, bigger than one tiny line.
    wraps = fit_text("JOSÉ GUADALUPE HERNÁNDEZ", NAME_EL)
    assert wraps.lines == ("JOSÉ GUADALUPE", "HERNÁNDEZ") and wraps.size >= NAME_EL.wrap_below
    long = "MARÍA DE LOS ÁNGELES GUADALUPE FERNÁNDEZ DE LA PEÑA Y MONTAÑO"
    two = fit_text(long, NAME_EL)
    assert 2 <= len(two.lines) <= NAME_EL.max_lines and " ".join(two.lines) == long
    assert NAME_EL.min_size <= two.size < wraps.size
    font = font_name(NAME_EL.font)
    for line in two.lines:
        assert stringWidth(line, font, two.size) <= NAME_EL.box.w * mm + 1e-6
    pdf = tmp_path / "long.pdf"
    render_card_pdf(pdf, face(name=long), template=TEMPLATE)
    text = pdf_text(pdf)
    for line in two.lines:
        assert line in text


def test_impossible_name_raises_input_error_naming_the_field() -> None:
    with pytest.raises(InputError, match="nombre del alumno"):
        fit_text("MARÍA " * 40, NAME_EL)
    with pytest.raises(InputError, match="nombre del alumno"):
        fit_text("A" * 80, NAME_EL)  # one word wider than the box: it cannot wrap


def test_impossible_name_stops_the_card_before_writing(tmp_path: Path) -> None:
    pdf = tmp_path / "never.pdf"
    with pytest.raises(InputError):
        render_card_pdf(pdf, face(name="GUADALUPE " * 30), template=TEMPLATE)
    assert not pdf.exists()


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.text("ABCDEFGHIJKLMNÑOPQRSTUVWXYZÁÉÍÓÚÜ", min_size=1, max_size=16),
                min_size=1, max_size=9))
def test_fit_text_never_overflows_and_never_drops_words(words: list[str]) -> None:
    text = " ".join(words)
    try:
        fitted = fit_text(text, NAME_EL)
    except InputError:
        return
    assert " ".join(fitted.lines) == text
    assert NAME_EL.min_size <= fitted.size <= NAME_EL.max_size
    assert len(fitted.lines) <= NAME_EL.max_lines
    font = font_name(NAME_EL.font)
    for line in fitted.lines:
        assert stringWidth(line, font, fitted.size) <= NAME_EL.box.w * mm + 1e-6


# -- photo --------------------------------------------------------------------------------

def test_photo_is_embedded_as_jpeg_at_exactly_300_dpi_of_its_frame(tmp_path: Path) -> None:
    pdf = tmp_path / "card.pdf"
    render_card_pdf(pdf, face(photo=make_photo(tmp_path / "p.jpg", (40, 160, 90),
                                                size=(3000, 4000))), template=TEMPLATE)
    box = TEMPLATE.photo.box
    want = (round(box.w / 25.4 * 300), round(box.h / 25.4 * 300))
    assert photo_pixels(box.w, box.h) == want
    images = [x for x in PdfReader(pdf).pages[0].images if (x.image.width, x.image.height) == want]
    assert len(images) == 1
    assert images[0].name.endswith(".jpg")  # DCT passthrough, not a re-encoded bitmap


def test_photo_exif_orientation_is_applied(tmp_path: Path) -> None:
    # Stored sideways (as a phone saves it) with EXIF orientation 6: "rotate 90° clockwise".
    upright = Image.new("RGB", (600, 800), (0, 0, 255))
    ImageDraw.Draw(upright).rectangle([0, 0, 600, 300], fill=(255, 0, 0))  # red on top
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "sideways.jpg"
    stored.save(path, "JPEG", exif=exif, quality=95)
    box = TEMPLATE.photo.box
    prepared = prepare_photo(path, box.w, box.h)
    im = Image.open(io.BytesIO(prepared.jpeg)).convert("RGB")
    top = im.getpixel((im.width // 2, 5))
    bottom = im.getpixel((im.width // 2, im.height - 5))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_photo_cover_crop_keeps_proportions(tmp_path: Path) -> None:
    # A landscape photo with a perfect circle: after cropping to a portrait frame the
    # circle must still be a circle (no stretching).
    im = Image.new("RGB", (2400, 1000), (255, 255, 255))
    ImageDraw.Draw(im).ellipse([900, 200, 1500, 800], fill=(0, 0, 0))
    path = tmp_path / "wide.png"
    im.save(path)
    box = TEMPLATE.photo.box
    prepared = prepare_photo(path, box.w, box.h)
    out = Image.open(io.BytesIO(prepared.jpeg)).convert("L")
    assert out.size == photo_pixels(box.w, box.h)
    bbox = out.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert bbox is not None
    w, h = bbox[2] - bbox[0], bbox[3] - bbox[1]
    assert abs(w - h) <= 3, (w, h)


def test_missing_photo_prints_the_empty_frame(tmp_path: Path) -> None:
    pdf = tmp_path / "nophoto.pdf"
    render_card_pdf(pdf, face(photo=None), template=TEMPLATE)
    assert "SIN FOTO" in pdf_text(pdf)
    want = photo_pixels(TEMPLATE.photo.box.w, TEMPLATE.photo.box.h)
    sizes = [(x.image.width, x.image.height) for x in PdfReader(pdf).pages[0].images]
    assert want not in sizes


def test_corrupt_photo_raises_input_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "ALUMNO_DAÑADA.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg" * 10)
    with pytest.raises(InputError, match=r"ALUMNO_DAÑADA\.jpg"):
        render_card_pdf(tmp_path / "c.pdf", face(photo=bad), template=TEMPLATE)
    with pytest.raises(InputError, match=r"no_existe\.jpg"):
        prepare_photo(tmp_path / "no_existe.jpg", 19, 25)


# -- QR -----------------------------------------------------------------------------------

def test_qr_is_alphanumeric_mode_level_q_and_decodes_exactly(tmp_path: Path) -> None:
    text = qr_text()
    sym = qr_symbol(text)
    assert sym.mode == "alphanumeric"
    byte_mode = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q)
    byte_mode.add_data(qrcode.util.QRData(text.encode(), mode=qrcode.util.MODE_8BIT_BYTE))
    byte_mode.make(fit=True)
    assert sym.version < byte_mode.version
    pdf = tmp_path / "qr.pdf"
    render_card_pdf(pdf, face(text=text), template=TEMPLATE)
    found = decode_qrs(rasterize(pdf, 300)[0])
    assert [b.text for b in found] == [text]
    assert found[0].ec_level == "Q"
    assert found[0].extra["Version"] == str(sym.version)


def test_qr_text_outside_base45_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Base45"):
        render_card_pdf(tmp_path / "c.pdf", face(text="sc1:lower case"), template=TEMPLATE)


# -- specimen -----------------------------------------------------------------------------

def test_specimen_card_shows_watermark_and_no_folio(tmp_path: Path) -> None:
    pdf = tmp_path / "spec.pdf"
    render_card_pdf(pdf, face(folio=None, specimen=True), template=TEMPLATE)
    # pypdf follows the rotated text matrix of the diagonal watermark; pdftotext scrambles it.
    text = PdfReader(pdf).pages[0].extract_text()
    assert text.count("ESPÉCIMEN — SIN VALOR") == 1
    assert text.count("ESPÉCIMEN") == 2  # the watermark and the folio's place
    assert "0001234" not in text


def test_card_without_folio_that_is_not_specimen_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folio"):
        render_card_pdf(tmp_path / "c.pdf", face(folio=None), template=TEMPLATE)


# -- template data ------------------------------------------------------------------------

def _broken_template(tmp_path: Path, change: object) -> Path:
    src = TEMPLATES_DIR / "jalisco-basica" / "v1"
    dst = tmp_path / "tpl"
    shutil.copytree(src, dst)
    data = json.loads((dst / "template.json").read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    (dst / "template.json").write_text(json.dumps(data), encoding="utf-8")
    return dst / "template.json"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["texts"][3].__setitem__("max_size_pt", "grande"), "texts[3].max_size_pt"),
        (lambda d: d["texts"][3].__setitem__("field", "grado"), "texts[3].field"),
        (lambda d: d["texts"][3].__setitem__("font", "../../../etc/arial.ttf"), "texts[3].font"),
        (lambda d: d["texts"][3].__setitem__("font", "Arial.ttf"), "texts[3].font"),
        (lambda d: d["qr"].__setitem__("box", [70, 40, 30, 30]), "qr.box"),
        (lambda d: d["photo"].pop("border"), "photo.border"),
        (lambda d: d["images"][0].__setitem__("asset", "assets/no-existe.png"), "images[0].asset"),
        (lambda d: d.__setitem__("texts", [t for t in d["texts"] if t.get("field") != "cct"]),
         "texts"),
        (lambda d: d["card"].__setitem__("background", "blue"), "card.background"),
    ],
)
def test_wrong_template_raises_input_error_naming_file_and_field(tmp_path: Path, change: object,
                                                                 field: str) -> None:
    path = _broken_template(tmp_path, change)
    with pytest.raises(InputError) as err:
        load_template(path)
    assert str(path) in str(err.value)
    assert f"«{field}»" in str(err.value)


def test_template_caption_too_long_is_refused_before_any_output(tmp_path: Path) -> None:
    path = _broken_template(tmp_path, lambda d: d["texts"][0].__setitem__("text", "TÍTULO " * 40))
    with pytest.raises(InputError, match="title"):
        render_card_pdf(tmp_path / "c.pdf", face(), template=load_template(path))
    assert not (tmp_path / "c.pdf").exists()


def test_template_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "template.json"
    path.write_text('{\n  "template_id": "x",\n  oops\n}', encoding="utf-8")
    with pytest.raises(InputError, match=r"línea 3"):
        load_template(path)


def test_template_by_id_by_folder_and_by_file_are_the_same() -> None:
    folder = TEMPLATES_DIR / "jalisco-basica" / "v1"
    a, b, c = load_template("jalisco-basica/v1"), load_template(folder), load_template(
        folder / "template.json")
    assert a == b == c
    assert (a.template_id, a.version) == ("jalisco-basica", 1)


def test_wrong_sheet_layout_names_the_field(tmp_path: Path) -> None:
    data = json.loads((TEMPLATES_DIR / "sheets" / "letter-8up.json").read_text("utf-8"))
    data["grid"]["rows"] = 5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="«grid»") as err:
        load_sheet_layout(path)
    assert str(path) in str(err.value)
    data["grid"]["rows"] = 4
    data["grid"]["top_mm"] = 100
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="no caben"):
        load_sheet_layout(path)


def test_card_renders_the_same_after_the_renderer_let_go_of_its_fonts(tmp_path: Path) -> None:
    """Back home the kiosk drops the parsed TTFs, template images and prepared photos
    (station.printer.card.forget_render_state, ~12 MB); the next card parses them again and
    comes out the same."""
    from reportlab.pdfbase import pdfmetrics

    from station.printer.card import forget_render_state

    photo = make_photo(tmp_path / "p.jpg", (90, 120, 160))
    f = face(photo=photo, text=qr_text(seed=3))
    before, after = tmp_path / "before.pdf", tmp_path / "after.pdf"
    render_card_pdf(before, f, template=TEMPLATE)
    name = font_name(NAME_EL.font)
    assert name in pdfmetrics.getRegisteredFontNames()
    forget_render_state()
    assert name not in pdfmetrics.getRegisteredFontNames()
    render_card_pdf(after, f, template=TEMPLATE)
    assert name in pdfmetrics.getRegisteredFontNames()
    assert pdf_text(after) == pdf_text(before)
    first, second = rasterize(before, 100)[0], rasterize(after, 100)[0]
    assert first.size == second.size and first.tobytes() == second.tobytes()

"""Draw one card: fitted text, the photo, the QR, the template's fixed artwork.

Text fitting: a datum first shrinks on one line (down to the element's ``wrap_below_pt``,
which defaults to its minimum size), then wraps on up to ``max_lines`` lines at the largest
size that fits, down to the minimum; it never overflows its box and is never cut: when it
cannot fit, :class:`InputError` names the datum. Widths are
measured with reportlab's ``stringWidth`` on the real TTF font.

>>> t = load_template()
>>> name = next(e for e in t.texts if e.field == "name")
>>> fit_text("ÑANDÚ PÉREZ", name).lines
('ÑANDÚ PÉREZ',)
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import cache, lru_cache
from gettext import ngettext
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from reportlab.lib.colors import Color, white
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from foundation.card_templates import FONTS_DIR, Box, CardTemplate, TextElement, load_template
from foundation.errors import InputError
from foundation.qr_draw import QrSymbol, draw_qr, qr_symbol
from station.core.model import CardFace

# Accented capitals (Á, É, Ñ) rise above a font's nominal ascent; reserve room for them so
# a fitted line never touches the box above.
_ACCENT_ROOM = 0.17
_SIZE_STEP = 0.1

FIELD_LABELS = {
    "name": "nombre del alumno",
    "school_name": "nombre de la escuela",
    "cct": "CCT de la escuela",
    "address": "domicilio de la escuela",
    "phone": "teléfono de la escuela",
    "turno": "turno",
    "nivel": "nivel educativo",
    "folio": "folio",
}


_REGISTERED: set[str] = set()
"""Names :func:`font_name` registered with reportlab (for :func:`forget_fonts`)."""


@cache
def font_name(file_name: str) -> str:
    """Register a packaged TTF once per process and return its reportlab font name.

    >>> font_name("DejaVuSans-Bold.ttf")
    'DejaVuSans-Bold'
    """
    path = FONTS_DIR / file_name
    name = Path(file_name).stem
    try:
        pdfmetrics.registerFont(TTFont(name, str(path)))
        _REGISTERED.add(name)
    except Exception as exc:  # reportlab raises bare TTFError/OSError subclasses
        raise InputError(
            f"No se pudo cargar la fuente «{path.name}» ({exc.__class__.__name__}).",
            way_out="Reinstale el programa de la estación.",
        ) from None
    return name


def forget_render_state() -> None:
    """Let go of what rendering keeps for the next sheet: the parsed TTFs (reportlab holds
    every glyph's metrics and outline index, ~10 MB of Python objects for the card's faces),
    the decoded template images and the prepared photos. The next sheet parses and decodes
    them again (tens of milliseconds). Only while nothing renders: a sheet being made
    between the two steps below would miss its font."""
    font_name.cache_clear()
    for name in sorted(_REGISTERED):
        font = pdfmetrics._fonts.pop(name, None)  # reportlab has no unregister
        face = getattr(font, "face", None)
        if face is not None:
            pdfmetrics._dynFaceNames.pop(face.name, None)
    _REGISTERED.clear()
    _asset_reader.cache_clear()
    _prepare_photo.cache_clear()


@dataclass(frozen=True, slots=True)
class FittedText:
    """Where a text landed: font size in points and the lines, top to bottom."""

    size: float
    lines: tuple[str, ...]


def _extent(font: str) -> tuple[float, float]:
    face = pdfmetrics.getFont(font).face
    return face.ascent / 1000 + _ACCENT_ROOM, -face.descent / 1000


def _wrap(words: list[str], widths: list[float], space: float, limit: float) -> list[str] | None:
    """Greedy wrap of words (widths at 1 pt) into lines of ``limit``; None if a word is wider."""
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word, w in zip(words, widths, strict=True):
        if w > limit:
            return None
        if current and used + space + w <= limit:
            current.append(word)
            used += space + w
        else:
            if current:
                lines.append(" ".join(current))
            current, used = [word], w
    lines.append(" ".join(current))
    return lines


def _balanced(words: list[str], widths: list[float], space: float, limit: float,
              ) -> tuple[str, ...]:
    """The same number of lines as a greedy wrap at ``limit``, with the narrowest longest
    line: "MARÍA DE LOS / ÁNGELES PÉREZ" rather than "MARÍA DE LOS ÁNGELES / PÉREZ"."""
    best = _wrap(words, widths, space, limit)
    assert best is not None
    lo, hi = max(widths), limit
    for _ in range(24):
        mid = (lo + hi) / 2
        lines = _wrap(words, widths, space, mid)
        if lines is not None and len(lines) <= len(best):
            best, hi = lines, mid
        else:
            lo = mid
    return tuple(best)


def fit_text(text: str, el: TextElement) -> FittedText:
    """Fit ``text`` into ``el.box``: shrink on one line, then wrap; InputError if impossible.

    >>> t = load_template()
    >>> name = next(e for e in t.texts if e.field == "name")
    >>> fit_text("JOSÉ GUADALUPE HERNÁNDEZ", name).lines
    ('JOSÉ GUADALUPE', 'HERNÁNDEZ')
    """
    font = font_name(el.font)
    words = text.split()
    if not words:
        return FittedText(el.max_size, ())
    width, height = el.box.w * mm, el.box.h * mm
    top, bottom = _extent(font)
    one = pdfmetrics.stringWidth(" ".join(words), font, 1.0)
    size = min(el.max_size, width / one, height / (top + bottom))
    if size >= el.wrap_below - 1e-9:
        return FittedText(_floor(size), (" ".join(words),))
    widths = [pdfmetrics.stringWidth(w, font, 1.0) for w in words]
    space = pdfmetrics.stringWidth(" ", font, 1.0)
    for n in range(1 if el.max_lines == 1 else 2, el.max_lines + 1):
        size = min(el.max_size, height / (top + bottom + (n - 1) * el.line_spacing))
        while size >= el.min_size - 1e-9:
            lines = _wrap(words, widths, space, width / size)
            if lines is not None and len(lines) <= n:
                return FittedText(_floor(size), _balanced(words, widths, space, width / size))
            size -= _SIZE_STEP
    if el.field is None:
        raise InputError(
            f"El texto fijo «{el.id}» de la plantilla no cabe en su espacio: «{text}».",
            way_out="Sincronice la estación para recibir de nuevo la plantilla oficial, "
            "o avise a soporte de su DRSE.",
        )
    raise InputError(
        f"El {FIELD_LABELS[el.field]} «{text}» no cabe en la credencial ni con la letra más "
        f"chica ({el.min_size:g} pt en "
        + ngettext("{n} renglón", "{n} renglones", el.max_lines).format(n=el.max_lines) + ").",
        way_out="Abrevie ese dato en SCEJAL o en los datos de la escuela y vuelva a "
        "generar la hoja.",
    )


def _floor(size: float) -> float:
    # Round down to 0.01 pt so rounding can never push a fitted line past its box.
    return math.floor(size * 100) / 100


class CardPainter:
    """Draws cards of one template on one canvas, at the canvas' current origin (card's
    bottom-left corner, 1 unit = 1 pt). The fixed artwork becomes one PDF form per document,
    drawn by reference on every card: smaller files, faster rendering.
    """

    def __init__(self, canvas: Canvas, template: CardTemplate) -> None:
        self.c = canvas
        self.t = template
        self._form: str | None = None
        for f in template.fonts:
            font_name(f)

    def rect(self, box: Box) -> tuple[float, float, float, float]:
        """A template box (mm, from the top-left) in card points (from the bottom-left)."""
        return box.x * mm, (self.t.height_mm - box.y - box.h) * mm, box.w * mm, box.h * mm

    def text(self, el: TextElement, value: str, fitted: FittedText | None = None) -> None:
        fitted = fitted or fit_text(value, el)
        if not fitted.lines:
            return
        font = font_name(el.font)
        x, y, w, h = self.rect(el.box)
        top, bottom = _extent(font)
        s = fitted.size
        block = s * (top + bottom + (len(fitted.lines) - 1) * el.line_spacing)
        slack = {"top": 0.0, "middle": (h - block) / 2, "bottom": h - block}[el.valign]
        baseline = y + h - slack - s * top
        self.c.setFont(font, s)
        self.c.setFillColor(el.color)
        for line in fitted.lines:
            if el.align == "center":
                self.c.drawCentredString(x + w / 2, baseline, line)
            elif el.align == "right":
                self.c.drawRightString(x + w, baseline, line)
            else:
                self.c.drawString(x, baseline, line)
            baseline -= s * el.line_spacing

    def _background_form(self) -> str:
        if self._form is not None:
            return self._form
        t, c = self.t, self.c
        name = f"card_{t.template_id}_v{t.version}"
        c.beginForm(name, 0, 0, t.width_mm * mm, t.height_mm * mm)
        c.setFillColor(t.background)
        c.rect(0, 0, t.width_mm * mm, t.height_mm * mm, stroke=0, fill=1)
        for s in t.shapes:
            c.setFillColor(s.fill or white)
            c.setStrokeColor(s.stroke or white)
            c.setLineWidth(s.stroke_width)
            x, y, w, h = self.rect(s.box)
            c.roundRect(x, y, w, h, s.radius * mm, stroke=int(s.stroke is not None),
                        fill=int(s.fill is not None))
        for im in t.images:
            x, y, w, h = self.rect(im.box)
            c.drawImage(_asset_reader(im.asset), x, y, w, h, mask="auto",
                        preserveAspectRatio=True, anchor="c")
        for el in t.texts:
            if el.text is not None:
                self.text(el, el.text)
        x, y, w, h = self.rect(t.photo.box)
        c.setFillColor(t.photo.background)
        c.rect(x, y, w, h, stroke=0, fill=1)
        holo = t.hologram
        x, y, w, h = self.rect(holo.box)
        c.setStrokeColor(holo.stroke)
        c.setLineWidth(0.5)
        c.setDash(*holo.dash)
        c.roundRect(x, y, w, h, holo.radius * mm, stroke=1, fill=0)
        c.setDash()
        self.text(holo.label, holo.label.text or "")
        c.endForm()
        self._form = name
        return name

    def draw(self, card: PreparedCard, photo: PreparedPhoto | None = None) -> None:
        """Draw a card checked by :func:`prepare_card`; ``photo`` may be prepared ahead."""
        t, c = self.t, self.c
        c.saveState()
        c.doForm(self._background_form())
        for el in t.texts:
            if el.id in card.fitted:
                self.text(el, "", card.fitted[el.id])
        self._photo(card.face, photo)
        x, y, w, h = self.rect(t.qr.box)
        draw_qr(c, card.qr, x, y, min(w, h), quiet_zone=t.qr.quiet_zone_modules,
                color=t.qr.color)
        if card.specimen:
            self.watermark(t.specimen.text, t.specimen.color, t.specimen.alpha, t.specimen.font)
        c.restoreState()

    def _photo(self, face: CardFace, prepared: PreparedPhoto | None) -> None:
        frame = self.t.photo
        x, y, w, h = self.rect(frame.box)
        if face.photo is None:
            self.text(frame.placeholder, frame.placeholder.text or "")
        else:
            prepared = prepared or prepare_photo(face.photo, frame.box.w, frame.box.h)
            self.c.drawImage(ImageReader(io.BytesIO(prepared.jpeg)), x, y, w, h)
        if frame.border_width > 0:
            self.c.setStrokeColor(frame.border)
            self.c.setLineWidth(frame.border_width)
            self.c.rect(x, y, w, h, stroke=1, fill=0)

    def watermark(self, text: str, color: Color, alpha: float, font_file: str) -> None:
        """A diagonal text across the whole card, sized to span most of the diagonal."""
        c, t = self.c, self.t
        font = font_name(font_file)
        w, h = t.width_mm * mm, t.height_mm * mm
        size = min(0.82 * math.hypot(w, h) / pdfmetrics.stringWidth(text, font, 1.0), 0.3 * h)
        c.saveState()
        c.setFillColor(color)
        c.setFillAlpha(alpha)
        c.translate(w / 2, h / 2)
        c.rotate(math.degrees(math.atan2(h, w)))
        c.setFont(font, size)
        c.drawCentredString(0, -size * 0.35, text)
        c.restoreState()

    def draw_void(self, folio: int | None) -> None:
        """The void mark of a cancelled blank position: a big X, CANCELADA, the burnt folio."""
        c, t = self.c, self.t
        style = t.void
        font = font_name(style.font)
        w, h = t.width_mm * mm, t.height_mm * mm
        inset = 2.5 * mm
        c.saveState()
        c.setStrokeColor(style.color)
        c.setFillColor(style.color)
        c.setLineWidth(1.6)
        c.roundRect(inset, inset, w - 2 * inset, h - 2 * inset, 2 * mm, stroke=1, fill=0)
        c.line(inset, inset, w - inset, h - inset)
        c.line(inset, h - inset, w - inset, inset)
        big = min(26.0, 0.6 * w / pdfmetrics.stringWidth(style.text, font, 1.0))
        small = big * 0.45
        folio_line = style.folio_text.format(value=folio) if folio is not None else "SIN FOLIO"
        box_w = max(pdfmetrics.stringWidth(style.text, font, big),
                    pdfmetrics.stringWidth(folio_line, font, small)) + 6 * mm
        box_h = big + small + 5 * mm
        c.setFillColor(white)
        c.rect((w - box_w) / 2, (h - box_h) / 2, box_w, box_h, stroke=1, fill=1)
        c.setFillColor(style.color)
        c.setFont(font, big)
        c.drawCentredString(w / 2, h / 2 + small * 0.35, style.text)
        c.setFont(font, small)
        c.drawCentredString(w / 2, h / 2 - small * 1.35, folio_line)
        c.restoreState()



@dataclass(frozen=True, slots=True)
class PreparedCard:
    """A card whose every datum is known to fit: drawing it cannot fail on content."""

    face: CardFace
    specimen: bool
    fitted: dict[str, FittedText]
    qr: QrSymbol


def prepare_card(face: CardFace, template: CardTemplate, *, specimen: bool = False) -> PreparedCard:
    """Check and fit everything a card prints, before any byte of the PDF is written.

    A specimen (``specimen`` or ``face.specimen``) prints the template's specimen text where
    the folio goes. Raises :class:`InputError` for a datum that cannot fit, a non-specimen
    card without folio, or a QR text that is not Base45.
    """
    specimen = specimen or face.specimen
    if face.folio is None and not specimen:
        raise InputError(
            f"La credencial de «{face.name}» no tiene folio y no es espécimen.",
            way_out="Asigne folios a la hoja antes de generarla.",
        )
    qr = qr_symbol(face.qr_text)
    values = _values(face)
    fitted = {}
    for el in template.texts:
        if el.field is None:
            continue
        if el.field == "folio" and specimen:
            fitted[el.id] = fit_text(template.specimen.folio_text, el)
        else:
            fitted[el.id] = fit_text(el.format.format(value=values[el.field]), el)
    return PreparedCard(face, specimen, fitted, qr)


def check_static_texts(template: CardTemplate) -> None:
    """Fit the template's fixed captions once, so a bad template fails before any output.

    >>> check_static_texts(load_template())
    """
    fixed = [el for el in template.texts if el.text is not None]
    fixed += [template.photo.placeholder, template.hologram.label]
    for el in fixed:
        fit_text(el.text or "", el)
    folio = next(el for el in template.texts if el.field == "folio")
    fit_text(template.specimen.folio_text, folio)


def _values(face: CardFace) -> dict[str, object]:
    s = face.school
    return {
        "name": face.name,
        "school_name": s.nombre,
        "cct": s.cct,
        "address": s.address_line,
        "phone": s.telefono,
        "turno": str(s.turno),
        "nivel": str(s.nivel),
        "folio": face.folio,
    }


@lru_cache(maxsize=64)
def _asset_reader(path: Path) -> ImageReader:
    # Decoded once per process; reportlab keeps the RGB data inside the reader.
    try:
        return ImageReader(str(path))
    except Exception as exc:  # reportlab wraps Pillow errors in its own
        raise InputError(
            f"La imagen de la plantilla «{path.name}» está dañada ({exc.__class__.__name__}).",
            way_out="Sincronice la estación para recibir de nuevo la plantilla oficial.",
        ) from None



# -- photo ---------------------------------------------------------------------------------

PHOTO_DPI = 300
PHOTO_JPEG_QUALITY = 88
# Where the crop window sits in the spare height: 0 keeps the top, 0.5 centres. ID photos
# have the head in the upper half, so keep a little more of the top.
PHOTO_TOP_BIAS = 0.4


@dataclass(frozen=True, slots=True)
class PreparedPhoto:
    """A photo cropped to its frame and resampled to exactly ``PHOTO_DPI`` of its size."""

    jpeg: bytes
    width_px: int
    height_px: int


def photo_pixels(w_mm: float, h_mm: float) -> tuple[int, int]:
    """Pixel size of a frame at 300 dpi.

    >>> photo_pixels(19.0, 25.3)
    (224, 299)
    """
    return round(w_mm / 25.4 * PHOTO_DPI), round(h_mm / 25.4 * PHOTO_DPI)


def prepare_photo(path: str | Path, w_mm: float, h_mm: float) -> PreparedPhoto:
    """Cover-crop a stored photo to a ``w_mm`` x ``h_mm`` frame: EXIF orientation applied,
    no distortion, centred across and slightly biased to the top, 300 dpi, JPEG q88.

    Cached by path, modification time and size, so a reprint does not decode again.
    Raises :class:`InputError` naming the file if it is missing or not a readable image.
    """
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        raise InputError(
            f"No se encontró la foto «{path.name}».",
            way_out="Vuelva a tomar la foto o descárguela de nuevo de SCEJAL.",
        ) from None
    return _prepare_photo(str(path), st.st_mtime_ns, st.st_size, photo_pixels(w_mm, h_mm))


@lru_cache(maxsize=128)
def _prepare_photo(path: str, _mtime: int, _size: int, px: tuple[int, int]) -> PreparedPhoto:
    tw, th = px
    try:
        with Image.open(path) as im:
            # Let the JPEG decoder downscale by 1/2..1/8 while decoding: both sides stay
            # >= the largest target side, so the crop below still has enough pixels.
            im.draft("RGB", (max(tw, th), max(tw, th)))
            im = ImageOps.exif_transpose(im)
            im = _to_rgb(im)
            sw, sh = im.size
            scale = max(tw / sw, th / sh)
            cw, ch = tw / scale, th / scale
            left = (sw - cw) / 2
            top = (sh - ch) * PHOTO_TOP_BIAS
            out = im.resize((tw, th), Image.Resampling.LANCZOS,
                            box=(left, top, left + cw, top + ch))
            buf = io.BytesIO()
            out.save(buf, "JPEG", quality=PHOTO_JPEG_QUALITY, optimize=False, dpi=(300, 300))
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError,
            SyntaxError, ZeroDivisionError):
        raise InputError(
            f"La foto «{Path(path).name}» está dañada o no es una imagen JPEG o PNG.",
            way_out="Vuelva a tomar la foto o descárguela de nuevo de SCEJAL.",
        ) from None
    return PreparedPhoto(buf.getvalue(), tw, th)


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im.convert("RGB")


def render_card_pdf(out: Path, face: CardFace, *, template: CardTemplate | None = None,
                    specimen: bool = False) -> None:
    """Write a one-page PDF the size of one card (for on-screen previews and checks).

    >>> import tempfile, pathlib
    >>> from station.core.model import School, Nivel, Turno
    >>> s = School("14EPR0412K", "ESC. PRIM. JUÁREZ", Nivel.PRIMARIA, Turno.MATUTINO,
    ...            "AV. HIDALGO 10", "ZAPOPAN", "33 1234 5678", "CENTRO 2", 300, True)
    >>> f = CardFace(1, "ÑANDÚ PÉREZ", s, None, "SC1:ABC")
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.pdf"; render_card_pdf(p, f)
    >>> p.read_bytes()[:5]
    b'%PDF-'
    """
    template = template or load_template()
    check_static_texts(template)
    card = prepare_card(face, template, specimen=specimen)
    photo = None
    if face.photo is not None:
        photo = prepare_photo(face.photo, template.photo.box.w, template.photo.box.h)
    with open(out, "wb") as fh:
        c = Canvas(fh, pagesize=(template.width_mm * mm, template.height_mm * mm))
        c.setTitle(f"Credencial {face.folio if face.folio is not None else 'espécimen'}")
        CardPainter(c, template).draw(card, photo)
        c.showPage()
        c.save()

"""The card template and the sheet layout: versioned data files, validated on load.

A card template is a folder ``templates/<id>/v<version>/`` holding ``template.json`` and its
image assets; a sheet layout is ``templates/sheets/<id>.json``. Every box is in millimetres,
``[x, y, w, h]`` measured from the card's top-left corner (as a designer reads a drawing).
Fonts are TTF file names resolved only inside this package's ``fonts/`` folder, never from
the machine, so a card looks the same on every station.

>>> t = load_template()
>>> (t.template_id, t.version, t.width_mm)
('jalisco-basica', 1, 85.6)
>>> load_sheet_layout().positions
8
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, HexColor

from foundation.credential.card import SHEET_SIZE
from foundation.errors import InputError

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
FONTS_DIR = PACKAGE_DIR / "fonts"
DEFAULT_TEMPLATE = "jalisco-basica/v1"
DEFAULT_SHEET_LAYOUT = "letter-8up"

TEXT_FIELDS = frozenset(
    {"name", "school_name", "cct", "address", "phone", "turno", "nivel", "folio"}
)
"""What a text element may show (seed 004, normativo 7). Cycle, grade, group: never."""

_FONT_FILE = re.compile(r"^[A-Za-z0-9_.-]+\.ttf$")
_FORMAT = re.compile(r"^[^{}]*\{value(:0[1-9]d)?\}[^{}]*$")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_WAY_OUT = (
    "Sincronice la estación para recibir de nuevo la plantilla oficial, "
    "o avise a soporte de su DRSE."
)


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in mm from the card's top-left corner."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class TextElement:
    """A fixed caption (``text``) or a card datum (``field``), fitted into ``box``."""

    id: str
    box: Box
    font: str
    max_size: float
    min_size: float
    max_lines: int
    color: Color
    align: str
    valign: str
    line_spacing: float
    field: str | None = None
    text: str | None = None
    format: str = "{value}"
    wrap_below: float = 0.0
    """One line may shrink down to this size; below it the text wraps (>= min_size)."""


@dataclass(frozen=True, slots=True)
class ImageElement:
    """A template asset (logo, signature) drawn inside ``box`` keeping its proportions."""

    id: str
    box: Box
    asset: Path


@dataclass(frozen=True, slots=True)
class ShapeElement:
    """A filled and/or stroked rectangle (bands, rules, panels)."""

    id: str
    box: Box
    fill: Color | None
    stroke: Color | None
    stroke_width: float
    radius: float


@dataclass(frozen=True, slots=True)
class PhotoFrame:
    box: Box
    border: Color
    border_width: float
    background: Color
    placeholder: TextElement


@dataclass(frozen=True, slots=True)
class QrFrame:
    box: Box
    quiet_zone_modules: int
    color: Color


@dataclass(frozen=True, slots=True)
class HologramFrame:
    """The empty marked area where the cycle's hologram sticker goes after lamination."""

    box: Box
    stroke: Color
    dash: tuple[float, float]
    radius: float
    label: TextElement


@dataclass(frozen=True, slots=True)
class MarkStyle:
    """How specimen watermarks and void (cancelled) marks look."""

    text: str
    font: str
    color: Color
    alpha: float
    folio_text: str


@dataclass(frozen=True, slots=True)
class CardTemplate:
    template_id: str
    version: int
    folder: Path
    width_mm: float
    height_mm: float
    corner_radius_mm: float
    background: Color
    cut_guides: bool
    shapes: tuple[ShapeElement, ...]
    images: tuple[ImageElement, ...]
    texts: tuple[TextElement, ...]
    photo: PhotoFrame
    qr: QrFrame
    hologram: HologramFrame
    specimen: MarkStyle
    void: MarkStyle

    @property
    def fonts(self) -> frozenset[str]:
        """Every font file the template uses."""
        used = {t.font for t in self.texts} | {self.photo.placeholder.font}
        used |= {self.hologram.label.font, self.specimen.font, self.void.font}
        return frozenset(used)


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """Where the eight cards of a sheet sit on the page (mm from the page's top-left)."""

    layout_id: str
    version: int
    file: Path
    note: str
    page_w: float
    page_h: float
    card_w: float
    card_h: float
    columns: int
    rows: int
    left: float
    top: float
    pitch_x: float
    pitch_y: float

    @property
    def positions(self) -> int:
        return self.columns * self.rows

    def card_origin(self, position: int) -> tuple[float, float]:
        """Top-left corner (mm) of ``position``, numbered row by row from the top left.

        >>> load_sheet_layout().card_origin(1)
        (107.95, 31.74)
        """
        row, col = divmod(position, self.columns)
        return (round(self.left + col * self.pitch_x, 4), round(self.top + row * self.pitch_y, 4))


class _Reader:
    """Typed access to a JSON object that names the file and the field on every error."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, where: str, why: str) -> InputError:
        return InputError(
            f"La plantilla «{self.file}» tiene un error en el campo «{where}»: {why}.",
            way_out=_WAY_OUT,
        )

    def obj(self, data: Any, where: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, "debe ser un objeto { }")
        return data

    def get(self, data: dict[str, Any], key: str, where: str) -> Any:
        if key not in data:
            raise self.fail(f"{where}.{key}".lstrip("."), "falta")
        return data[key]

    def num(self, data: dict[str, Any], key: str, where: str, lo: float, hi: float,
            default: float | None = None) -> float:
        value = data.get(key, default) if default is not None else self.get(data, key, where)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise self.fail(f"{where}.{key}".lstrip("."), f"debe ser un número entre {lo} y {hi}")
        return float(value)

    def int_(self, data: dict[str, Any], key: str, where: str, lo: int, hi: int,
             default: int | None = None) -> int:
        value = data.get(key, default) if default is not None else self.get(data, key, where)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise self.fail(f"{where}.{key}".lstrip("."), f"debe ser un entero entre {lo} y {hi}")
        return value

    def str_(self, data: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default) if default is not None else self.get(data, key, where)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}".lstrip("."), "debe ser un texto no vacío")
        return value

    def choice(self, data: dict[str, Any], key: str, where: str, options: tuple[str, ...]) -> str:
        value = data.get(key, options[0])
        if value not in options:
            raise self.fail(f"{where}.{key}", f"debe ser uno de: {', '.join(options)}")
        return str(value)

    def color(self, data: dict[str, Any], key: str, where: str,
              default: str | None = None) -> Color:
        value = data.get(key, default) if default is not None else self.get(data, key, where)
        if not isinstance(value, str) or not _HEX.match(value):
            raise self.fail(f"{where}.{key}", "debe ser un color «#RRGGBB»")
        return HexColor(value)

    def opt_color(self, data: dict[str, Any], key: str, where: str) -> Color | None:
        return None if data.get(key) is None else self.color(data, key, where)

    def box(self, data: dict[str, Any], where: str, card: tuple[float, float]) -> Box:
        value = self.get(data, "box", where)
        ok = isinstance(value, list) and len(value) == 4
        ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        if not ok:
            raise self.fail(f"{where}.box", "debe ser [x, y, ancho, alto] en milímetros")
        x, y, w, h = (float(v) for v in value)
        eps = 0.01
        if w <= 0 or h <= 0 or x < -eps or y < -eps or x + w > card[0] + eps \
                or y + h > card[1] + eps:
            raise self.fail(f"{where}.box", "queda fuera de la credencial o tiene tamaño cero")
        return Box(x, y, w, h)

    def font(self, data: dict[str, Any], key: str, where: str) -> str:
        name = self.str_(data, key, where)
        if not _FONT_FILE.match(name) or not (FONTS_DIR / name).is_file():
            raise self.fail(f"{where}.{key}", f"la fuente «{name}» no está en {FONTS_DIR}")
        return name

    def text(self, data: Any, where: str, card: tuple[float, float],
             static_only: bool = False) -> TextElement:
        data = self.obj(data, where)
        field, text = data.get("field"), data.get("text")
        if (field is None) == (text is None) or (static_only and field is not None):
            raise self.fail(where, "debe tener «text» (texto fijo) o «field» (dato), uno solo")
        if field is not None and field not in TEXT_FIELDS:
            known = ", ".join(sorted(TEXT_FIELDS))
            raise self.fail(f"{where}.field", f"«{field}» no es un dato de la credencial ({known})")
        if text is not None and (not isinstance(text, str) or not text.strip()):
            raise self.fail(f"{where}.text", "debe ser un texto no vacío")
        fmt = data.get("format", "{value}")
        if not isinstance(fmt, str) or not _FORMAT.match(fmt):
            raise self.fail(f"{where}.format", "debe contener una sola vez {value} o {value:0Nd}")
        max_size = self.num(data, "max_size_pt", where, 3.0, 40.0)
        min_size = self.num(data, "min_size_pt", where, 3.0, max_size, default=max_size)
        wrap_below = self.num(data, "wrap_below_pt", where, min_size, max_size, default=min_size)
        return TextElement(
            id=self.str_(data, "id", where, default=where),
            box=self.box(data, where, card),
            font=self.font(data, "font", where),
            max_size=max_size,
            min_size=min_size,
            max_lines=self.int_(data, "max_lines", where, 1, 6, default=1),
            color=self.color(data, "color", where, default="#000000"),
            align=self.choice(data, "align", where, ("left", "center", "right")),
            valign=self.choice(data, "valign", where, ("top", "middle", "bottom")),
            line_spacing=self.num(data, "line_spacing", where, 0.9, 2.0, default=1.12),
            field=field,
            text=text,
            format=fmt,
            wrap_below=wrap_below,
        )

    def mark(self, data: Any, where: str, *, folio_format: bool = False) -> MarkStyle:
        data = self.obj(data, where)
        folio_text = self.str_(data, "folio_text", where)
        if folio_format and not _FORMAT.match(folio_text):
            raise self.fail(f"{where}.folio_text",
                            "debe contener una sola vez {value} o {value:0Nd}")
        return MarkStyle(
            text=self.str_(data, "text", where),
            font=self.font(data, "font", where),
            color=self.color(data, "color", where),
            alpha=self.num(data, "alpha", where, 0.05, 1.0, default=1.0),
            folio_text=folio_text,
        )


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"No se encontró el archivo de plantilla «{file}».",
                         way_out=_WAY_OUT) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"No se pudo leer la plantilla «{file}» ({exc.__class__.__name__}).",
                         way_out=_WAY_OUT) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"La plantilla «{file}» no es JSON válido (línea {exc.lineno}, columna {exc.colno}).",
            way_out=_WAY_OUT,
        ) from None


def _resolve(path_or_id: str | Path | None, default: str, kind: str) -> Path:
    if path_or_id is None:
        path_or_id = default
    path = Path(path_or_id)
    if not path.exists() and isinstance(path_or_id, str) and ".." not in path.parts:
        # An id: "jalisco-basica/v1" or "letter-8up", looked up in the packaged templates.
        path = TEMPLATES_DIR / (f"sheets/{path_or_id}.json" if kind == "sheet" else path_or_id)
    if kind == "card" and path.is_dir():
        path = path / "template.json"
    return path


def load_template(path_or_id: str | Path | None = None) -> CardTemplate:
    """Load and validate a card template (a ``template.json`` path, its folder, or an id).

    >>> load_template("jalisco-basica/v1").hologram.box.w > 0
    True
    """
    file = _resolve(path_or_id, DEFAULT_TEMPLATE, "card")
    r = _Reader(file)
    data = r.obj(_read_json(file), "(raíz)")
    card = r.obj(r.get(data, "card", ""), "card")
    size = (r.num(card, "width_mm", "card", 20, 300), r.num(card, "height_mm", "card", 20, 300))

    def elements(key: str) -> list[dict[str, Any]]:
        items = data.get(key, [])
        if not isinstance(items, list):
            raise r.fail(key, "debe ser una lista [ ]")
        return [r.obj(item, f"{key}[{i}]") for i, item in enumerate(items)]

    shapes = tuple(
        ShapeElement(
            id=r.str_(s, "id", f"shapes[{i}]", default=f"shapes[{i}]"),
            box=r.box(s, f"shapes[{i}]", size),
            fill=r.opt_color(s, "fill", f"shapes[{i}]"),
            stroke=r.opt_color(s, "stroke", f"shapes[{i}]"),
            stroke_width=r.num(s, "stroke_width_pt", f"shapes[{i}]", 0.05, 10, default=0.5),
            radius=r.num(s, "radius_mm", f"shapes[{i}]", 0, 20, default=0.0),
        )
        for i, s in enumerate(elements("shapes"))
    )
    images = []
    for i, s in enumerate(elements("images")):
        asset = (file.parent / r.str_(s, "asset", f"images[{i}]")).resolve()
        if file.parent.resolve() not in asset.parents or not asset.is_file():
            raise r.fail(f"images[{i}].asset",
                         f"no existe el archivo «{s['asset']}» junto a la plantilla")
        images.append(ImageElement(r.str_(s, "id", f"images[{i}]"), r.box(s, f"images[{i}]", size),
                                   asset))
    texts = tuple(r.text(s, f"texts[{i}]", size) for i, s in enumerate(elements("texts")))
    missing = TEXT_FIELDS - {t.field for t in texts}
    if missing:
        raise r.fail("texts", f"faltan los datos obligatorios: {', '.join(sorted(missing))}")

    photo = r.obj(r.get(data, "photo", ""), "photo")
    qr = r.obj(r.get(data, "qr", ""), "qr")
    holo = r.obj(r.get(data, "hologram", ""), "hologram")
    dash = holo.get("dash_pt", [1.5, 1.0])
    if not (isinstance(dash, list) and len(dash) == 2
            and all(isinstance(v, int | float) and v > 0 for v in dash)):
        raise r.fail("hologram.dash_pt", "debe ser [trazo, espacio] en puntos")
    ph_box = r.box(photo, "photo", size)
    placeholder = dict(r.obj(r.get(photo, "placeholder", "photo"), "photo.placeholder"))
    placeholder.setdefault("box", [ph_box.x, ph_box.y, ph_box.w, ph_box.h])
    label = dict(r.obj(r.get(holo, "label", "hologram"), "hologram.label"))
    h_box = r.box(holo, "hologram", size)
    label.setdefault("box", [h_box.x, h_box.y, h_box.w, h_box.h])
    return CardTemplate(
        template_id=r.str_(data, "template_id", ""),
        version=r.int_(data, "version", "", 1, 10_000),
        folder=file.parent,
        width_mm=size[0],
        height_mm=size[1],
        corner_radius_mm=r.num(card, "corner_radius_mm", "card", 0, 10, default=0.0),
        background=r.color(card, "background", "card", default="#FFFFFF"),
        cut_guides=bool(data.get("cut_guides", False)),
        shapes=shapes,
        images=tuple(images),
        texts=texts,
        photo=PhotoFrame(
            box=ph_box,
            border=r.color(photo, "border", "photo"),
            border_width=r.num(photo, "border_width_pt", "photo", 0, 5, default=0.5),
            background=r.color(photo, "background", "photo", default="#FFFFFF"),
            placeholder=r.text(placeholder, "photo.placeholder", size, static_only=True),
        ),
        qr=QrFrame(
            box=r.box(qr, "qr", size),
            quiet_zone_modules=r.int_(qr, "quiet_zone_modules", "qr", 1, 8, default=4),
            color=r.color(qr, "color", "qr", default="#000000"),
        ),
        hologram=HologramFrame(
            box=h_box,
            stroke=r.color(holo, "stroke", "hologram"),
            dash=(float(dash[0]), float(dash[1])),
            radius=r.num(holo, "radius_mm", "hologram", 0, 20, default=0.0),
            label=r.text(label, "hologram.label", size, static_only=True),
        ),
        specimen=r.mark(r.get(data, "specimen", ""), "specimen"),
        void=r.mark(r.get(data, "void", ""), "void", folio_format=True),
    )


def load_sheet_layout(path_or_id: str | Path | None = None) -> SheetLayout:
    """Load and validate a sheet layout (a JSON path or an id such as ``letter-8up``).

    >>> load_sheet_layout("letter-8up").columns
    2
    """
    file = _resolve(path_or_id, DEFAULT_SHEET_LAYOUT, "sheet")
    r = _Reader(file)
    data = r.obj(_read_json(file), "(raíz)")
    page = r.obj(r.get(data, "page", ""), "page")
    card = r.obj(r.get(data, "card", ""), "card")
    grid = r.obj(r.get(data, "grid", ""), "grid")
    layout = SheetLayout(
        layout_id=r.str_(data, "layout_id", ""),
        version=r.int_(data, "version", "", 1, 10_000),
        file=file,
        note=r.str_(data, "note", ""),
        page_w=r.num(page, "width_mm", "page", 50, 1000),
        page_h=r.num(page, "height_mm", "page", 50, 1000),
        card_w=r.num(card, "width_mm", "card", 20, 300),
        card_h=r.num(card, "height_mm", "card", 20, 300),
        columns=r.int_(grid, "columns", "grid", 1, SHEET_SIZE),
        rows=r.int_(grid, "rows", "grid", 1, SHEET_SIZE),
        left=r.num(grid, "left_mm", "grid", 0, 1000),
        top=r.num(grid, "top_mm", "grid", 0, 1000),
        pitch_x=r.num(grid, "column_pitch_mm", "grid", 0, 1000),
        pitch_y=r.num(grid, "row_pitch_mm", "grid", 0, 1000),
    )
    if layout.positions != SHEET_SIZE:
        raise r.fail("grid", f"columnas × filas debe dar {SHEET_SIZE} credenciales por hoja")
    if layout.pitch_x < layout.card_w - 0.01 or layout.pitch_y < layout.card_h - 0.01:
        raise r.fail("grid", "el paso entre credenciales es menor que la credencial: se enciman")
    right, bottom = layout.card_origin(SHEET_SIZE - 1)
    right, bottom = right + layout.card_w, bottom + layout.card_h
    if right > layout.page_w + 0.01 or bottom > layout.page_h + 0.01:
        raise r.fail("grid", "las credenciales no caben en la página")
    return layout


# --- the catalogue central publishes from -----------------------------------------------------

_TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}/v[0-9]{1,4}$")


def template_shipped(template_id: str) -> bool:
    """Whether this software ships card template ``template_id`` (and it loads).

    >>> template_shipped("jalisco-basica/v1"), template_shipped("jalisco-basica/v99")
    (True, False)
    """
    if not _TEMPLATE_ID.match(template_id):
        return False
    path = TEMPLATES_DIR / template_id / "template.json"
    if not path.is_file():
        return False
    try:
        load_template(path)
    except InputError:
        return False
    return True


def shipped_templates() -> list[str]:
    """Card template ids this software ships (``jalisco-basica/v1``…), sorted.

    >>> "jalisco-basica/v1" in shipped_templates()
    True
    """
    found = {f"{p.parent.parent.name}/{p.parent.name}"
             for p in TEMPLATES_DIR.glob("*/v*/template.json")}
    return sorted(t for t in found if template_shipped(t))

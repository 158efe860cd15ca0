"""Generate a corpus of degraded photos of the project's own cards, for the QR benchmark.

Real cards and real sheets are rendered by the station's renderer (``render_card_pdf`` and
``render_sheets_pdf``, a real signed QR, a real face photo from scikit-image), rasterised by
``pdftoppm`` at 300 dpi, then photographed by a simulated camera: the card is a plane in 3-D
in front of a pinhole camera (1280×720, 70° across, like a USB webcam) over a cluttered
background, and one degradation at a time is applied at a random strength inside a range
that a station's camera really meets. Every image comes with the texts it must read.

    .venv/bin/python bench/make_qr_corpus.py [--out DIR] [--per-kind 30] [--seed 5]

The corpus goes to a temporary folder by default (never into git). ``manifest.json`` lists
``{"file", "kind", "params", "expected"}`` per image.

Module size is what decides a QR read: the card's QR (version 9-11, 53-61 modules, 23 mm
with its quiet zone) spans ~0.35 mm per module, so a webcam sees 2-4 pixels per module when
the card is held 12-25 cm away. "small" goes down to 1.6 px per module (~30 cm).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from skimage import data as skdata

from foundation.card_templates import load_sheet_layout, load_template
from foundation.credential.card import CredentialClaims
from foundation.credential.keys import StationKey
from foundation.credential.sign import issue_qr_text
from station.core.model import (
    Calibration,
    CardFace,
    Nivel,
    School,
    SheetFace,
    Turno,
)
from station.printer.card import render_card_pdf
from station.printer.sheet import render_sheets_pdf

FRAME = (1280, 720)
FOCAL_PX = FRAME[0] / 2 / math.tan(math.radians(35))  # 70° horizontal field of view
RENDER_DPI = 300
PX_PER_MM = RENDER_DPI / 25.4

SCHOOLS = (
    School("14DPR9901D", 'ESCUELA PRIMARIA DE DEMOSTRACIÓN "JOSÉ CLEMENTE OROZCO"',
           Nivel.PRIMARIA, Turno.MATUTINO, "AV. DE LAS AMÉRICAS 1500, COL. PROVIDENCIA",
           "ZAPOPAN", "3399990101", "CENTRO 2 ZAPOPAN", 512, True),
    School("14ETV9903F", 'TELESECUNDARIA DE DEMOSTRACIÓN "MARÍA IZQUIERDO"',
           Nivel.SECUNDARIA, Turno.VESPERTINO, "DOMICILIO CONOCIDO, EL TUITO",
           "CABO CORRIENTES", "3229990303", "COSTA SIERRA OCCIDENTAL", 58, False),
)
NAMES = ("ANA LÓPEZ", "MARÍA DE LOS ÁNGELES GUADALUPE VILLASEÑOR PEÑA", "SANTIAGO CASTAÑEDA",
         "XÓCHITL ÍÑIGUEZ DE LA TORRE", "JOSÉ MARÍA IBÁÑEZ SOTO", "RENATA OCHOA",
         "DIEGO ARMANDO GUTIÉRREZ DE LOS SANTOS", "ZOÉ NÚÑEZ", "JUAN PABLO MUÑOZ QUIÑONES",
         "ITZEL YÁÑEZ", "MAXIMILIANO ZÚÑIGA DEL TORO", "DANNA PAOLA URIBE")


@dataclass(frozen=True)
class CardImage:
    """A rendered card at 300 dpi (BGR) and the text of its QR."""

    pixels: np.ndarray
    text: str


def fixed_key(folder: Path) -> StationKey:
    """A fixed Ed25519 key: the same corpus (and QR symbols) on every run."""
    path = folder / "bench-key.pem"
    pem = Ed25519PrivateKey.from_private_bytes(bytes(range(32))).private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.write_bytes(pem)
    path.chmod(0o600)
    return StationKey.load(path)


def _face_photo(folder: Path) -> str:
    """A real face (scikit-image's astronaut) cropped like an ID photo."""
    face = skdata.astronaut()[10:330, 110:350, ::-1]
    path = folder / "foto.jpg"
    cv2.imwrite(str(path), face, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return str(path)


def _rasterise(pdf: Path, dpi: int) -> list[np.ndarray]:
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    pages = sorted(pdf.parent.glob(prefix.name + "-*.png"))
    out = [cv2.imread(str(p), cv2.IMREAD_COLOR) for p in pages]
    for p in pages:
        p.unlink()
    return out


def _faces(key: StationKey, photo: str, count: int, first_folio: int) -> list[CardFace]:
    faces = []
    for i in range(count):
        name = NAMES[i % len(NAMES)]
        school = SCHOOLS[i % len(SCHOOLS)]
        folio = first_folio + i
        text = issue_qr_text(CredentialClaims(folio, name, school.cct, date(2026, 9, 1)), key)
        faces.append(CardFace(folio, name, school, photo, text))
    return faces


def render_cards(folder: Path, key: StationKey, count: int) -> list[CardImage]:
    """``count`` distinct real cards (name, school, folio, QR) rasterised at 300 dpi."""
    photo = _face_photo(folder)
    cards = []
    for face in _faces(key, photo, count, 1_000_101):
        pdf = folder / f"card-{face.folio}.pdf"
        render_card_pdf(pdf, face)
        cards.append(CardImage(_rasterise(pdf, RENDER_DPI)[0], face.qr_text))
        pdf.unlink()
    return cards


def render_sheets(folder: Path, key: StationKey, count: int) -> list[tuple[np.ndarray, list[str]]]:
    """``count`` real sheets of 8 cards (letter page at 300 dpi) and their 8 texts in order."""
    photo = _face_photo(folder)
    template, layout = load_template(), load_sheet_layout()
    out = []
    for s in range(count):
        faces = _faces(key, photo, 8, 2_000_001 + 8 * s)
        sheet = SheetFace(s + 1, dict(enumerate(faces)))
        pdf = folder / f"sheet-{s}.pdf"
        render_sheets_pdf(pdf, [sheet], template=template, layout=layout,
                          calibration=Calibration())
        out.append((_rasterise(pdf, RENDER_DPI)[0], [f.qr_text for f in faces]))
        pdf.unlink()
    return out


# --- the simulated camera ---------------------------------------------------------------

_BACKGROUNDS = ("coffee", "chelsea", "rocket", "astronaut", "immunohistochemistry",
                "hubble_deep_field")


def background(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """A cluttered scene behind the card: a real photo, scaled and shifted, a bit dim."""
    name = _BACKGROUNDS[int(rng.integers(len(_BACKGROUNDS)))]
    img = getattr(skdata, name)()
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    img = np.ascontiguousarray(img[:, :, :3][:, :, ::-1])
    w, h = size
    scale = max(w / img.shape[1], h / img.shape[0]) * rng.uniform(1.0, 1.6)
    img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    y = int(rng.integers(0, img.shape[0] - h + 1))
    x = int(rng.integers(0, img.shape[1] - w + 1))
    return (img[y:y + h, x:x + w] * rng.uniform(0.6, 0.95)).astype(np.uint8)


def _rotation(tilt_x: float, tilt_y: float, roll: float) -> np.ndarray:
    ax, ay, az = (math.radians(a) for a in (tilt_x, tilt_y, roll))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def photograph(obj: np.ndarray, scene: np.ndarray, *, px_per_mm: float, tilt_x: float = 0,
               tilt_y: float = 0, roll: float = 0, centre: tuple[float, float] = (0.5, 0.5),
               focal: float = FOCAL_PX,
               obj_dpi: float = RENDER_DPI) -> tuple[np.ndarray, np.ndarray]:
    """``obj`` (a card or a sheet rendered at ``obj_dpi``) as a pinhole camera sees it, and
    the homography from ``obj`` pixels to frame pixels.

    ``px_per_mm`` is the scale at the object's centre; tilts and roll are in degrees.
    """
    h, w = obj.shape[:2]
    mm_per_px = 25.4 / obj_dpi
    half = np.array([w / 2, h / 2]) * mm_per_px
    z = focal / px_per_mm  # distance (mm) giving that scale at the centre
    rot = _rotation(tilt_x, tilt_y, roll)
    fh, fw = scene.shape[:2]
    cx, cy = centre[0] * fw, centre[1] * fh
    src, dst = [], []
    for sx, sy in ((0, 0), (w, 0), (w, h), (0, h)):
        p = rot @ np.array([sx * mm_per_px - half[0], sy * mm_per_px - half[1], 0.0])
        p[2] += z
        src.append((sx, sy))
        dst.append((cx + focal * p[0] / p[2], cy + focal * p[1] / p[2]))
    m = cv2.getPerspectiveTransform(np.float32(src), np.float32(dst))
    # Supersample the warp so thin modules are area-averaged like a sensor does, not aliased.
    k = 2
    big = cv2.resize(scene, (fw * k, fh * k), interpolation=cv2.INTER_NEAREST)
    mk = np.diag([k, k, 1.0]) @ m
    warped = cv2.warpPerspective(obj, mk, (fw * k, fh * k), flags=cv2.INTER_AREA,
                                 borderMode=cv2.BORDER_TRANSPARENT, dst=big)
    return cv2.resize(warped, (fw, fh), interpolation=cv2.INTER_AREA), m


def qr_quad(card: np.ndarray) -> tuple[int, int, int, int]:
    """The QR box (x, y, w, h in card pixels) from the template, quiet zone included."""
    box = load_template().qr.box
    return (round(box.x * PX_PER_MM), round(box.y * PX_PER_MM), round(box.w * PX_PER_MM),
            round(box.h * PX_PER_MM))


# --- degradations: each takes (rng, card image) and returns (frame, params) ---------------

def _module_px(rng: np.random.Generator, lo: float = 2.3, hi: float = 4.0) -> float:
    return float(rng.uniform(lo, hi))


def _px_per_mm(module_px: float) -> float:
    return module_px / 0.354  # one module of the card's QR is ~0.354 mm


def _camera(rng: np.random.Generator, card: np.ndarray, module_px: float, *,
            with_homography: bool = False, **kw: Any) -> Any:
    """Photograph ``card``; the QR and its quiet zone always land wholly inside the frame
    (a code cut by the frame's edge is the operator's problem, not the decoder's)."""
    kw.setdefault("roll", float(rng.uniform(-12, 12)))
    kw.setdefault("tilt_x", float(rng.uniform(-10, 10)))
    kw.setdefault("tilt_y", float(rng.uniform(-10, 10)))
    fixed_centre = "centre" in kw
    scene = background(rng, FRAME)
    x, y, w, h = qr_quad(card)
    corners = np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
    for _ in range(200):
        if not fixed_centre:
            kw["centre"] = (float(rng.uniform(0.2, 0.8)), float(rng.uniform(0.2, 0.8)))
        frame, homography = photograph(card, scene, px_per_mm=_px_per_mm(module_px), **kw)
        quad = cv2.perspectiveTransform(corners[None], homography)[0]
        if (quad.min() >= 2 and quad[:, 0].max() <= FRAME[0] - 2
                and quad[:, 1].max() <= FRAME[1] - 2):
            break
    else:
        raise RuntimeError("could not place the QR inside the frame")
    frame = _sensor(rng, frame, noise=2.0)
    return (frame, homography) if with_homography else frame


def _sensor(rng: np.random.Generator, frame: np.ndarray, noise: float) -> np.ndarray:
    out = frame.astype(np.float32) + rng.normal(0, noise, frame.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def _jpeg(frame: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def clean(rng, card):
    m = _module_px(rng)
    return _camera(rng, card, m), {"module_px": round(m, 2)}


def perspective(rng, card):
    m = _module_px(rng, 2.8, 4.0)
    angle = float(rng.uniform(30, 50))
    axis = float(rng.uniform(0, 2 * math.pi))
    tx, ty = angle * math.cos(axis), angle * math.sin(axis)
    return _camera(rng, card, m, tilt_x=tx, tilt_y=ty), {
        "module_px": round(m, 2), "tilt_deg": round(angle, 1)}


def rotation(rng, card):
    m = _module_px(rng)
    roll = float(rng.uniform(0, 360))
    return _camera(rng, card, m, roll=roll), {"module_px": round(m, 2), "roll_deg": round(roll)}


def defocus(rng, card):
    m = _module_px(rng, 2.6, 4.0)
    sigma = float(rng.uniform(0.35, 0.6)) * m
    frame = cv2.GaussianBlur(_camera(rng, card, m), (0, 0), sigma)
    return frame, {"module_px": round(m, 2), "sigma_modules": round(sigma / m, 2)}


def motion(rng, card):
    m = _module_px(rng, 2.6, 4.0)
    length = float(rng.uniform(0.6, 1.2)) * m
    angle = float(rng.uniform(0, 180))
    size = math.ceil(length) | 1
    kernel = np.zeros((size * 2 + 1, size * 2 + 1), np.float32)
    c = size
    dx, dy = math.cos(math.radians(angle)) * length / 2, math.sin(math.radians(angle)) * length / 2
    cv2.line(kernel, (round((c - dx) * 16), round((c - dy) * 16)),
             (round((c + dx) * 16), round((c + dy) * 16)), 1.0, 1, cv2.LINE_AA, shift=4)
    kernel /= kernel.sum()
    frame = cv2.filter2D(_camera(rng, card, m), -1, kernel)
    return frame, {"module_px": round(m, 2), "length_modules": round(length / m, 2),
                   "angle_deg": round(angle)}


def noise(rng, card):
    m = _module_px(rng)
    sigma = float(rng.uniform(12, 28))
    return _sensor(rng, _camera(rng, card, m), sigma), {
        "module_px": round(m, 2), "sigma": round(sigma, 1)}


def jpeg(rng, card):
    m = _module_px(rng, 2.6, 4.0)
    q = int(rng.integers(10, 31))
    return _jpeg(_camera(rng, card, m), q), {"module_px": round(m, 2), "quality": q}


def _qr_in_frame(rng, card, m, **kw):
    """Photograph a card; also return where its QR symbol landed: (cx, cy, side) in pixels
    and its four corners."""
    x, y, w, h = qr_quad(card)
    frame, homography = _camera(rng, card, m, with_homography=True, **kw)
    quiet = w * 4 / 65  # quiet zone of 4 modules on each side of a ~57-module symbol
    pts = np.float32([[x + quiet, y + quiet], [x + w - quiet, y + quiet],
                      [x + w - quiet, y + h - quiet], [x + quiet, y + h - quiet]])
    proj = cv2.perspectiveTransform(pts[None], homography)[0]
    cx, cy = proj.mean(axis=0)
    side = float(np.mean([np.linalg.norm(proj[i] - proj[(i + 1) % 4]) for i in range(4)]))
    return frame, (float(cx), float(cy), side), proj


def glare(rng, card):
    """A specular reflection on the laminate: a saturated spot over 3-15 % of the symbol
    (more, or over a finder pattern, defeats every decoder: the operator tilts the card)
    and a bright halo around it."""
    m = _module_px(rng, 2.6, 4.0)
    frame, (cx, cy, side), quad = _qr_in_frame(rng, card, m)
    symbol = np.zeros(frame.shape[:2], np.uint8)
    cv2.fillConvexPoly(symbol, np.round(quad).astype(np.int32), 1)
    yy, xx = np.mgrid[0:frame.shape[0], 0:frame.shape[1]].astype(np.float32)
    for _ in range(100):
        gx = cx + rng.uniform(-0.3, 0.3) * side
        gy = cy + rng.uniform(-0.3, 0.3) * side
        core = float(rng.uniform(0.05, 0.11)) * side
        stretch = float(rng.uniform(1.0, 2.5))
        ang = float(rng.uniform(0, math.pi))
        u = (xx - gx) * math.cos(ang) + (yy - gy) * math.sin(ang)
        v = -(xx - gx) * math.sin(ang) + (yy - gy) * math.cos(ang)
        r = np.sqrt((u / stretch) ** 2 + v**2)
        light = 400 * np.exp(-((r / (core * 1.6)) ** 2)) + 60 * np.exp(-((r / (side * 0.6)) ** 2))
        # Share of the symbol where even a dark module turns white (lost to the decoder).
        lost = float(((light > 200) & (symbol > 0)).sum()) / max(1, int(symbol.sum()))
        if 0.03 <= lost <= 0.15:
            break
    out = np.clip(frame.astype(np.float32) + light[:, :, None], 0, 255).astype(np.uint8)
    return out, {"module_px": round(m, 2), "glare_share": round(lost, 3)}


def low_light(rng, card):
    m = _module_px(rng, 2.6, 4.0)
    gain = float(rng.uniform(0.12, 0.25))
    frame = _camera(rng, card, m).astype(np.float32) * gain
    frame = _sensor(rng, frame, float(rng.uniform(3, 6)))
    return frame, {"module_px": round(m, 2), "gain": round(gain, 2)}


def low_contrast(rng, card):
    m = _module_px(rng)
    span = float(rng.uniform(35, 70))
    base = float(rng.uniform(60, 255 - span - 20))
    frame = _camera(rng, card, m).astype(np.float32)
    frame = base + frame * (span / 255.0)
    return _sensor(rng, frame, 2.5), {"module_px": round(m, 2), "contrast_levels": round(span)}


def small(rng, card):
    m = _module_px(rng, 1.6, 2.2)
    return _camera(rng, card, m), {"module_px": round(m, 2)}


def occlusion(rng, card):
    """A thumb over part of the code, drawn on the card so it turns with it; the three
    finder patterns stay visible (a covered finder defeats every decoder)."""
    m = _module_px(rng, 2.6, 4.0)
    x, y, w, h = qr_quad(card)
    quiet = w * 4 / 65
    side = w - 2 * quiet
    cx, cy = x + w / 2, y + h / 2
    share = float(rng.uniform(0.06, 0.12))
    r = math.sqrt(2 * share * side * side / math.pi)  # half of the disc lies on the symbol
    if rng.integers(2) == 0:  # from the right edge, below the top-right finder
        ex, ey = cx + side / 2, cy + float(rng.uniform(0.0, 0.3)) * side
    else:  # from the bottom edge, right of the bottom-left finder
        ex, ey = cx + float(rng.uniform(0.0, 0.3)) * side, cy + side / 2
    skin = tuple(int(c) for c in (rng.uniform(90, 140), rng.uniform(120, 170),
                                  rng.uniform(170, 220)))
    thumbed = card.copy()
    cv2.ellipse(thumbed, (round(ex), round(ey)), (round(r * 1.3), round(r)),
                float(rng.uniform(0, 180)), 0, 360, skin, -1, cv2.LINE_AA)
    return _camera(rng, thumbed, m), {"module_px": round(m, 2), "covered_share": round(share, 3)}


def combined(rng, card):
    """What a station usually sees: some tilt, a little blur, noise, JPEG, a faint glare."""
    m = _module_px(rng, 2.6, 4.0)
    angle = float(rng.uniform(10, 30))
    frame = _camera(rng, card, m, tilt_x=angle * float(rng.uniform(-1, 1)),
                    tilt_y=angle * float(rng.uniform(-1, 1)), roll=float(rng.uniform(0, 360)))
    frame = cv2.GaussianBlur(frame, (0, 0), 0.3 * m)
    frame = _sensor(rng, frame, 8.0)
    return _jpeg(frame, int(rng.integers(40, 70))), {"module_px": round(m, 2),
                                                     "tilt_deg": round(angle, 1)}


CARD_KINDS: dict[str, Callable[..., tuple[np.ndarray, dict[str, Any]]]] = {
    "clean": clean, "perspective": perspective, "rotation": rotation, "defocus": defocus,
    "motion": motion, "noise": noise, "jpeg": jpeg, "glare": glare, "low_light": low_light,
    "low_contrast": low_contrast, "small": small, "occlusion": occlusion, "combined": combined,
}
"""Degradations of one card in a 1280×720 camera frame."""


def sheet_photo(rng: np.random.Generator, sheet: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """A phone photo (4000×3000, portrait) of a whole letter sheet of 8 cards."""
    size = (3000, 4000)
    ppm = float(rng.uniform(11.0, 14.0))  # the sheet's 279 mm over ~3100-3900 px
    tilt = float(rng.uniform(5, 20))
    axis = float(rng.uniform(0, 2 * math.pi))
    focal = size[0] / 2 / math.tan(math.radians(33))
    frame, _ = photograph(sheet, background(rng, size), px_per_mm=ppm,
                       tilt_x=tilt * math.cos(axis), tilt_y=tilt * math.sin(axis),
                       roll=float(rng.uniform(-8, 8)), focal=focal,
                       centre=(float(rng.uniform(0.47, 0.53)), float(rng.uniform(0.47, 0.53))))
    frame = cv2.GaussianBlur(frame, (0, 0), float(rng.uniform(0.5, 1.2)))
    frame = _jpeg(_sensor(rng, frame, float(rng.uniform(3, 8))), int(rng.integers(60, 85)))
    return frame, {"px_per_mm": round(ppm, 1), "tilt_deg": round(tilt, 1)}


def generate(out: Path, *, per_kind: int = 30, sheets: int = 12, seed: int = 5,
             kinds: tuple[str, ...] | None = None) -> Path:
    """Write the corpus to ``out`` and return the manifest's path."""
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="qr-render-"))
    key = fixed_key(work)
    cards = render_cards(work, key, 12)
    rng = np.random.default_rng(seed)
    entries = []
    for kind in kinds or tuple(CARD_KINDS):
        for i in range(per_kind):
            card = cards[i % len(cards)]
            frame, params = CARD_KINDS[kind](rng, card.pixels)
            name = f"{kind}-{i:03d}.png"
            cv2.imwrite(str(out / name), frame)
            entries.append({"file": name, "kind": kind, "params": params,
                            "expected": [card.text]})
    if kinds is None or "sheet" in kinds:
        for i, (page, texts) in enumerate(render_sheets(work, key, sheets)):
            frame, params = sheet_photo(rng, page)
            name = f"sheet-{i:03d}.jpg"
            cv2.imwrite(str(out / name), frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
            entries.append({"file": name, "kind": "sheet", "params": params, "expected": texts})
    manifest = out / "manifest.json"
    manifest.write_text(json.dumps(entries, ensure_ascii=False, indent=1), "utf-8")
    return manifest


def load(manifest: Path) -> Iterator[tuple[dict[str, Any], np.ndarray]]:
    """Each manifest entry with its image (BGR)."""
    entries = json.loads(manifest.read_text("utf-8"))
    for entry in entries:
        yield entry, cv2.imread(str(manifest.parent / entry["file"]), cv2.IMREAD_COLOR)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="Folder for the corpus (default: a new temporary folder).")
    parser.add_argument("--per-kind", type=int, default=30)
    parser.add_argument("--sheets", type=int, default=12)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="qr-corpus-"))
    manifest = generate(out, per_kind=args.per_kind, sheets=args.sheets, seed=args.seed)
    print(manifest)


if __name__ == "__main__":
    main()

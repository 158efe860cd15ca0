"""Which QR reads best on photos of the project's own cards: ECC level, payload size, encoder.

Real cards (``make_qr_corpus.render_cards``: the station's renderer, real signed texts, 300 dpi)
get each candidate symbol drawn into the template's QR box (23 mm, quiet zone 4 modules), then
every candidate card is photographed under *the same* degradation (same seed: same distance,
angle, blur, glare...), so the candidates differ only in their symbol. Degradations: those of
``make_qr_corpus`` (perspective, rotation, defocus, motion blur, noise, JPEG, glare, low light,
low contrast, small, occlusion, combined) plus ``scale`` (the whole card 200-640 px wide in the
frame) and ``crumple`` (a crumpled, creased card: smooth warp and shading).

Candidates: error correction L / M / Q / H (zxing-cpp's writer), Q by the ``qrcode`` library
(the encoder before issue 17: do both encoders read the same?), and Q with a payload 26
characters shorter (what dropping the COSE framing bytes would give; hypothetical).

Reading is the station's (:func:`station.camera.qr_reader.read_qr_texts`, live mode: passes in
order until one reads), so the share read by the plain pass alone, by plain + deblur, ... comes
from the same run. Module size is reported per photo (pixels per module in the frame), since
the goal is ">= 95 % of photos whose modules are >= 1.5 px". Then decode + verify time per
1280×720 frame, with a card and without any code (every pass runs and reads nothing).

    PYTHONPATH=. .venv/bin/python bench/bench_qr_robustness.py [--per-kind 20] [--seed 14]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_qr_corpus as corpus
from _machine import cpu_model
from _qr_symbols import legacy_symbol, zxing_symbol

from foundation.card_templates import load_template
from foundation.credential.trust import TrustList
from foundation.credential.verify import verify_qr_text
from foundation.qr_draw import QrSymbol
from station.camera import qr_reader
from station.camera.qr_passes import PASSES, PASSES_BEFORE, Pass
from station.camera.qr_reader import LiveQrReader, read_qr_texts

CARD_W_MM = 85.6
NOMINAL_MODULE_MM = 0.354  # make_qr_corpus's module_px assumes this module size


def machine() -> str:
    return (f"{platform.platform()} | {cpu_model()} | {os.cpu_count()} CPUs | Python "
            f"{platform.python_version()} | OpenCV {cv2.__version__} | zxing-cpp "
            f"{version('zxing-cpp')}")


# --- candidates -----------------------------------------------------------------------------

Candidate = tuple[Callable[[str], QrSymbol], Callable[[str], str]]
"""(symbol maker, the text the QR carries for a card's real text)."""

CANDIDATES: dict[str, Candidate] = {
    "Q (now)": (lambda t: zxing_symbol(t, "Q"), lambda t: t),
    "Q, qrcode encoder (before)": (lambda t: legacy_symbol(t, "Q"), lambda t: t),
    "L": (lambda t: zxing_symbol(t, "L"), lambda t: t),
    "M": (lambda t: zxing_symbol(t, "M"), lambda t: t),
    "H": (lambda t: zxing_symbol(t, "H"), lambda t: t),
    "Q, payload -26 chars": (lambda t: zxing_symbol(t[:-26], "Q"), lambda t: t[:-26]),
}


def paste(card: np.ndarray, sym: QrSymbol) -> tuple[np.ndarray, float]:
    """``card`` (300 dpi) with ``sym`` drawn into the template's QR box as the renderer does;
    and the module size in mm."""
    t = load_template()
    quiet = t.qr.quiet_zone_modules
    x, y, w, h = corpus.qr_quad(card)
    n = len(sym.modules) + 2 * quiet
    grid = np.full((n, n), 255, np.uint8)
    grid[quiet:n - quiet, quiet:n - quiet] = np.where(np.array(sym.modules), 0, 255)
    fine = cv2.resize(grid, (n * 16, n * 16), interpolation=cv2.INTER_NEAREST)
    side = min(w, h)
    box = cv2.resize(fine, (side, side), interpolation=cv2.INTER_AREA)
    out = card.copy()
    out[y:y + side, x:x + side] = box[:, :, None]
    return out, min(t.qr.box.w, t.qr.box.h) / n


# --- two more degradations --------------------------------------------------------------------

def scale(rng: np.random.Generator, card: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """The card small in the frame: 200-640 px wide (a card held at arm's length)."""
    width_px = float(rng.uniform(200, 640))
    m = width_px / CARD_W_MM * NOMINAL_MODULE_MM
    return corpus._camera(rng, card, m), {"module_px": round(m, 2), "card_px": round(width_px)}


def crumple(rng: np.random.Generator, card: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """A crumpled card smoothed out again: a low-frequency warp of 0.2-0.7 mm, a fold
    crease, and the light falling unevenly on the bumps."""
    m = corpus._module_px(rng, 2.4, 4.0)
    h, w = card.shape[:2]
    amp = float(rng.uniform(3, 9))  # px at 300 dpi: 0.25-0.75 mm
    fields = []
    for _ in range(3):
        coarse = rng.normal(0, 1, (int(rng.integers(3, 6)), int(rng.integers(4, 8))))
        fields.append(cv2.resize(coarse.astype(np.float32), (w, h),
                                 interpolation=cv2.INTER_CUBIC))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = float(rng.uniform(0, math.pi))
    dist = (xx - w / 2) * math.cos(ang) + (yy - h / 2) * math.sin(ang) - float(
        rng.uniform(-0.3, 0.3)) * w
    crease = np.abs(dist) / w  # a fold: the surface kinks along a line
    height = fields[2] + 3.0 * crease
    gy, gx = np.gradient(height)
    light = float(rng.uniform(0, 2 * math.pi))
    shade = 1.0 + 60.0 * (gx * math.cos(light) + gy * math.sin(light))
    shade = np.clip(shade, 0.6, 1.25)
    warped = cv2.remap(card, xx + amp * fields[0], yy + amp * fields[1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    warped = np.clip(warped.astype(np.float32) * shade[:, :, None], 0, 255).astype(np.uint8)
    return corpus._camera(rng, warped, m), {"module_px": round(m, 2),
                                            "warp_modules": round(amp / 4.18, 2)}


KINDS = {**corpus.CARD_KINDS, "scale": scale, "crumple": crumple}


# --- the measurement --------------------------------------------------------------------------

def _bucket(px: float) -> str:
    for top, label in ((1.0, "< 1.0"), (1.5, "1.0-1.5"), (2.0, "1.5-2.0"), (2.5, "2.0-2.5"),
                       (3.0, "2.5-3.0")):
        if px < top:
            return label
    return ">= 3.0"


BUCKETS = ("< 1.0", "1.0-1.5", "1.5-2.0", "2.0-2.5", "2.5-3.0", ">= 3.0")


def read_with(passes: tuple[Pass, ...], grey: np.ndarray) -> list[Any]:
    """The station's live read with another set of passes (the reader's module global)."""
    saved = qr_reader.PASSES
    qr_reader.PASSES = passes
    try:
        return read_qr_texts(grey, live=True)
    finally:
        qr_reader.PASSES = saved


def measure(per_kind: int, seed: int, n_cards: int) -> tuple[list[dict[str, Any]], list[Any]]:
    work = Path(tempfile.mkdtemp(prefix="qr-robust-"))
    key = corpus.fixed_key(work)
    cards = corpus.render_cards(work, key, n_cards)
    variants: dict[str, list[tuple[np.ndarray, str, int, float]]] = {}
    for name, (make, carried) in CANDIDATES.items():
        rows = []
        for c in cards:
            text = carried(c.text)
            sym = make(c.text)
            img, module_mm = paste(c.pixels, sym)
            rows.append((img, text, sym.version, module_mm))
        variants[name] = rows
    records = []
    frames = []
    for k, (kind, degrade) in enumerate(KINDS.items()):
        for i in range(per_kind):
            card_index = i % len(cards)
            for name, rows in variants.items():
                img, text, ver, module_mm = rows[card_index]
                rng = np.random.default_rng([seed, k, i])  # same degradation for every variant
                frame, params = degrade(rng, img)
                grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
                found = read_qr_texts(grey, live=True)
                texts = {q.text for q in found}
                module_px = params["module_px"] * module_mm / NOMINAL_MODULE_MM
                records.append({"variant": name, "kind": kind, "version": ver,
                                "chars": len(text), "module_px": module_px,
                                "read": text in texts, "wrong": len(texts - {text}),
                                "pass": found[0].found_by if text in texts else None})
                if name == "Q (now)":
                    before = {q.text for q in read_with(PASSES_BEFORE, grey)}
                    records[-1]["read_before"] = text in before
                    records[-1]["wrong"] += len(before - {text})
                    if len(frames) < 400:
                        frames.append((grey, key))
    return records, frames


def _rate(rows: list[dict[str, Any]], ok: Callable[[dict[str, Any]], bool] = lambda r: r["read"]
          ) -> str:
    if not rows:
        return "-"
    n = sum(1 for r in rows if ok(r))
    return f"{100 * n / len(rows):.1f} % ({n}/{len(rows)})"


def report(records: list[dict[str, Any]]) -> None:
    by_variant: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_variant[r["variant"]].append(r)
    pass_names = [p.name for p in PASSES]
    print("\n### Read rate per candidate (all passes), and the goal's subset\n")
    print("| candidate | version | modules ≥ 1.5 px: read | all photos | plain pass only | "
          "wrong texts |")
    print("|---|---|---|---|---|---|")
    for name, rows in by_variant.items():
        versions = sorted({r["version"] for r in rows})
        big = [r for r in rows if r["module_px"] >= 1.5]
        print(f"| {name} | {versions[0]}-{versions[-1]} | {_rate(big)} | {_rate(rows)} | "
              f"{_rate(rows, lambda r: r['pass'] == 'plain')} | "
              f"{sum(r['wrong'] for r in rows)} |")
    print("\n### Read rate by module size in the frame (pixels per module)\n")
    print("| candidate | " + " | ".join(BUCKETS) + " |")
    print("|---|" + "---|" * len(BUCKETS))
    for name, rows in by_variant.items():
        cells = [_rate([r for r in rows if _bucket(r["module_px"]) == b]) for b in BUCKETS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\n### Read rate by degradation, modules ≥ 1.5 px\n")
    names = list(by_variant)
    print("| degradation | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for kind in KINDS:
        cells = [_rate([r for r in by_variant[n] if r["kind"] == kind and r["module_px"] >= 1.5])
                 for n in names]
        print(f"| {kind} | " + " | ".join(cells) + " |")
    print("\n### Cumulative read rate by the reader's passes (in order), modules ≥ 1.5 px\n")
    print("| candidate | " + " | ".join("+".join(pass_names[:i + 1])
                                        for i in range(len(pass_names))) + " |")
    print("|---|" + "---|" * len(pass_names))
    for name, rows in by_variant.items():
        big = [r for r in rows if r["module_px"] >= 1.5]
        cells = [_rate(big, lambda r, ok=set(pass_names[:i + 1]): r["pass"] in ok)
                 for i in range(len(pass_names))]
        print(f"| {name} | " + " | ".join(cells) + " |")
    q_big = [r for r in by_variant.get("Q (now)", []) if r["module_px"] >= 1.5]
    if q_big:
        print(f"\nreader passes on the Q (now) photos with modules >= 1.5 px: before issue 17 "
              f"{_rate(q_big, lambda r: r['read_before'])}, now {_rate(q_big)}")
    q, old = by_variant.get("Q (now)", []), by_variant.get("Q, qrcode encoder (before)", [])
    if q and old:
        only_new = sum(1 for a, b in zip(q, old, strict=True) if a["read"] and not b["read"])
        only_old = sum(1 for a, b in zip(q, old, strict=True) if b["read"] and not a["read"])
        print(f"\nencoders on the same photos: zxing-cpp read and qrcode missed {only_new}; "
              f"qrcode read and zxing-cpp missed {only_old} (of {len(q)})")


def timing(frames: list[tuple[np.ndarray, Any]], runs: int) -> None:
    """ms per 1280×720 frame: decode (every pass until one reads) + verify what was read, with
    the passes of now and of before, alternating frame by frame; wall time and the process's
    CPU time (on a busy machine the wall time mostly measures the other processes)."""
    key = frames[0][1]
    trust = TrustList()
    trust.add(key.public_bytes(), station_id="EST-BENCH", school="14DPR9901D",
              valid_from=date(2026, 1, 1))
    rng = np.random.default_rng(1)
    empty = [cv2.cvtColor(corpus.background(rng, corpus.FRAME), cv2.COLOR_BGR2GRAY)
             for _ in range(30)]
    with_card = [g for g, _ in frames[:: max(1, len(frames) // 100)]]

    def decode_verify(passes: tuple[Pass, ...]) -> Callable[[np.ndarray], None]:
        def run(grey: np.ndarray) -> None:
            for qr in read_with(passes, grey):
                verify_qr_text(qr.text, trust=trust, today=date(2026, 12, 2))
        return run

    live = LiveQrReader()

    def live_verify(grey: np.ndarray) -> None:
        for qr in live.read(grey):
            verify_qr_text(qr.text, trust=trust, today=date(2026, 12, 2))

    readers = {"every pass until one reads, passes now": decode_verify(PASSES),
               "every pass until one reads, passes before": decode_verify(PASSES_BEFORE),
               "live reader (plain + 1 rescue pass), now": live_verify}
    results: dict[str, dict[str, list[tuple[float, float]]]] = {
        n: {"card": [], "empty": []} for n in readers}
    for group_name, group in (("card", with_card), ("empty", empty)):
        for g in group:
            for name, fn in readers.items():  # interleaved: every reader sees the same load
                wall, cpu = [], []
                for _ in range(runs):
                    w0, c0 = time.perf_counter(), time.process_time()
                    fn(g)
                    wall.append((time.perf_counter() - w0) * 1000)
                    cpu.append((time.process_time() - c0) * 1000)
                results[name][group_name].append((statistics.median(wall),
                                                  statistics.median(cpu)))
    print(f"\n### ms per 1280×720 frame, decode + verify, median of {runs} runs per frame "
          f"({len(with_card)} frames with a card, {len(empty)} without); load "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| reader | with a card: wall median / p90 | CPU median / p90 | no code: wall median "
          "/ p90 / max | CPU median / p90 / max |")
    print("|---|---|---|---|---|")
    for name, groups in results.items():
        cw, cc = (np.array([t[i] for t in groups["card"]]) for i in (0, 1))
        ew, ec = (np.array([t[i] for t in groups["empty"]]) for i in (0, 1))
        print(f"| {name} | {np.median(cw):.1f} / {np.percentile(cw, 90):.1f} | "
              f"{np.median(cc):.1f} / {np.percentile(cc, 90):.1f} | "
              f"{np.median(ew):.1f} / {np.percentile(ew, 90):.1f} / {ew.max():.1f} | "
              f"{np.median(ec):.1f} / {np.percentile(ec, 90):.1f} / {ec.max():.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--cards", type=int, default=6)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    print(f"load before: {os.getloadavg()[0]:.1f}")
    t0 = time.perf_counter()
    records, frames = measure(args.per_kind, args.seed, args.cards)
    print(f"{len(records)} photos ({len(KINDS)} degradations × {args.per_kind} × "
          f"{len(CANDIDATES)} candidates) in {time.perf_counter() - t0:.0f} s")
    report(records)
    timing(frames, args.runs)


if __name__ == "__main__":
    main()

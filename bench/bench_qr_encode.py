"""The card's QR encoder: ms per symbol and per 8-card sheet, today's beside the one before.

Encoders, on the same real signed card texts (names of 9 to 40 letters, versions 9-12 at Q):

- ``qrcode`` with its best-mask search (the encoder before issue 17);
- ``qrcode`` with a fixed mask (no search);
- ``segno`` (pure Python; only when importable, it is not a dependency:
  ``pip install --target /tmp/segno segno`` and ``PYTHONPATH=/tmp/segno``);
- zxing-cpp's writer (C++, the station's reader library): the encoder now.

Each run encodes every text once, uncached; the median of ``--runs`` runs is reported, with the
ratio to ``qrcode``. Then one sheet of 8 cards is rendered cold (photo and QR caches empty),
alternating the two encoders run after run so both see the same machine load. The symbols are
compared too: same version, and same modules where the masks agree.

    PYTHONPATH=. .venv/bin/python bench/bench_qr_encode.py [--runs 9] [--sheet-runs 9]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_sheet
import make_qr_corpus as corpus
from _machine import cpu_model
from _qr_symbols import legacy_symbol, segno_symbol, zxing_symbol

from foundation import qr_draw
from foundation.credential.card import CredentialClaims
from foundation.credential.sign import issue_qr_text
from foundation.qr_draw import QrSymbol
from station.core.model import SheetFace
from station.printer import card as card_mod
from station.printer.sheet import render_sheets_pdf


def machine() -> str:
    return (f"{platform.platform()} | {cpu_model()} | {os.cpu_count()} CPUs | Python "
            f"{platform.python_version()} | qrcode {version('qrcode')} | zxing-cpp "
            f"{version('zxing-cpp')}")


def card_texts(n: int) -> list[str]:
    key = corpus.fixed_key(Path(tempfile.mkdtemp(prefix="qr-enc-")))
    names = [*corpus.NAMES, "Ñ" * 40]
    return [issue_qr_text(CredentialClaims(1_000_000 + 7919 * i, names[i % len(names)],
                                           corpus.SCHOOLS[i % 2].cct, date(2026, 9, 1)), key)
            for i in range(n)]


def per_symbol_ms(make: Callable[[str], object], texts: list[str], runs: int
                  ) -> tuple[list[float], list[float]]:
    """Wall and CPU ms per symbol, one value per run."""
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        for t in texts:
            make(t)
        wall.append((time.perf_counter() - t0) * 1000 / len(texts))
        cpu.append((time.process_time() - c0) * 1000 / len(texts))
    return wall, cpu


def compare(texts: list[str]) -> str:
    same_version = same_modules = 0
    for t in texts:
        new, old = zxing_symbol(t), legacy_symbol(t)
        same_version += new.version == old.version
        same_modules += new.modules == old.modules
    return (f"same version as qrcode: {same_version}/{len(texts)}; identical modules (same "
            f"mask chosen): {same_modules}/{len(texts)}")


def sheet_runs(runs: int) -> dict[str, list[float]]:
    """Cold 8-card sheet renders, the two encoders alternating run by run."""
    work = Path(tempfile.mkdtemp(prefix="qr-sheet-"))
    photos = bench_sheet.make_photos(work, 8)
    # Real signed texts (the sheet bench's random Base45 is as long but not a card's text).
    texts = card_texts(8 * (runs + 1))
    encoders: dict[str, Callable[[str], QrSymbol]] = {
        "qrcode (before)": lru_cache(maxsize=256)(legacy_symbol),
        "zxing-cpp (now)": qr_draw.qr_symbol,
    }
    times: dict[str, list[float]] = {name: [] for name in encoders}
    cpu: dict[str, list[float]] = {name: [] for name in encoders}
    template, layout = bench_sheet.load_card_template(), bench_sheet.load_sheet_layout()
    for run in range(runs):
        sheet = bench_sheet.make_sheets(photos, 1)[0]
        faces = [f.__class__(f.folio, f.name, f.school, f.photo, texts[8 * run + i])
                 for i, f in enumerate(sheet.cards.values())]
        sheet = SheetFace(sheet.sheet_id, dict(enumerate(faces)))
        order = list(encoders.items()) if run % 2 == 0 else list(encoders.items())[::-1]
        for name, encode in order:
            bench_sheet.cold()
            encode.cache_clear()  # type: ignore[attr-defined]
            card_mod.qr_symbol = encode  # what the card renderer calls
            t0, c0 = time.perf_counter(), time.process_time()
            render_sheets_pdf(work / "s.pdf", [sheet], template=template, layout=layout,
                              calibration=bench_sheet.Calibration())
            times[name].append((time.perf_counter() - t0) * 1000)
            cpu[name].append((time.process_time() - c0) * 1000)
    card_mod.qr_symbol = qr_draw.qr_symbol
    return {**{f"{n}, wall": v for n, v in times.items()},
            **{f"{n}, CPU": v for n, v in cpu.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=40)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sheet-runs", type=int, default=9)
    args = parser.parse_args()
    print(machine())
    print(f"load before: {os.getloadavg()[0]:.1f}")
    texts = card_texts(args.texts)
    print(f"{len(texts)} card texts, {min(map(len, texts))}-{max(map(len, texts))} characters; "
          + compare(texts))
    encoders: dict[str, Callable[[str], object]] = {
        "qrcode, best mask (before)": legacy_symbol,
        "qrcode, fixed mask 5": lambda t: legacy_symbol(t, mask=5),
    }
    if segno_symbol("A") is not None:
        encoders["segno 1.6 (pure Python)"] = segno_symbol
    encoders["zxing-cpp writer (now)"] = zxing_symbol
    print(f"\nms per QR symbol, median of {args.runs} runs over {len(texts)} texts\n")
    print("| encoder | wall ms per QR (median) | min | max | CPU ms per QR (median) | "
          "speed-up vs qrcode (CPU) |")
    print("|---|---|---|---|---|---|")
    base = None
    for name, make in encoders.items():
        ms, cpu = per_symbol_ms(make, texts, args.runs)
        med, cpu_med = statistics.median(ms), statistics.median(cpu)
        base = base or cpu_med
        print(f"| {name} | {med:.2f} | {min(ms):.2f} | {max(ms):.2f} | {cpu_med:.2f} | "
              f"{base / cpu_med:.1f}× |")
    times = sheet_runs(args.sheet_runs)
    print(f"\none 8-card sheet, cold caches, median of {args.sheet_runs} paired runs\n")
    print("| encoder | ms per sheet (median) | min | max |")
    print("|---|---|---|---|")
    for name, ms in times.items():
        print(f"| {name} | {statistics.median(ms):.0f} | {min(ms):.0f} | {max(ms):.0f} |")
    for kind in ("wall", "CPU"):
        before, now = (v for k, v in times.items() if k.endswith(kind))
        ratios = [a / b for a, b in zip(before, now, strict=True)]
        print(f"\nsheet, {kind}: {statistics.median(before) / statistics.median(now):.2f}× "
              f"faster (median of paired ratios {statistics.median(ratios):.2f}×)")
    print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

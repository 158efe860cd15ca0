"""QR decode rate and speed on degraded photos of the station's own cards: zxing-cpp vs pyzbar.

The corpus comes from ``bench/make_qr_corpus.py`` (generated into a temporary folder unless
``--corpus`` names a manifest). Four readers, side by side on the same images:

- ``zxing-cpp``: one plain ``zxingcpp.read_barcodes`` call (the reader before issue 5);
- ``pyzbar``: one plain ``pyzbar.decode`` call (ZBar 0.23, Debian's libzbar0);
- ``pyzbar+passes``: pyzbar after the same image passes the station uses;
- ``station``: :func:`station.camera.qr_reader.read_qr_texts` (zxing-cpp + passes, tiles).

A read counts when the expected text comes back; any other text is counted as *wrong*.
Speed is per 1280×720 frame (median of ``--runs`` runs per frame), for frames with a card and
for frames without any code (the usual case while the loop waits), including the live reader
(:class:`~station.camera.qr_reader.LiveQrReader`: plain pass + one rescue pass per frame).

    .venv/bin/python bench/bench_qr_decode.py [--corpus DIR/manifest.json] [--per-kind 100]

pyzbar is needed only here: ``.venv/bin/pip install pyzbar`` (it loads Debian's libzbar0).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from _machine import cpu_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_qr_corpus as corpus

from station.camera.qr_passes import PASSES
from station.camera.qr_reader import LiveQrReader, read_qr_texts

try:
    from pyzbar import pyzbar
except ImportError:  # pragma: no cover - reported in the output
    pyzbar = None

Reader = Callable[[np.ndarray, bool], set[str]]


def machine() -> str:
    cpu = cpu_model()
    zbar = "pyzbar 0.1.9 + libzbar0" if pyzbar else "pyzbar not installed"
    return (f"{platform.system()} {platform.release()} {platform.machine()}, {cpu}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"OpenCV {cv2.__version__}, zxing-cpp {version('zxing-cpp')}, {zbar}, "
            f"load {os.getloadavg()[0]:.1f}")


def _zxing(grey: np.ndarray, _still: bool) -> set[str]:
    return {r.text for r in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)}


def _zbar_once(grey: np.ndarray) -> set[str]:
    symbols = [pyzbar.ZBarSymbol.QRCODE]
    return {r.data.decode("latin-1") for r in pyzbar.decode(grey, symbols=symbols)}


def _zbar(grey: np.ndarray, _still: bool) -> set[str]:
    return _zbar_once(grey)


def _zbar_passes(grey: np.ndarray, still: bool) -> set[str]:
    found: set[str] = set()
    for how in PASSES:
        if how.fits(grey):
            found |= _zbar_once(how.apply(grey))
            if found and not still:
                break
    return found


def _station(grey: np.ndarray, still: bool) -> set[str]:
    return {qr.text for qr in read_qr_texts(grey, live=not still)}


def readers() -> dict[str, Reader]:
    out: dict[str, Reader] = {"zxing-cpp": _zxing}
    if pyzbar is not None:
        out |= {"pyzbar": _zbar, "pyzbar+passes": _zbar_passes}
    out["station"] = _station
    return out


def decode_rates(manifest: Path) -> tuple[dict[str, dict[str, list[int]]], list[np.ndarray]]:
    """Per kind and reader: [read, expected, wrong]; and the 1280×720 frames for timing."""
    rates: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    frames = []
    all_readers = readers()
    for entry, image in corpus.load(manifest):
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        still = entry["kind"] == "sheet"
        if not still:
            frames.append(grey)
        expected = set(entry["expected"])
        for name, read in all_readers.items():
            got = read(grey, still)
            row = rates[entry["kind"]][name]
            row[0] += len(expected & got)
            row[1] += len(expected)
            row[2] += len(got - expected)
    return rates, frames


def per_frame_ms(read: Callable[[np.ndarray], object], frames: list[np.ndarray],
                 runs: int) -> list[float]:
    """Median over ``runs`` of each frame's decode time, in ms."""
    out = []
    for grey in frames:
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            read(grey)
            times.append((time.perf_counter() - t0) * 1000)
        out.append(statistics.median(times))
    return out


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.1f} %)" if b else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="manifest.json of an existing corpus")
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument("--sheets", type=int, default=12)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timing-frames", type=int, default=200)
    args = parser.parse_args()
    print(machine())
    manifest = args.corpus
    if manifest is None:
        out = Path(tempfile.mkdtemp(prefix="qr-corpus-"))
        t0 = time.perf_counter()
        manifest = corpus.generate(out, per_kind=args.per_kind, sheets=args.sheets,
                                   seed=args.seed)
        print(f"corpus: {manifest} (generated in {time.perf_counter() - t0:.0f} s, "
              f"seed {args.seed})")
    rates, frames = decode_rates(manifest)
    names = list(readers())
    print("\n| degradation | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    totals = {n: [0, 0, 0] for n in names}
    for kind, row in rates.items():
        cells = []
        for n in names:
            read, expected, wrong = row[n]
            totals[n] = [t + v for t, v in zip(totals[n], row[n], strict=True)]
            cells.append(_pct(read, expected) + (f", **{wrong} wrong**" if wrong else ""))
        print(f"| {kind} | " + " | ".join(cells) + " |")
    print("| **all** | " + " | ".join(
        _pct(t[0], t[1]) + f", {t[2]} wrong" for t in totals.values()) + " |")

    rng = np.random.default_rng(1)
    sample = frames[:: max(1, len(frames) // args.timing_frames)]
    empty = [cv2.cvtColor(corpus.background(rng, corpus.FRAME), cv2.COLOR_BGR2GRAY)
             for _ in range(30)]
    live = LiveQrReader()
    timed: dict[str, Callable[[np.ndarray], object]] = {
        "zxing-cpp (plain)": lambda g: _zxing(g, False),
        "station live reader (plain + 1 rescue pass)": live.read,
        "station, every pass until one reads": lambda g: read_qr_texts(g, live=True),
    }
    if pyzbar is not None:
        timed["pyzbar (plain)"] = _zbar_once
        timed["pyzbar+passes, until one reads"] = lambda g: _zbar_passes(g, False)
    print(f"\nms per 1280×720 frame, median of {args.runs} runs per frame "
          f"({len(sample)} frames with a card, {len(empty)} without)\n")
    print("| reader | with a card: median | p90 | max | no code: median | max |")
    print("|---|---|---|---|---|---|")
    base = None
    for name, read in timed.items():
        with_card = per_frame_ms(read, sample, args.runs)
        without = per_frame_ms(read, empty, args.runs)
        med = statistics.median(with_card)
        base = base or med
        print(f"| {name} | {med:.1f} ({med / base:.1f}×) | "
              f"{np.percentile(with_card, 90):.1f} | {max(with_card):.1f} | "
              f"{statistics.median(without):.1f} | {max(without):.1f} |")


if __name__ == "__main__":
    main()

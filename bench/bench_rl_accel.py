"""One 8-card sheet with reportlab's C accelerator (the rl-accel wheel) vs without it.

reportlab 4.x moved its C helpers (``fp_str``, ``escapePDF``, string widths…) to the separate
``rl-accel`` package; without it every number written to a PDF goes through a pure-Python
float formatter. Each run is its own process, the two kinds alternating (paired runs); the
"without" process hides the extension (``sys.modules["_rl_accel"] = None``) before reportlab
loads, so everything else is equal. Each process renders cold sheets (photo and QR caches
emptied before each sheet, as for a batch nobody printed before) from the same synthetic
photos and prints the median seconds per sheet, of processor time (what the accelerator
saves, and much less disturbed than the wall clock by other work on a shared machine).

Run: .venv/bin/python bench/bench_rl_accel.py [--runs 5] [--sheets 8]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORKER = """
import json, statistics, sys, time
from pathlib import Path
if sys.argv[1] == "off":
    sys.modules["_rl_accel"] = None
sys.path.insert(0, sys.argv[4])
from reportlab.lib import rl_accel
import bench_sheet as b
from foundation.card_templates import load_sheet_layout
from station.core.model import Calibration
work, sheets = Path(sys.argv[2]), int(sys.argv[3])
photos = sorted(work.glob("foto-*.jpg"))
faces = b.make_sheets(photos, sheets)
template, layout = b.load_card_template(), load_sheet_layout()
times = []
for i, face in enumerate(faces):
    b.cold()
    t = time.process_time()
    b.render_sheets_pdf(work / f"s-{sys.argv[1]}-{i}.pdf", [face], template=template,
                        layout=layout, calibration=Calibration())
    times.append(time.process_time() - t)
print(json.dumps({"s": statistics.median(times[1:]), "accel": sorted(rl_accel._c_funcs)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sheets", type=int, default=8)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    from _machine import cpu_model
    from bench_sheet import make_photos

    print(f"machine: {cpu_model()}, {os.cpu_count()} cpus; load at start {os.getloadavg()}",
          flush=True)
    results: dict[str, list[float]] = {"on": [], "off": []}
    with tempfile.TemporaryDirectory(prefix="bench-rl-accel-") as tmp:
        make_photos(Path(tmp), 16)
        for run in range(args.runs):
            for kind in (("on", "off") if run % 2 == 0 else ("off", "on")):
                out = subprocess.run([sys.executable, "-c", WORKER, kind, tmp, str(args.sheets),
                                      str(ROOT / "bench")], capture_output=True, text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
                answer = json.loads(out.stdout.strip().splitlines()[-1])
                assert bool(answer["accel"]) == (kind == "on"), answer
                results[kind].append(answer["s"])
                print(f"  run {run} accelerator {kind:3s}: {answer['s'] * 1000:6.0f} ms CPU/sheet "
                      f"(load {os.getloadavg()[0]:.2f})", flush=True)
    on, off = statistics.median(results["on"]), statistics.median(results["off"])
    print(f"\nload at end {os.getloadavg()}")
    print(f"ms of CPU per sheet, median of {args.runs} paired runs: with rl_accel {on * 1000:.0f}, "
          f"without {off * 1000:.0f}, ratio {off / on:.2f}x")


if __name__ == "__main__":
    main()

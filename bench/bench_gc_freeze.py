"""Central's garbage collector during pushes: the started app's objects frozen
(``gc.freeze()`` in the app's lifespan, ``central/api/app.py``) beside the default.

Each run is a fresh process that builds central's app (~190,000 long-lived objects: modules,
models, routes), then does a push's Python allocation 30 times: parse a 500-event batch
(``EventBatch``, one ``sheet_issued`` with 8 cards, ``sheet_sent``, ``sheet_confirmed`` per
sheet), make the ingest's events, payload texts and card rows. Reported: the collector's CPU
time (``gc.callbacks``) and the mean CPU time per batch; runs alternate the two modes.

Run: .venv/bin/python bench/bench_gc_freeze.py [--runs 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(mode: str) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ["CENTRAL_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-gc-")
    from bench_central_ingest import TOKEN, events

    os.environ["CENTRAL_ADMIN_TOKEN"] = TOKEN
    from central.api.app import create_app
    from central.crud.events import Event
    from foundation.contract.events import EventBatch

    app = create_app()
    body = json.dumps({"events": events(500, "ab" * 8)})
    gc.collect()
    if mode == "frozen":
        gc.freeze()
    spent = [0.0, 0.0]

    def watch(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            spent[1] = time.process_time()
        else:
            spent[0] += time.process_time() - spent[1]

    gc.callbacks.append(watch)
    t0 = time.process_time()
    for _ in range(30):
        batch = EventBatch.model_validate_json(body)
        pushed = [Event.pushed(e) for e in batch.events]
        texts = [e.payload_text() for e in pushed]
        rows = [{"curp": c.curp, "folio": c.folio} for e in pushed
                if e.kind == "sheet_issued" for c in e.payload.cards]  # type: ignore[attr-defined]
        del batch, pushed, texts, rows
    total = time.process_time() - t0
    del app
    print(json.dumps({"gc_ms": spent[0] * 1000, "batch_ms": total / 30 * 1000}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=["default", "frozen"])
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print(f"load average before: {os.getloadavg()}")
    out: dict[str, list[dict[str, float]]] = {"default": [], "frozen": []}
    for _ in range(args.runs):
        for mode in out:
            run = subprocess.run([sys.executable, __file__, "--child", mode], check=True,
                                 capture_output=True, text=True, timeout=600)
            out[mode].append(json.loads(run.stdout.strip().splitlines()[-1]))
    for mode, runs in out.items():
        print(f"{mode:8s} collector {statistics.median(r['gc_ms'] for r in runs):6.0f} ms per "
              f"30 batches   CPU {statistics.median(r['batch_ms'] for r in runs):5.1f} ms per "
              f"batch   (median of {args.runs} runs)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

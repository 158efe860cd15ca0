"""What typing the station–central contract costs central: parsing a pushed batch.

Central parses every pushed batch into the typed events (``foundation.contract.events``: one
model per kind, a union on ``kind``, bounded fields). The obvious alternative is what central
did before: check the envelope and take the payload as an untyped ``dict``. Same batches (the
ingest benchmark's: per sheet one ``sheet_issued`` with 8 cards, one ``sheet_sent``, one
``sheet_confirmed``), same process, alternating; CPU time per event (``time.process_time``,
so a busy machine inflates it less than wall time), median of several runs.

Run: .venv/bin/python bench/bench_contract_parse.py [--batch 500] [--runs 40]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_central_ingest import events, machine  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402

from foundation.contract.events import EventBatch  # noqa: E402


class _UntypedEvent(BaseModel):
    """The envelope-only check central used before the contract was typed."""

    model_config = ConfigDict(extra="forbid", strict=True)
    seq: int = Field(ge=1)
    prev_seq: int = Field(ge=0)
    at: str = Field(max_length=40)
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    payload: dict[str, Any]


class _UntypedBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    events: list[_UntypedEvent] = Field(max_length=2000)


def per_event_us(parse: Callable[[Any], object], data: Any, size: int, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        parse(data)
        times.append(time.process_time() - start)
    return statistics.median(times) * 1e6 / size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    data = json.loads(json.dumps({"events": events(args.batch, "ab" * 8)}))
    typed, untyped = [], []
    for _ in range(3):  # alternate, so both see the same machine
        typed.append(per_event_us(EventBatch.model_validate, data, args.batch, args.runs))
        untyped.append(per_event_us(_UntypedBatch.model_validate, data, args.batch, args.runs))
    t, u = statistics.median(typed), statistics.median(untyped)
    print(f"machine: {machine()}")
    print(f"typed events   {t:6.1f} µs/event")
    print(f"untyped dicts  {u:6.1f} µs/event   typed costs {t - u:.1f} µs/event more "
          f"({t / u:.1f}x) — batches of {args.batch}, median of 3 × {args.runs} runs")


if __name__ == "__main__":
    main()

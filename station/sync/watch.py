"""``station sync --watch``: sync every interval; after a failure, back off (tenacity)."""

from __future__ import annotations

import time
from collections.abc import Callable

from tenacity import Retrying, retry_if_exception_type, stop_never, wait_exponential_jitter

from station.context import Station
from station.sync.client import CentralClient
from station.sync.engine import SyncReport, run_sync


class _Failed(Exception):
    pass


def watch_forever(station: Station, client: CentralClient, *, interval_s: float,
                  on_report: Callable[[SyncReport], None], max_runs: int | None = None,
                  sleep: Callable[[float], None] = time.sleep) -> int:
    """Run syncs until ``max_runs`` (forever when ``None``); returns how many ran.

    Failed runs are retried sooner, growing from a tenth of the interval up to the interval.
    """
    runs = 0
    retrying = Retrying(wait=wait_exponential_jitter(multiplier=max(interval_s / 10, 0.05),
                                                     max=max(interval_s, 0.05),
                                                     jitter=min(interval_s / 4, 30.0)),
                        retry=retry_if_exception_type(_Failed), stop=stop_never,
                        sleep=sleep, reraise=True)
    while max_runs is None or runs < max_runs:
        try:
            for attempt in retrying:
                with attempt:
                    report = run_sync(station, client)
                    runs += 1
                    on_report(report)
                    if not report.ok and (max_runs is None or runs < max_runs):
                        raise _Failed
        except _Failed:  # pragma: no cover - stop_never
            pass
        if max_runs is not None and runs >= max_runs:
            break
        sleep(interval_s)
    return runs

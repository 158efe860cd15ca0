"""50 stations of one school push sheets of the same students at once: 0 errors (issue 10, #7).

``central serve`` runs as its own process over SQLite and over PostgreSQL. Every station
keeps one connection for all its pushes (a 500 that closed it would fail the next one), and
every push supersedes other stations' cards of the same students: revocations, conflicts and
the newest-card rule race on the same rows. The driver is the benchmark's
(``bench/bench_central_overlap.py``, whose medians are in docs/PERFORMANCE.md).
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

from plugin_central import ADMIN_TOKEN, CentralProcess, import_demo
from sqlalchemy import func, select

from central.models import Card, Conflict, Revocation
from central.settings import CentralSettings
from foundation.credential.keys import StationKey
from foundation.sqldb import make_engine, make_sessionmaker
from station.services.demo_data import demo_export_rows

STATIONS, PUSHES = 50, 3
ROOT = Path(__file__).resolve().parents[1]


def overlap() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_central_overlap",
                                                  ROOT / "bench" / "bench_central_overlap.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_fifty_stations_of_one_school_push_at_once_without_an_error(
        central_process: CentralProcess, central_settings: CentralSettings,
              tmp_path: Path) -> None:
    driver = overlap()
    import_demo(central_settings, tmp_path / "export")
    curps = [a["curp"] for a in demo_export_rows(students=30)[1] if a["cct"] == driver.SCHOOL]
    keys = [StationKey.generate(tmp_path / f"k{i}" / "station.key") for i in range(STATIONS)]
    blocks = [driver.enroll(central_process.url, ADMIN_TOKEN, k) for k in keys]
    result = driver.run_overlap(central_process.url, keys, blocks, curps, pushes=PUSHES)
    assert result.errors == [], (len(result.errors), result.errors[:5])
    assert len(result.latencies) == STATIONS * PUSHES
    print(f"{STATIONS} stations x {PUSHES} pushes: p50 {result.quantile(0.5) * 1000:.0f} ms, "
          f"p99 {result.quantile(0.99) * 1000:.0f} ms, wall {result.wall:.1f} s")
    engine = make_engine(central_settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            active = Counter(session.scalars(select(Card.curp).where(Card.status == "active")))
            total = session.scalar(select(func.count()).select_from(Card))
            replaced = session.scalar(select(func.count()).select_from(Card)
                                      .where(Card.status == "replaced"))
            revocations = session.scalar(select(func.count()).select_from(Revocation))
            conflicts = session.scalar(select(func.count()).select_from(Conflict))
    finally:
        engine.dispose()
    # One active card per student, every other card replaced and on the revocation list.
    assert set(active.values()) == {1} and set(active) <= set(curps)
    assert total == STATIONS * PUSHES * 8
    assert replaced == total - len(active) == revocations
    assert conflicts and conflicts <= replaced

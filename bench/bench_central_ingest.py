"""Central ingest: station events per second, pushed over signed HTTP, SQLite vs PostgreSQL.

Central runs as its own process (``central serve``, one uvicorn worker) on loopback; a station
client (the real ``CentralClient``: signing, requests) pushes 20,000 events — per sheet one
``sheet_issued`` with 8 cards, one ``sheet_sent``, one ``sheet_confirmed`` — in batches of 500
(the default ``sync.batch_size``) and, side by side, batches of 50. Median of several runs,
each with a fresh station. Goal (issue 4): ≥ 5,000 events/s on both databases.

Run: .venv/bin/python bench/bench_central_ingest.py [--events 20000] [--runs 3]
     [--baseline /path/to/other/checkout] [--batches 500,50]
With ``--baseline``, a second central runs the other checkout's code (e.g. a git worktree of
main) on its own database, and the runs alternate between the two (same load for both).
Helpers here (PostgreSQL and central as processes) are shared by the other central benches.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
TOKEN = "token-de-banco-de-pruebas-suficientemente-largo"
STAFF = {"Authorization": f"Bearer {TOKEN}"}
SCHOOL = "14DPR9901D"


def machine() -> str:
    return (f"{platform.node()} · {platform.machine()} · {os.cpu_count()} cores · "
            f"Python {platform.python_version()} · {platform.platform()}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Postgres:
    """A throwaway PostgreSQL 15 on loopback (as the postgres user; durable settings kept)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.folder.chmod(0o755)
        shutil.chown(self.folder, "postgres")
        self.port = free_port()
        data = self.folder / "data"
        self._run(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C.UTF-8")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "log"),
                  "-w", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
                  " -c max_connections=400 -c shared_buffers=256MB", "start")
        self.data = data
        self.n = 0

    @staticmethod
    def _run(*args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                       capture_output=True, timeout=120)

    def new_database(self) -> str:
        import psycopg

        self.n += 1
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE bench{self.n}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/bench{self.n}"

    def stop(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D",
                        str(self.data), "-m", "fast", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


class Central:
    """``central serve`` as a process, with its own data folder and database."""

    def __init__(self, database_url: str | None, *, workers: int = 1,
                 folder: Path | None = None, code: Path | None = None) -> None:
        self.folder = folder or Path(tempfile.mkdtemp(prefix="bench-central-"))
        self.port = free_port()
        self.env = {**os.environ, "CENTRAL_DATA_DIR": str(self.folder),
                    "CENTRAL_ADMIN_TOKEN": TOKEN, "CENTRAL_WORKERS": str(workers)}
        if code is not None:  # run another checkout's central (the venv is editable)
            self.env["PYTHONPATH"] = str(code)
        if database_url:
            self.env["CENTRAL_DATABASE_URL"] = database_url
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.cpu_spent: list[float] = []
        """CPU seconds (user + system) of the central process per push run: unlike wall time,
        it hardly moves when other work loads the machine."""

    def cpu_seconds(self) -> float:
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cli(self, *args: str) -> str:
        out = subprocess.run([str(VENV / "central"), *args], env=self.env, check=True,
                             capture_output=True, text=True, timeout=600)
        return out.stdout

    def start(self) -> Central:
        self.process = subprocess.Popen([str(VENV / "central"), "serve", "--port",
                                         str(self.port)], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/openapi.json", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("central did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(30)
        shutil.rmtree(self.folder, ignore_errors=True)

    def enroll(self, key: Any, *, school: str = SCHOOL) -> str:
        from station.sync.client import CentralClient

        code = requests.post(f"{self.url}/api/v1/admin/enrollment-codes", headers=STAFF,
                             json={"kind": "escuela", "school_cct": school,
                                   "station_name": "banco", "staff": "banco"},
                             timeout=30).json()["code"]
        client = CentralClient(self.url, key=key)
        answer = client.post_json("/api/v1/enroll", {
            "code": code, "public_key": base64.b64encode(key.public_bytes()).decode()})
        client.close()
        return str(answer["station_id"])


def demo_roster(central: Central, folder: Path, *, students: int = 30) -> None:
    from station.services.demo_data import write_demo_export

    escuelas, alumnos = write_demo_export(folder, students=students)
    central.cli("import-roster", str(escuelas), str(alumnos))


def events(n: int, key_hex: str) -> list[dict[str, Any]]:
    """A station's events; every card for a different student (no replacement storm)."""
    out: list[dict[str, Any]] = []
    sheet, folio = 0, 1  # folios start at 1
    tag = key_hex[:6].upper()
    while len(out) < n:
        sheet += 1
        cards = [{"folio": folio + i, "curp": f"{tag}{sheet:06d}HJC{i:03d}"} for i in range(8)]
        folio += 8
        for kind, payload in (
                ("sheet_issued", {"sheet": sheet, "cct": SCHOOL, "issued_on": "2026-09-01",
                                  "key_id": key_hex, "reprint_of": None, "cards": cards,
                                  "cancelled": []}),
                ("sheet_sent", {"sheet": sheet, "printer": "Credenciales", "job": sheet}),
                ("sheet_confirmed", {"sheet": sheet})):
            seq = len(out) + 1
            out.append({"seq": seq, "prev_seq": seq - 1, "at": "2026-09-01T10:00:00+00:00",
                        "kind": kind, "payload": payload})
    return out[:n]


def push_run(central: Central, n: int, batch: int, folder: Path) -> float:
    """Seconds to push ``n`` events from a fresh station in batches of ``batch``."""
    from foundation.credential.keys import StationKey
    from station.sync.client import CentralClient

    key = StationKey.generate(folder / f"k{time.monotonic_ns()}" / "station.key")
    central.enroll(key)
    todo = events(n, key.key_id.hex())
    client = CentralClient(central.url, key=key)
    cpu0 = central.cpu_seconds()
    t0 = time.perf_counter()
    for i in range(0, n, batch):
        answer = client.post_json("/api/v1/sync/events", {"events": todo[i:i + batch]})
        assert answer["acked_through"] == todo[min(i + batch, n) - 1]["seq"], answer
    elapsed = time.perf_counter() - t0
    central.cpu_spent.append(central.cpu_seconds() - cpu0)
    client.close()
    return elapsed


def _measure(centrals: dict[str, Central], args: argparse.Namespace, batch: int,
             work: Path) -> dict[str, float]:
    """Events/s per central (median of ``args.runs``), the runs of the centrals alternating."""
    times: dict[str, list[float]] = {name: [] for name in centrals}
    for _ in range(args.runs):
        for name, central in centrals.items():
            times[name].append(push_run(central, args.events, batch, work))
    return {name: args.events / statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout whose central runs beside this one")
    parser.add_argument("--batches", default="500,50")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    print(f"machine: {machine()}")
    print(f"load average before: {os.getloadavg()}")
    batches = [int(b) for b in args.batches.split(",")]
    pg = Postgres() if (PG_BIN / "initdb").exists() else None
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        for backend in ("sqlite", "postgresql"):
            if backend == "postgresql" and pg is None:
                print("postgresql: not installed, skipped")
                continue
            codes = {"this": ROOT}
            if args.baseline:
                codes["baseline"] = args.baseline.resolve()
            centrals = {name: Central(pg.new_database() if backend == "postgresql" and pg
                                      else None, code=code) for name, code in codes.items()}
            try:
                for name, central in centrals.items():
                    demo_roster(central, work / backend / name)
                    central.start()
                for batch in batches:
                    rates = _measure(centrals, args, batch, work)
                    line = f"{backend:10s} batch {batch:4d}: {rates['this']:8.0f} events/s"
                    if "baseline" in rates:
                        line += (f"   baseline: {rates['baseline']:8.0f} events/s   "
                                 f"this/baseline: {rates['this'] / rates['baseline']:.2f}x")
                    cpu = {name: statistics.median(c.cpu_spent) / args.events * 1e6
                           for name, c in centrals.items()}
                    line += f"   central CPU: {cpu['this']:.0f} µs/event"
                    if "baseline" in cpu:
                        line += (f" (baseline {cpu['baseline']:.0f}: "
                                 f"{cpu['baseline'] / cpu['this']:.2f}x)")
                    for c in centrals.values():
                        c.cpu_spent.clear()
                    print(f"{line}   (median of {args.runs} × {args.events} events)", flush=True)
            finally:
                for central in centrals.values():
                    central.stop()
    finally:
        if pg:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

"""Bodies are limited as they stream in, and an unauthenticated upload is never read (issue 10,
finding 8).

``central serve`` runs as its own process; chunked 49 MiB POSTs to ``/staff/importar``
without a session go in four at a time while a thread samples the server's resident memory.
The old middleware read every chunked body into memory before the sign-in check (535 MiB
to 2 GiB); now the route answers «sign in» before reading and the body is dropped as it
arrives. A bounded loop: a fixed number of requests, a fixed byte count each.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from plugin_central import CentralProcess

MIB = 1024 * 1024
BODY_MIB = 49
REQUESTS, AT_ONCE = 8, 4
ALLOWED_GROWTH_MIB = 60
"""Four buffered bodies would be 196 MiB (plus the copy joining them); streaming needs none."""


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def chunks() -> Iterator[bytes]:
    block = b"-" * MIB
    for _ in range(BODY_MIB):
        yield block


def chunked_post(port: int, path: str, headers: dict[str, str] | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body=chunks(), encode_chunked=True, headers={
            "Content-Type": "multipart/form-data; boundary=x", **(headers or {})})
        return conn.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        return -1  # central answered and closed while the body was still going in
    finally:
        conn.close()


def test_unauthenticated_chunked_uploads_do_not_grow_memory(
        central_process: CentralProcess) -> None:
    port, pid = central_process.port, central_process.pid
    for _ in range(3):  # warm up: templates, first requests
        requests.get(f"http://127.0.0.1:{port}/staff/ingresar", timeout=10)
    before = rss_mib(pid)
    peak, done = before, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    with ThreadPoolExecutor(AT_ONCE) as pool:
        answers = list(pool.map(lambda _: chunked_post(port, "/staff/importar"),
                                range(REQUESTS)))
    done.set()
    sampler.join(5)
    after = rss_mib(pid)
    # Each is sent to sign in (303), or cut off once that answer went out.
    assert set(answers) <= {303, -1} and 303 in answers, answers
    assert peak - before < ALLOWED_GROWTH_MIB, (before, peak, after)
    assert after - before < ALLOWED_GROWTH_MIB, (before, peak, after)
    assert time.monotonic() - started < 120
    # And central still answers.
    assert requests.get(f"http://127.0.0.1:{port}/staff/ingresar", timeout=10).ok


def test_a_chunked_station_body_over_the_limit_is_cut_at_the_limit(
        central_process: CentralProcess) -> None:
    """Without Content-Length the API's 2 MiB limit still holds: 413 JSON, memory flat."""
    port, pid = central_process.port, central_process.pid
    before = rss_mib(pid)
    status = chunked_post(port, "/api/v1/sync/events")
    assert status in (413, -1)
    assert rss_mib(pid) - before < ALLOWED_GROWTH_MIB

"""Resumable, signed download of a release bundle into ``<data>/updates/``.

Links in many schools are slow and drop: the bundle is written to ``<sha256>.part`` as it
arrives, and the next try asks central for the rest (``Range: bytes=N-``). Only a file whose
SHA-256 matches the offer becomes ``<sha256>.tar``; a wrong one is deleted.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from foundation.contract import protocol
from station.sync.client import CentralClient, SyncError, refusal_words
from station.update.layout import Layout, ensure_dirs, give_to_data_owner, shared_lock_file

_CHUNK = 256 * 1024
SPACE_MARGIN = 64 * 1024 * 1024
"""Free bytes kept aside beyond what the release needs (the ledger must never run out)."""
SPACE_FACTOR = 4
"""A release needs its bundle, the extracted wheels and the installed venv (~2× the wheels)."""


def needed_space(size: int) -> int:
    return SPACE_FACTOR * size + SPACE_MARGIN


def check_space(folder: Path, size: int, *, free: Callable[[Path], int] | None = None) -> None:
    have = free(folder) if free else shutil.disk_usage(folder).free
    need = needed_space(size)
    if have < need:
        raise SyncError(f"No hay espacio suficiente para la actualización: se necesitan "
                        f"{need // 2**20} MiB libres y hay {have // 2**20} MiB.",
                        code="no-space", way_out="Libere espacio (por ejemplo, borre archivos "
                        "de planillas viejas ya confirmadas) o avise a soporte de su DRSE.")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _get(client: CentralClient, path: str, start: int) -> requests.Response:
    prefix = urlsplit(client.base_url).path.rstrip("/")
    import time

    headers = protocol.signed_headers("GET", prefix + path, b"", key_id=client.key.key_id,
                                      sign=client.key.sign,
                                      timestamp=int(time.time() + client.clock_offset))
    if start:
        headers["Range"] = f"bytes={start}-"
    return client.http.get(client.url(path), headers=headers, stream=True,
                           timeout=client.timeout)


def _refusal(response: requests.Response) -> SyncError:
    try:
        info: Any = response.json()["error"]
        return SyncError(str(info["message"]), code=str(info["code"]),
                         status=response.status_code)
    except (ValueError, KeyError, TypeError):
        return SyncError(refusal_words(response.status_code),
                         code=f"http-{response.status_code}", status=response.status_code)


@contextlib.contextmanager
def _one_download_at_a_time(layout: Layout) -> Iterator[None]:
    """The sync unit (``update check --download``, as the station user) and the update unit
    (``update apply``, as root) both download; after a boot both timers may fire while a slow
    link is still fetching. Without this lock both appended to one ``.part`` and the loser
    crashed on a file the winner had renamed (seen in tests/test_appliance_boot.py)."""
    fd = shared_lock_file(layout, "download.lock")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def download(client: CentralClient, layout: Layout, offer: dict[str, Any], *,
             attempts: int = 3) -> Path:
    """The verified-by-hash bundle of ``offer`` (``sha256``, ``size``, ``url``)."""
    ensure_dirs(layout)
    with _one_download_at_a_time(layout):
        return _download(client, layout, offer, attempts=attempts)


def _download(client: CentralClient, layout: Layout, offer: dict[str, Any], *,
              attempts: int) -> Path:
    sha, size, url = str(offer["sha256"]), int(offer["size"]), str(offer["url"])
    final = layout.updates / f"{sha}.tar"
    if final.is_file() and _sha256(final) == sha:
        return final
    part = layout.updates / f"{sha}.part"
    check_space(layout.updates, size - (part.stat().st_size if part.exists() else 0))
    last_error: SyncError | None = None
    for _ in range(attempts):
        start = part.stat().st_size if part.exists() else 0
        if start > size:
            part.unlink()
            start = 0
        if start == size:
            break
        try:
            response = _get(client, url, start)
            if response.status_code not in (200, 206):
                raise _refusal(response)
            mode = "ab" if response.status_code == 206 else "wb"
            with part.open(mode) as handle:
                # The station user's sync resumes what root's updater began (and back):
                # owned by the data folder's owner from its first byte, not after the
                # last one (a power cut mid-download left a .part the sync could not open).
                give_to_data_owner(layout, part)
                for chunk in response.iter_content(_CHUNK):
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            give_to_data_owner(layout, part)
        except requests.RequestException as exc:
            last_error = SyncError(f"La descarga de la actualización se interrumpió "
                                   f"({type(exc).__name__}); se reanuda donde quedó.",
                                   code="offline")
            continue
        if part.stat().st_size >= size:
            break
    else:
        raise last_error or SyncError("La descarga de la actualización no terminó; se reanuda "
                                      "en el próximo intento.", code="offline")
    if _sha256(part) != sha:
        part.unlink()
        raise SyncError("El paquete descargado no coincide con el que ofreció el servicio "
                        "central (dañado en el camino); se descargará de nuevo.",
                        code="download-corrupt")
    os.replace(part, final)
    return final

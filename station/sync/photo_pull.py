"""Download the photos a roster page links, many per signed request (issue 17).

Up to ``PHOTO_BATCH_MAX`` hashes go in one ``POST /api/v1/sync/photos/batch``, a few such
requests at a time; each photo is read from the framed answer as it arrives, checked against
its SHA-256 and written into the caller's :class:`~foundation.photostore.PhotoBatch` (made
durable together when the caller's block ends). A central that does not know the route
(404/405: older than issue 17) gets one ``GET /api/v1/sync/photos/{hash}`` per photo instead.

What can go wrong, photo by photo: bytes that do not match their hash are refused and named
(:attr:`PhotoPull.refused`, never stored); a hash central will not send is ``missing``; both
are asked again at the next sync (``roster_pull`` asks again for every linked photo not
on disk). A connection that
drops mid-answer keeps every photo that arrived whole; the error is raised by :meth:`fetch`
after all batches ended, and the rest come at the next sync. Nothing here logs a CURP.
"""

from __future__ import annotations

import hashlib
import math
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

import requests

from foundation.contract.photo_batch import BATCH_PATH, PHOTO_BATCH_MAX, BadBatch, BatchReader
from foundation.photostore import PhotoBatch
from station.sync.client import CentralClient, SyncError

BATCHES_AT_ONCE = 3
"""Batch requests in flight together: one is being answered while another's photos are
written (central on SQLite answers reads without queueing on its write lock)."""
_CHUNK = 64 * 1024
_CUT = ("La conexión con el servicio central se cortó mientras llegaban las fotos: las que "
        "llegaron completas se guardaron y las demás se descargarán en la próxima "
        "sincronización.")
_RETRY = "Se descargará de nuevo en la próxima sincronización."


@dataclass(slots=True)
class PhotoPull:
    """What :meth:`PhotoFetcher.fetch` did."""

    stored: int = 0
    missing: set[str] = field(default_factory=set)
    """Hashes central did not send (unknown to it, or not of this station's students)."""
    refused: list[dict[str, str]] = field(default_factory=list)
    """``{photo, code, reason}`` of photos whose bytes did not match their hash."""

    @property
    def not_stored(self) -> set[str]:
        return self.missing | {p["hash"] for p in self.refused}


class PhotoFetcher:
    """Batched photo downloads from one central (remembers an older central's answer)."""

    def __init__(self, client: CentralClient, *, at_once: int = BATCHES_AT_ONCE,
                 batch_size: int = PHOTO_BATCH_MAX) -> None:
        self.client, self.at_once = client, at_once
        self.batch_size = max(1, min(batch_size, PHOTO_BATCH_MAX))
        self.batches = True
        """False once central answered the batch route with 404/405 (an older central)."""
        self._lock = threading.Lock()

    def fetch(self, store: PhotoBatch, digests: list[str]) -> PhotoPull:
        """Download ``digests`` into ``store``; see the module docstring."""
        out = PhotoPull()
        errors: list[SyncError] = []
        todo = list(dict.fromkeys(digests))
        with ThreadPoolExecutor(max_workers=self.at_once) as pool:
            while todo:
                size = min(self.batch_size, max(1, math.ceil(len(todo) / self.at_once)))
                chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
                futures = [pool.submit(self._one_batch, store, c, out) for c in chunks]
                todo = []
                for future in as_completed(futures):
                    try:
                        todo += future.result()
                    except SyncError as exc:
                        errors.append(exc)
                if errors:
                    break
        if errors:
            raise errors[0]
        return out

    def _one_batch(self, store: PhotoBatch, digests: list[str], out: PhotoPull) -> list[str]:
        """One request; the hashes central left for later."""
        if not self.batches:
            return self._singles(store, digests, out)
        try:
            response = self.client.call("POST", BATCH_PATH, json_body={"hashes": digests},
                                        stream=True)
        except SyncError as exc:
            if exc.status not in (404, 405):
                raise
            self.batches = False  # an older central: one GET per photo
            return self._singles(store, digests, out)
        reader = BatchReader()
        # The framing says how long each photo is: a short body is seen by the reader, and
        # urllib3 must not throw away the bytes of the read that met the end (the photos
        # that arrived whole before a cut are kept).
        response.raw.enforce_content_length = False
        try:
            for chunk in response.iter_content(_CHUNK):
                for digest, data in reader.feed(chunk):
                    self._keep(store, digest, data, out)
        except (requests.RequestException, OSError) as exc:
            raise SyncError(_CUT, code="cut-response") from exc
        except BadBatch as exc:
            raise SyncError("El servicio central envió las fotos en una forma que esta "
                            "estación no entiende.", code="bad-answer",
                            way_out="Actualice la estación o avise a soporte de su DRSE.") from exc
        finally:
            response.close()
        if not reader.complete or reader.header is None:
            raise SyncError(_CUT, code="cut-response")
        with self._lock:
            out.missing.update(reader.header.missing)
        return list(reader.header.later)

    def _singles(self, store: PhotoBatch, digests: list[str], out: PhotoPull) -> list[str]:
        for digest in digests:
            try:
                response = self.client.call("GET", f"/api/v1/sync/photos/{digest}")
            except SyncError as exc:
                if exc.status not in (403, 404):
                    raise
                with self._lock:
                    out.missing.add(digest)
                continue
            self._keep(store, digest, response.content, out)
        return []

    def _keep(self, store: PhotoBatch, digest: str, data: bytes, out: PhotoPull) -> None:
        if hashlib.sha256(data).hexdigest() != digest:
            with self._lock:
                out.refused.append({
                    "hash": digest, "photo": digest[:12], "code": "photo-hash-mismatch",
                    "reason": "llegó del servicio central dañada o incompleta (no coincide "
                              "con su huella): no se guardó. " + _RETRY})
            return
        store.add(data, ext="png" if data.startswith(b"\x89PNG") else "jpg")
        with self._lock:
            out.stored += 1

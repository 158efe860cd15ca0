"""Many photos in one signed request: ``POST /api/v1/sync/photos/batch`` (issue 17).

A first sync downloads thousands of photos; one signed request each made central pay a
nonce transaction, a scope query and a file response per photo. The station now asks for up
to :data:`PHOTO_BATCH_MAX` hashes at once (:class:`PhotoBatchRequest`, JSON) and central
answers one body framed as::

    {"photos": [{"hash": …, "size": …}, …], "missing": […], "later": […]}\\n
    <bytes of photos[0]><bytes of photos[1]>…

one line of JSON (:class:`PhotoBatchHeader`; compact JSON holds no raw newline), then the
photos' bytes back to back in the header's order, each exactly ``size`` bytes. ``missing``:
hashes central will not send (unknown, or not of a student of the station's scope: never
another school's photo, and no way to tell the two apart). ``later``: hashes left out to keep
the answer under :data:`PHOTO_BATCH_BYTES`; ask for them again. The station checks every
photo's SHA-256 against its hash before keeping it, and keeps each photo that arrived whole
even when the connection drops in the middle of a later one (:class:`BatchReader`).

>>> header = PhotoBatchHeader(photos=[PhotoPart(hash="a" * 64, size=3)], missing=[], later=[])
>>> reader = BatchReader()
>>> body = frame(header) + b"abc"
>>> [(h[:4], data) for h, data in reader.feed(body[:40]) + reader.feed(body[40:])]
[('aaaa', b'abc')]
>>> reader.complete
True
>>> try:  # more than announced: not a photo batch
...     BatchReader().feed(body + b"x")
... except BadBatch as exc:
...     print(exc)
more bytes than the header announced
>>> cut = BatchReader()
>>> cut.feed(body[:-1]), cut.complete, [h[:4] for h in cut.unreceived()]
([], False, ['aaaa'])
"""

from __future__ import annotations

from pydantic import Field, field_validator

from foundation.contract.types import Sha256, Strict

BATCH_PATH = "/api/v1/sync/photos/batch"
MEDIA_TYPE = "application/x-photo-batch"
"""Content type of central's framed answer (a JSON line, then the photos' bytes)."""
PHOTO_BATCH_MAX = 50
"""Most hashes in one request: ~1.5 MB of usual photos, answered in well under a second."""
PHOTO_BATCH_BYTES = 8 * 1024 * 1024
"""Central stops adding photos to an answer past this many bytes (the rest go in ``later``),
so a batch of unusually large photos never holds tens of MB in memory."""
MAX_PHOTO_BYTES = 32 * 1024 * 1024
"""Largest single part a station accepts (central's own limit is lower)."""
MAX_HEADER_BYTES = 64 * 1024
"""The JSON line of 50 hashes is ~7 KB; a longer first line is not a photo batch."""


class PhotoBatchRequest(Strict):
    """The hashes a station wants (each a SHA-256 in lowercase hex)."""

    hashes: list[Sha256] = Field(min_length=1)

    @field_validator("hashes")
    @classmethod
    def _at_most(cls, hashes: list[str]) -> list[str]:
        # Our own words (not pydantic's "too long"): a secretary's technician reads them.
        if len(hashes) > PHOTO_BATCH_MAX:
            raise ValueError(f"se pidieron {len(hashes)} fotos en una sola solicitud; el "
                             f"máximo es {PHOTO_BATCH_MAX} (pídalas en varias)")
        return hashes


class PhotoPart(Strict):
    hash: Sha256
    size: int = Field(ge=1, le=MAX_PHOTO_BYTES)


class PhotoBatchHeader(Strict):
    """The first line of central's answer (see the module docstring)."""

    photos: list[PhotoPart] = Field(max_length=PHOTO_BATCH_MAX)
    missing: list[Sha256] = Field(max_length=PHOTO_BATCH_MAX)
    later: list[Sha256] = Field(max_length=PHOTO_BATCH_MAX)


def frame(header: PhotoBatchHeader) -> bytes:
    """The header line of an answer (the photos' bytes follow it)."""
    return header.model_dump_json().encode() + b"\n"


class BadBatch(ValueError):
    """The answer is not a photo batch (bad header, or more bytes than it announced)."""


class BatchReader:
    """Cuts a framed answer into its photos as the bytes arrive: :meth:`feed` returns the
    ``(hash, bytes)`` of every photo completed by that chunk, so whatever arrived whole before
    a dropped connection can still be kept. The hash is what central announced: the caller
    checks the bytes against it."""

    def __init__(self) -> None:
        self.header: PhotoBatchHeader | None = None
        self._buffer = bytearray()
        self._next = 0  # index in header.photos of the photo being received

    @property
    def complete(self) -> bool:
        return self.header is not None and self._next == len(self.header.photos) \
            and not self._buffer

    def feed(self, chunk: bytes) -> list[tuple[str, bytes]]:
        self._buffer += chunk
        if self.header is None:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > MAX_HEADER_BYTES:
                    raise BadBatch("the answer's first line is too long")
                return []
            try:
                self.header = PhotoBatchHeader.model_validate_json(bytes(self._buffer[:end]))
            except ValueError as exc:
                raise BadBatch(f"bad header: {exc}") from None
            del self._buffer[:end + 1]
        done: list[tuple[str, bytes]] = []
        parts = self.header.photos
        while self._next < len(parts) and len(self._buffer) >= parts[self._next].size:
            size = parts[self._next].size
            done.append((parts[self._next].hash, bytes(self._buffer[:size])))
            del self._buffer[:size]
            self._next += 1
        if self._next == len(parts) and self._buffer:
            raise BadBatch("more bytes than the header announced")
        return done

    def unreceived(self) -> list[str]:
        """Hashes announced but not (wholly) received."""
        if self.header is None:
            return []
        return [p.hash for p in self.header.photos[self._next:]]

"""Verifying cards shown to the camera: frames in, one verdict per card shown out.

Each frame goes through the live QR reader (:class:`~station.camera.qr_reader.LiveQrReader`);
the texts it reads go through :class:`~station.core.scan_rules.ScanDeduper`, so a card held in
front of the camera for five seconds gives one verdict, not 150; the new ones are verified
offline by :func:`station.services.verification.verify_texts` (trust list, revocations).
``station verify --camera`` and the touchscreen use :func:`verify_stream`.

>>> for scan in verify_stream(station, camera):            # doctest: +SKIP
...     print(scan.verification.reason_es)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from foundation.credential.verify import Verification
from station.camera.frames import EndOfVideo
from station.camera.qr_reader import LiveQrReader
from station.camera.resilient import CameraEvent, ResilientCamera
from station.core.scan_rules import ScanDeduper
from station.services.station import Station
from station.services.verification import verify_texts

FORGET_AFTER_S = 2.0
"""A card out of sight this long gives a new verdict when shown again."""


@dataclass(frozen=True, slots=True)
class CameraScan:
    """One verdict: when (frame time), which frame, where the QR was, and the verification."""

    t: float
    frame_index: int
    position: tuple[float, float]
    verification: Verification

    def to_json(self) -> dict[str, Any]:
        return {"t": round(self.t, 3), "frame": self.frame_index,
                "position": [round(self.position[0]), round(self.position[1])],
                **self.verification.to_json()}


def verify_stream(station: Station, camera: ResilientCamera, *,
                  on_event: Callable[[CameraEvent], None] = lambda _e: None,
                  should_stop: Callable[[], bool] = lambda: False,
                  max_seconds: float | None = None,
                  forget_after_s: float = FORGET_AFTER_S) -> Iterator[CameraScan]:
    """Verdicts for the cards shown to ``camera``, each once, until the video ends,
    ``should_stop()`` or ``max_seconds`` of wall time. Camera losses go to ``on_event``."""
    reader = LiveQrReader()
    dedupe = ScanDeduper(forget_after_s)
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    while not should_stop() and (deadline is None or time.monotonic() < deadline):
        try:
            frame = camera.read()
        except EndOfVideo:
            return
        for event in camera.events():
            on_event(event)
        if frame is None:
            continue
        found = reader.read(frame.image)
        new = set(dedupe.feed(frame.t, [qr.text for qr in found]))
        fresh = [qr for qr in found if qr.text in new]
        new_texts = list(dict.fromkeys(qr.text for qr in fresh))
        if not new_texts:
            continue
        where = {qr.text: qr.position for qr in fresh}
        for text, result in zip(new_texts, verify_texts(station, new_texts), strict=True):
            yield CameraScan(frame.t, frame.index, where[text], result)

"""A camera that survives being unplugged: it reports the loss, keeps trying, and comes back.

:meth:`ResilientCamera.read` never raises for a camera problem: it returns a frame, or None
while the camera is away, and records a :class:`CameraEvent` ("lost", "reconnected") the
screen or the command line shows. Only the end of a video file ends it (``EndOfVideo``).

>>> import numpy as np
>>> from station.camera.frames import CameraInfo, CameraLost, Frame
>>> class Once:  # a fake camera (no hardware in a doctest): one frame, then unplugged
...     info = CameraInfo("fake", "fake", "fake", 4, 4, 1.0)
...     n = 0
...     def read(self):
...         self.n += 1
...         if self.n > 1:
...             raise CameraLost("Se perdió la cámara.")
...         return Frame(np.zeros((4, 4, 3), np.uint8), 0.0, 0)
...     def close(self): pass
>>> cam = ResilientCamera(Once, retry_s=0)
>>> cam.read() is not None, cam.read(), [e.kind for e in cam.events()]
(True, None, ['lost'])
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from station.camera.frames import Camera, CameraError, CameraInfo, Frame


@dataclass(frozen=True, slots=True)
class CameraEvent:
    kind: str  # "lost" | "reconnected"
    message_es: str
    at: float


class ResilientCamera:
    """Wraps ``opener`` (a function that opens the camera, raising :class:`CameraError`)."""

    def __init__(self, opener: Callable[[], Camera], *, retry_s: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._opener = opener
        self.retry_s = retry_s
        self._clock = clock
        self._cam: Camera | None = None
        self._next_try = 0.0
        self._pending: list[CameraEvent] = []
        self._was_lost = False
        self.info: CameraInfo | None = None
        self._cam = self._open()

    def _open(self) -> Camera | None:
        try:
            cam = self._opener()
        except CameraError as exc:
            self._next_try = self._clock() + self.retry_s
            self._lose(exc)
            return None
        self.info = cam.info
        if self._was_lost:
            self._was_lost = False
            self._pending.append(CameraEvent(
                "reconnected", f"La cámara volvió: {cam.info.describe_es()}.", self._clock()))
        return cam

    def _lose(self, exc: CameraError) -> None:
        if not self._was_lost:
            self._was_lost = True
            self._pending.append(CameraEvent(
                "lost", f"{exc.user_message()} Buscando la cámara de nuevo…", self._clock()))

    @property
    def connected(self) -> bool:
        return self._cam is not None

    def read(self) -> Frame | None:
        """The next frame, or None while the camera is away (waits at most ``retry_s``
        before trying to open it again, so a loop calling this does not spin)."""
        if self._cam is None:
            wait = self._next_try - self._clock()
            if wait > 0:
                time.sleep(min(wait, 0.2))
                return None
            self._cam = self._open()
            if self._cam is None:
                return None
        try:
            return self._cam.read()
        except CameraError as exc:  # CameraLost, or any other failure of the device
            self._drop()
            self._lose(exc)
            return None

    def _drop(self) -> None:
        if self._cam is not None:
            try:
                self._cam.close()
            finally:
                self._cam = None
                self._next_try = self._clock() + self.retry_s

    def events(self) -> list[CameraEvent]:
        """Events since the last call (oldest first)."""
        out, self._pending = self._pending, []
        return out

    def close(self) -> None:
        self._drop()

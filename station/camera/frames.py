"""What every camera backend gives: frames, a description, and two ways of stopping.

A :class:`Camera` is opened by :func:`station.camera.factory.open_camera`; ``read()`` returns
the next :class:`Frame` or raises :class:`CameraLost` (unplugged, stopped delivering) or
:class:`EndOfVideo` (a video file played to its end). Callers that must not stop wrap it in
:class:`station.camera.resilient.ResilientCamera`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from foundation.errors import DomainError

# The kiosk's words for "run the camera test" (the command line adds the command itself).
CAMERA_TEST_WORDS = "Pruebe la cámara en Ajustes > Cámara."


class CameraError(DomainError):
    """No camera can be used: the message says why, the way out what to do."""


class CameraLost(CameraError):
    """The camera stopped delivering frames (unplugged, file removed or cut short)."""


class EndOfVideo(Exception):
    """A video-file camera reached its last frame (not an error: the demo or test is over)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One picture: BGR ``uint8`` pixels (as OpenCV uses), a time in seconds and its number.

    ``t`` is monotonic clock time for live cameras and the position in the file for video
    files, so timing rules behave the same on a slow test machine.
    """

    image: np.ndarray
    t: float
    index: int

    @property
    def size(self) -> tuple[int, int]:
        return (int(self.image.shape[1]), int(self.image.shape[0]))


@dataclass(frozen=True, slots=True)
class CameraInfo:
    """What is open: backend ('v4l2', 'picamera2', 'video', 'image'), device, size, rate."""

    backend: str
    device: str
    name: str
    width: int
    height: int
    fps: float

    def describe_es(self) -> str:
        rate = f", {self.fps:.0f} cuadros/s" if self.fps else ""
        return f"{self.name} ({self.device}): {self.width}×{self.height}{rate}"

    def to_json(self) -> dict[str, object]:
        return {"backend": self.backend, "device": self.device, "name": self.name,
                "width": self.width, "height": self.height, "fps": round(self.fps, 1)}


class Camera(Protocol):
    info: CameraInfo

    def read(self) -> Frame: ...

    def close(self) -> None: ...

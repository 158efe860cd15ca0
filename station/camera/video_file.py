"""A video file or a still photo as a camera: for tests, the demo, and trying the station
without hardware (``camera.device = "/ruta/video.mp4"`` or ``station photo capture --camera``).

Frame times come from the file (frame number / frame rate), so the auto-capture countdown and
the scan de-duplication behave the same on any machine; ``realtime=True`` paces the frames at
the file's rate instead, like a live camera, for demos.

A file that is removed or cut short while playing stops like an unplugged camera: the read
fails before the frame count the file announced, and :class:`CameraLost` says so.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from station.camera.frames import CameraInfo, CameraLost, EndOfVideo, Frame

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
STILL_FPS = 15.0
"""The rate a still photo "plays" at."""


def _lost(path: Path, why: str) -> CameraLost:
    return CameraLost(f"Se perdió la cámara de archivo «{path.name}»: {why}.",
                      way_out="Revise que el archivo siga en su lugar y completo.")


class VideoFileCamera:
    """Plays ``path`` frame by frame; ``loop=True`` starts over at the end."""

    def __init__(self, path: Path, *, loop: bool = False, realtime: bool = False) -> None:
        self.path = Path(path)
        self.loop = loop
        self.realtime = realtime
        if not self.path.is_file():
            raise _lost(self.path, "el archivo no existe")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            self._cap.release()
            raise _lost(self.path, "no es un video que se pueda leer")
        fps = self._cap.get(cv2.CAP_PROP_FPS) or 0.0
        self._fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self._count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self._index = 0
        self._played = 0
        self._started = time.monotonic()
        self.info = CameraInfo("video", str(self.path), self.path.name,
                               int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                               int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)), self._fps)

    def read(self) -> Frame:
        ok, image = self._cap.read()
        if not ok:
            if not self.path.is_file():
                raise _lost(self.path, "el archivo ya no existe")
            if self._count and self._index < self._count - 1:
                raise _lost(self.path, f"el video se cortó en el cuadro {self._index}")
            if not self.loop:
                raise EndOfVideo
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self._index = 0
            ok, image = self._cap.read()
            if not ok:
                raise _lost(self.path, "el video no se puede volver a leer")
        t = self._played / self._fps
        if self.realtime:
            delay = self._started + t - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        frame = Frame(image, t, self._played)
        self._index += 1
        self._played += 1
        return frame

    def close(self) -> None:
        self._cap.release()


class StillImageCamera:
    """A photo as a camera: the same picture at :data:`STILL_FPS`, for ``frames`` frames
    (None: without end)."""

    def __init__(self, path: Path, *, frames: int | None = None) -> None:
        self.path = Path(path)
        data = np.fromfile(self.path, np.uint8) if self.path.is_file() else None
        image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data is not None and data.size else None
        if image is None:
            raise _lost(self.path, "no existe o no es una foto JPG/PNG")
        self._image = image
        self._frames = frames
        self._index = 0
        self.info = CameraInfo("image", str(self.path), self.path.name, image.shape[1],
                               image.shape[0], STILL_FPS)

    def read(self) -> Frame:
        if self._frames is not None and self._index >= self._frames:
            raise EndOfVideo
        frame = Frame(self._image.copy(), self._index / STILL_FPS, self._index)
        self._index += 1
        return frame

    def close(self) -> None:
        pass

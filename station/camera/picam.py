"""The Raspberry Pi camera (CSI ribbon) through picamera2, when it is installed.

UNTESTED HERE: picamera2 comes from Raspberry Pi OS (``apt install python3-picamera2``, a venv
made with ``--system-site-packages``) and needs libcamera and the camera itself; neither exists
on the development machines, so this module is kept small and every call into picamera2 is
wrapped. What the tests do check is that the station works without it: :func:`available`
is False and the factory falls back to V4L2 and says why.
"""

from __future__ import annotations

import importlib.util
import time
from typing import Any

from station.camera.frames import CAMERA_TEST_WORDS, CameraError, CameraInfo, CameraLost, Frame


def available() -> bool:
    """picamera2 can be imported (it is not installed on ordinary PCs)."""
    return importlib.util.find_spec("picamera2") is not None


def camera_count() -> int | None:
    """Cameras libcamera sees through picamera2, or None without picamera2."""
    if not available():
        return None
    try:
        from picamera2 import Picamera2

        return len(Picamera2.global_camera_info())
    except Exception:  # picamera2 raises plain RuntimeErrors and more from libcamera
        return 0


class PiCamera:
    """The first CSI camera, BGR frames at ``width``×``height`` (picamera2's "RGB888" is
    B, G, R in memory, which is what OpenCV expects)."""

    def __init__(self, width: int, height: int) -> None:
        try:
            from picamera2 import Picamera2

            self._cam: Any = Picamera2()
            config = self._cam.create_video_configuration(
                main={"size": (width, height), "format": "RGB888"})
            self._cam.configure(config)
            self._cam.start()
            model = str(self._cam.camera_properties.get("Model", "cámara"))
        except Exception as exc:
            raise CameraError(
                "La cámara de la Raspberry Pi no se pudo abrir.",
                way_out=CAMERA_TEST_WORDS, command="station camera test") from exc
        self._index = 0
        self.info = CameraInfo("picamera2", "picamera2", f"Raspberry Pi ({model})", width,
                               height, 30.0)

    def read(self) -> Frame:
        try:
            image = self._cam.capture_array("main")
        except Exception as exc:
            raise CameraLost("La cámara de la Raspberry Pi dejó de enviar imágenes.",
                             way_out="Revise el cable plano de la cámara.") from exc
        frame = Frame(image[:, :, :3], time.monotonic(), self._index)
        self._index += 1
        return frame

    def close(self) -> None:
        try:
            self._cam.stop()
            self._cam.close()
        except Exception:  # closing a camera that already failed must not raise
            pass

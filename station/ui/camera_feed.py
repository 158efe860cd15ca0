"""The live camera on screen: frames read in a thread, the newest one drawn at the screen's pace.

The camera is the one ``camera.device`` names (a webcam, the Pi camera, or a video file or
photo standing in for one), opened by :func:`station.camera.factory.open_camera`. An optional
``analyze`` function runs on frames in the camera thread (QR reading, photo checks); when it
returns something, ``on_result`` gets it on the UI thread. Nothing is written anywhere.

>>> feed = CameraFeed(station, view, analyze=reader, on_result=show)   # doctest: +SKIP
>>> feed.start(); ...; feed.stop()                                      # doctest: +SKIP
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import cv2
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.uix.image import Image

from station.camera.factory import open_camera
from station.camera.frames import EndOfVideo, Frame
from station.services.station import Station

PREVIEW_MAX_WIDTH = 800
"""Frames are shrunk to this width in the camera thread before they reach the GPU."""


class CameraFeed:
    """Reads the station's camera until :meth:`stop`; shows it in ``view`` (a Kivy Image)."""

    def __init__(self, station: Station, view: Image, *,
                 analyze: Callable[[Frame], Any] | None = None,
                 on_result: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 analyze_every_s: float = 0.0) -> None:
        self.station = station
        self.view = view
        self.analyze = analyze
        self.on_result = on_result
        self.on_error = on_error
        self.analyze_every_s = analyze_every_s
        self.frames_read = 0
        self.frames_shown = 0
        self.started_at = 0.0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._latest: Any = None
        self._fresh = False
        self._thread: threading.Thread | None = None
        self._clock: Any = None
        self._texture: Texture | None = None

    def start(self) -> None:
        self._stop.clear()
        self.started_at = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self._thread.start()
        self._clock = Clock.schedule_interval(self._show, 1 / 30)

    def stop(self) -> None:
        self._stop.set()
        if self._clock is not None:
            self._clock.cancel()
            self._clock = None
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    @property
    def shown_fps(self) -> float:
        elapsed = time.monotonic() - self.started_at
        return self.frames_shown / elapsed if elapsed > 0 else 0.0

    def _run(self) -> None:
        settings = self.station.settings
        try:
            camera = open_camera(settings["camera.device"], int(settings["camera.width"]),
                                 int(settings["camera.height"]), loop=True, realtime=True)
        except BaseException as exc:
            self._fail(exc)
            return
        last_analysis = 0.0
        try:
            while not self._stop.is_set():
                try:
                    frame = camera.read()
                except EndOfVideo:
                    break
                self.frames_read += 1
                small = _shrink(frame.image)
                with self._lock:
                    self._latest, self._fresh = small, True
                now = time.monotonic()
                if self.analyze and now - last_analysis >= self.analyze_every_s:
                    last_analysis = now
                    result = self.analyze(frame)
                    if result and self.on_result is not None:
                        self._deliver(self.on_result, result)
        except BaseException as exc:
            self._fail(exc)
        finally:
            camera.close()

    @staticmethod
    def _deliver(callback: Callable[[Any], None], result: Any) -> None:
        Clock.schedule_once(lambda _dt: callback(result), -1)

    def _fail(self, exc: BaseException) -> None:
        if self.on_error is not None and not self._stop.is_set():
            callback = self.on_error
            Clock.schedule_once(lambda _dt: callback(exc), -1)

    def _show(self, _dt: float) -> None:
        with self._lock:
            image, fresh = self._latest, self._fresh
            self._fresh = False
        if image is None or not fresh:
            return
        h, w = image.shape[:2]
        if self._texture is None or self._texture.size != (w, h):
            self._texture = Texture.create(size=(w, h), colorfmt="bgr")
            self._texture.flip_vertical()
        self._texture.blit_buffer(image.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
        self.view.texture = self._texture
        self.view.canvas.ask_update()
        self.frames_shown += 1


def _shrink(image: Any) -> Any:
    h, w = image.shape[:2]
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if w <= PREVIEW_MAX_WIDTH:
        return image
    scale = PREVIEW_MAX_WIDTH / w
    return cv2.resize(image, (PREVIEW_MAX_WIDTH, round(h * scale)),
                      interpolation=cv2.INTER_AREA)

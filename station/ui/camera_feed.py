"""The live camera on screen, while a camera service reads the same frames.

The camera is the one ``camera.device`` names (a webcam, the Pi camera, or a video file or
photo standing in for one), opened through :class:`~station.camera.resilient.ResilientCamera`
so an unplugged camera is reported and comes back by itself. A thread runs ``consume(tap)``
— e.g. :func:`station.services.camera_verify.verify_stream` or
:func:`station.services.photo_capture.run_capture` — on a :class:`FrameTap`: every frame it
reads is also kept, shrunk, for the screen, which draws the newest one at its own pace.
``on_done`` receives what ``consume`` returned, on the UI thread. Nothing is written anywhere.
With ``mirror`` (the photo booth) the preview is flipped left-right like a mirror; the service
still reads the camera's own frames, so the photo taken is not mirrored.

While the camera is away (unplugged, or its video file cut short), :class:`LostBanner` over
the preview says "Cámara desconectada, reconectando…" and the last picture is dimmed; the
camera is opened again every second and the preview and the service's loop go on by
themselves when it comes back.

>>> feed = CameraFeed(station, view, consume=scan, on_done=show)  # doctest: +SKIP
>>> feed.start(); ...; feed.stop()                                 # doctest: +SKIP
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.uix.image import Image

from station.camera.factory import open_camera
from station.camera.frames import EndOfVideo, Frame
from station.camera.resilient import CameraEvent, ResilientCamera
from station.context import Station
from station.ui.i18n import _
from station.ui.memory import MEMORY_BASELINE
from station.ui.widgets import FitLabel, theme

PREVIEW_MAX_WIDTH = 800
"""Frames are shrunk to this width in the camera thread before they reach the GPU."""


class FrameTap:
    """A camera whose frames are also handed to the screen; stops when the screen says so."""

    def __init__(self, camera: ResilientCamera, feed: CameraFeed) -> None:
        self.camera = camera
        self.feed = feed

    def read(self) -> Frame | None:
        if self.feed.stopping:
            raise EndOfVideo  # the screen left: end the service's loop like a finished video
        frame = self.camera.read()
        if frame is not None:
            self.feed.keep(frame)
        return frame

    def events(self) -> list[CameraEvent]:
        return self.camera.events()

    def close(self) -> None:
        self.camera.close()

    def should_stop(self) -> bool:
        return self.feed.stopping


def _drain(tap: FrameTap) -> None:
    """Only show the camera (the settings screen)."""
    while not tap.should_stop():
        try:
            frame = tap.read()
        except EndOfVideo:
            return
        events = tap.events()
        if events:
            tap.feed.report_events(events)
        if frame is None:
            time.sleep(0.05)


LOST_TEXT = _("Cámara desconectada, reconectando…")


class LostBanner(FitLabel):
    """Over the camera preview: empty while the camera works, :data:`LOST_TEXT` while it is
    away. :meth:`follow` takes the camera's events and dims the ``view`` meanwhile."""

    def __init__(self, view: Image, **kwargs: Any) -> None:
        t = theme()
        kwargs.setdefault("kid", "camera_lost")
        kwargs.setdefault("size_hint", (0.92, 0.34))
        kwargs.setdefault("pos_hint", {"center_x": 0.5, "center_y": 0.5})
        super().__init__(text="", bold=True, halign="center", font_size=t.font_large,
                         color=(1, 1, 1, 1), outline_width=2,
                         outline_color=(0.45, 0.05, 0.05, 1), **kwargs)
        self.view = view

    @property
    def lost(self) -> bool:
        return bool(self.text)

    def follow(self, event: CameraEvent) -> None:
        if event.kind == "lost":
            self.text = LOST_TEXT
            self.view.color = (1, 1, 1, 0.3)
        else:
            self.text = ""
            self.view.color = (1, 1, 1, 1)


class CameraFeed:
    """Reads the station's camera until :meth:`stop`; shows it in ``view`` (a Kivy Image)."""

    def __init__(self, station: Station, view: Image, *,
                 consume: Callable[[FrameTap], Any] | None = None,
                 on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 on_event: Callable[[CameraEvent], None] | None = None,
                 mirror: bool = False) -> None:
        self.station = station
        # A person posing expects a mirror: the preview is flipped left-right, only on screen
        # (the frames the service measures and crops are the camera's own).
        self.mirror = mirror
        self.view = view
        self.consume = consume or _drain
        self.on_done = on_done
        self.on_error = on_error
        self.on_event = on_event
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

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        self._stop.clear()
        self.started_at = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self._thread.start()
        self._clock = Clock.schedule_interval(self._show, 0)  # every frame; blits only new ones

    def stop(self) -> None:
        self._stop.set()
        if self._clock is not None:
            self._clock.cancel()
            self._clock = None
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=3)
        self._thread = None
        # The last frame (shrunk copy and its texture) is not needed once the camera is off.
        with self._lock:
            self._latest = None
        self._texture = None
        if not MEMORY_BASELINE and threading.current_thread() is threading.main_thread():
            self.view.texture = None

    @property
    def shown_fps(self) -> float:
        elapsed = time.monotonic() - self.started_at
        return self.frames_shown / elapsed if elapsed > 0 else 0.0

    def keep(self, frame: Frame) -> None:
        """Called in the camera thread for every frame read."""
        self.frames_read += 1
        small = _shrink(frame.image)
        if self.mirror:
            small = cv2.flip(small, 1)
        with self._lock:
            self._latest, self._fresh = small, True

    def report_events(self, events: list[CameraEvent]) -> None:
        if self.on_event is not None:
            for event in events:
                self.later(self.on_event, event)

    def _run(self) -> None:
        settings = self.station.settings

        def opener() -> Any:
            return open_camera(settings["camera.device"], int(settings["camera.width"]),
                               int(settings["camera.height"]), loop=True, realtime=True)

        try:
            camera = ResilientCamera(opener)
        except BaseException as exc:
            self._fail(exc)
            return
        tap = FrameTap(camera, self)
        self.report_events(camera.events())
        try:
            result = self.consume(tap)
        except BaseException as exc:
            self._fail(exc)
        else:
            if self.on_done is not None and not self.stopping:
                self.later(self.on_done, result)
        finally:
            camera.close()

    def later(self, callback: Callable[[Any], None], value: Any) -> None:
        """Call ``callback(value)`` on the UI thread (from the camera thread)."""
        Clock.schedule_once(lambda _dt: callback(value), -1)

    def _fail(self, exc: BaseException) -> None:
        if self.on_error is not None and not self.stopping:
            self.later(self.on_error, exc)

    def _show(self, _dt: float) -> None:
        with self._lock:
            image, fresh = self._latest, self._fresh
            self._fresh = False
        if image is None or not fresh:
            return
        h, w = image.shape[:2]
        if self._texture is None or self._texture.size != (w, h):
            self._texture = Texture.create(size=(w, h), colorfmt="bgra")
            self._texture.flip_vertical()
        # Four bytes a pixel, in the texture's own order: the GL driver copies the rows as they
        # are (three-byte BGR had to be widened pixel by pixel, in software on llvmpipe, on
        # the screen's thread); and no bytes copy of the frame (it is contiguous).
        self._texture.blit_buffer(memoryview(image).cast("B"), colorfmt="bgra",
                                  bufferfmt="ubyte")
        self.view.texture = self._texture
        self.view.canvas.ask_update()
        self.frames_shown += 1


def _shrink(image: Any) -> Any:
    """The frame for the screen, in the camera thread: at most PREVIEW_MAX_WIDTH wide, BGRA
    (what the texture takes as is), contiguous."""
    h, w = image.shape[:2]
    if w > PREVIEW_MAX_WIDTH:
        scale = PREVIEW_MAX_WIDTH / w
        image = cv2.resize(image, (PREVIEW_MAX_WIDTH, round(h * scale)),
                           interpolation=cv2.INTER_AREA)
    if image.ndim == 3 and image.shape[2] == 4:
        return np.ascontiguousarray(image)
    code = cv2.COLOR_GRAY2BGRA if image.ndim == 2 else cv2.COLOR_BGR2BGRA
    return cv2.cvtColor(image, code)

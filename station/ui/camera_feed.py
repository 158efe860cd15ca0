"""The live camera on screen, while a camera service reads the same frames.

The camera is the one ``camera.device`` names (a webcam, the Pi camera, or a video file or
photo standing in for one), opened through :class:`~station.camera.resilient.ResilientCamera`
so an unplugged camera is reported and comes back by itself. A thread runs ``consume(tap)``
— e.g. :func:`station.services.camera_verify.verify_stream` or
:func:`station.services.photo_capture.run_capture` — on a :class:`FrameTap`: every frame it
reads is also kept, shrunk to the size the screen draws it at, and the screen is woken to draw
it (a Clock trigger fired from the camera thread) instead of polling on every frame.
``on_done`` receives what ``consume`` returned, on the UI thread. Nothing is written anywhere.
With ``mirror`` (the photo booth) the preview is flipped left-right like a mirror (by the
texture's coordinates: no pixel is copied for it); the service still reads the camera's own
frames, so the photo taken is not mirrored. Kivy's frame cap stays the kiosk's 30: raising it
to 60 while a camera is on screen was measured and lost (docs/PERFORMANCE.md, issue 17).

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
"""Frames are shrunk to at most this width (and to the view's size) in the camera thread."""


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
        """Distinct camera frames whose pixels reached the texture and were then flipped to
        the screen (counted at the window's flip, not at the upload)."""
        self.started_at = 0.0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._latest: Any = None
        self._fresh = False
        self._blitted = False
        self._box: tuple[int, int] | None = None
        self._thread: threading.Thread | None = None
        self._trigger: Any = None
        self._texture: Texture | None = None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        self._stop.clear()
        self.started_at = time.monotonic()
        # Fired by the camera thread for each frame kept (Kivy's scheduling is thread-safe;
        # several frames before the screen's next turn make one call, which shows the newest).
        self._trigger = Clock.create_trigger(self._show, 0)
        self.view.bind(size=self._aim)
        self._aim()
        from kivy.core.window import Window  # imported here: importing it opens the window

        # Dispatched after the window was drawn, just before its buffers are swapped.
        Window.bind(on_flip=self._flipped)
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._trigger is not None:
            self._trigger.cancel()
            self._trigger = None
            self.view.unbind(size=self._aim)
            from kivy.core.window import Window

            Window.unbind(on_flip=self._flipped)
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
        small = _shrink(frame.image, self._box)
        with self._lock:
            self._latest, self._fresh = small, True
        trigger = self._trigger
        if trigger is not None:
            trigger()

    def _aim(self, *_args: Any) -> None:
        """The view's size in pixels, read by the camera thread: frames are shrunk to it there
        (on llvmpipe or a Pi, uploading and sampling a texture 3× the pixels drawn costs the
        screen's thread and the renderer; the service still gets the full frame)."""
        w, h = self.view.size
        self._box = (int(w), int(h)) if w >= 16 and h >= 16 else None

    def _flipped(self, *_args: Any) -> None:
        if self._blitted:
            self._blitted = False
            self.frames_shown += 1

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
            self._texture.flip_vertical()  # the frame's first row is the top of the picture
            if self.mirror:
                self._texture.flip_horizontal()
        # Four bytes a pixel, in the texture's own order: the GL driver copies the rows as they
        # are (three-byte BGR had to be widened pixel by pixel, in software on llvmpipe, on
        # the screen's thread); and no bytes copy of the frame (it is contiguous).
        self._texture.blit_buffer(memoryview(image).cast("B"), colorfmt="bgra",
                                  bufferfmt="ubyte")
        self.view.texture = self._texture
        self.view.canvas.ask_update()
        self._blitted = True  # counted as shown at the next flip (_flipped)


def fitted_size(width: int, height: int, box: tuple[int, int] | None) -> tuple[int, int]:
    """The size a ``width`` × ``height`` frame is drawn at in a view of ``box`` pixels (the
    picture kept whole, as the Image's "contain"), never enlarged, at most
    PREVIEW_MAX_WIDTH wide."""
    scale = min(1.0, PREVIEW_MAX_WIDTH / width)
    if box is not None:
        scale = min(scale, box[0] / width, box[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _shrink(image: Any, box: tuple[int, int] | None = None) -> Any:
    """The frame for the screen, in the camera thread: the size it is drawn at
    (:func:`fitted_size`), BGRA (what the texture takes as is), contiguous.

    OpenCV's area average is fast only for whole-number steps (1280 → 800 took 6 ms a frame,
    1280 → 640 under 1 ms): the frame is first averaged down by the largest whole step that
    stays above the target, then brought to the target bilinearly (less than 2× apart, so
    no pixel is skipped)."""
    h, w = image.shape[:2]
    tw, th = fitted_size(w, h, box)
    if (tw, th) != (w, h):
        step = min(w // tw, h // th)
        if step >= 2:
            image = cv2.resize(image[:h - h % step, :w - w % step], (w // step, h // step),
                               interpolation=cv2.INTER_AREA)
        if image.shape[:2] != (th, tw):
            image = cv2.resize(image, (tw, th), interpolation=cv2.INTER_LINEAR)
    if image.ndim == 3 and image.shape[2] == 4:
        return np.ascontiguousarray(image)
    code = cv2.COLOR_GRAY2BGRA if image.ndim == 2 else cv2.COLOR_BGR2BGRA
    return cv2.cvtColor(image, code)

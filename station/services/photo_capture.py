"""Taking a student's ID photo with the station's camera: live hints, auto or manual capture,
the crop, and storing it for the student.

The touchscreen and ``station photo capture`` use the same :class:`PhotoSession`: feed it
frames, show :attr:`PhotoFeedback.hint_es`, and it captures by itself once every check has
held for ``camera.auto_capture_s`` (the sharpest frame of that second is the one kept), or when
:meth:`PhotoSession.take` is called (manual). :func:`store_photo` then stores the JPEG and
links it to the student in one write transaction.

>>> session = PhotoSession(hold_s=1.0)                           # doctest: +SKIP
>>> for frame in frames:                                         # doctest: +SKIP
...     feedback = session.feed(frame); show(feedback.hint_es)
...     if session.captured: break
>>> store_photo(station, curp, session.captured)                 # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from foundation.card_templates import CardTemplate
from foundation.errors import NotFound, RuleViolation
from station.camera.background import flatten_background
from station.camera.face import FaceAnalyzer
from station.camera.frames import EndOfVideo, Frame
from station.camera.id_photo import cut, encode_jpeg, print_pixels, stored_pixels
from station.camera.resilient import CameraEvent, ResilientCamera
from station.core.photo_rules import (
    DEFAULT_RULES,
    Assessment,
    AutoCapture,
    FaceMeasurement,
    Phase,
    PhotoRules,
    assess,
)
from station.services.station import Station
from station.store import ledger


@dataclass(frozen=True, slots=True)
class PhotoFeedback:
    """What the screen shows for one frame."""

    t: float
    phase: Phase
    progress: float
    hint_es: str
    problems: tuple[str, ...]
    sharpness: float
    face_brightness: float

    def to_json(self) -> dict[str, Any]:
        return {"t": round(self.t, 3), "phase": self.phase.value,
                "progress": round(self.progress, 2), "hint": self.hint_es,
                "problems": list(self.problems), "sharpness": round(self.sharpness, 1),
                "face_brightness": round(self.face_brightness, 1)}


@dataclass(frozen=True, slots=True)
class CapturedPhoto:
    """The ID photo, ready to store: JPEG bytes at twice the card's print resolution."""

    jpeg: bytes
    width: int
    height: int
    frame_index: int
    sharpness: float
    background_flattened: bool

    def to_json(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height, "bytes": len(self.jpeg),
                "frame": self.frame_index, "sharpness": round(self.sharpness, 1),
                "background_flattened": self.background_flattened}


@dataclass(slots=True)
class _Candidate:
    frame: Frame
    measurement: FaceMeasurement
    assessment: Assessment


class PhotoSession:
    """One student's photo session. Not thread-safe: feed it from one loop."""

    def __init__(self, *, hold_s: float = 1.0, auto: bool = True,
                 rules: PhotoRules = DEFAULT_RULES, template: CardTemplate | None = None,
                 analyzer: FaceAnalyzer | None = None, flatten: bool = False) -> None:
        self.auto = auto
        self.rules = rules
        self.flatten = flatten
        self.print_px = print_pixels(template)
        self.store_px = stored_pixels(template)
        self._analyzer = analyzer or FaceAnalyzer()
        self._timer = AutoCapture(hold_s)
        self._analyzer.reset()
        self._latest: _Candidate | None = None
        self._best: _Candidate | None = None
        self._latest_full = Assessment(())
        self.captured: CapturedPhoto | None = None

    def feed(self, frame: Frame) -> PhotoFeedback:
        """Measure and check one frame; in auto mode, capture when the countdown ends."""
        m = self._analyzer.measure(frame.image, track=True)
        a = assess(m, photo_px=self.print_px, rules=self.rules)
        here = _Candidate(frame, m, a)
        self._latest = here
        state = self._timer.update(frame.t, a)
        if state.phase is Phase.WAITING:
            self._best = None
        elif self._best is None or m.sharpness > self._best.measurement.sharpness:
            self._best = here  # the sharpest frame of the countdown is the one kept
        if self.auto and state.phase is Phase.CAPTURE and self.captured is None:
            assert self._best is not None
            confirmed = self._confirm(self._best)
            if confirmed is None:
                self._timer.reset()
                self._best = None
                return PhotoFeedback(frame.t, Phase.WAITING, 0.0, a.hint_es, (), m.sharpness,
                                     m.face_brightness)
            self.captured = self._make(confirmed)
        return PhotoFeedback(frame.t, state.phase, state.progress, state.hint_es,
                             tuple(p.value for p in state.problems), m.sharpness,
                             m.face_brightness)

    def _confirm(self, chosen: _Candidate) -> _Candidate | None:
        """The chosen frame checked once more with a search of the whole frame (tracking
        only looks near the face); None when it no longer passes (someone stepped in)."""
        m = self._analyzer.measure(chosen.frame.image)
        a = assess(m, photo_px=self.print_px, rules=self.rules)
        self._latest_full = a
        return _Candidate(chosen.frame, m, a) if a.ok else None

    def take(self) -> CapturedPhoto:
        """Manual capture: the newest frame, if it passes every check.

        Raises :class:`RuleViolation` with the hint when it does not (the photo would not
        be good enough for the card).
        """
        here = self._latest
        if here is None:
            raise RuleViolation("Todavía no llega ninguna imagen de la cámara.",
                                way_out="Espere un momento y vuelva a intentar.")
        confirmed = self._confirm(here) if here.assessment.ok else None
        if confirmed is None:
            hint = (self._latest_full if here.assessment.ok else here.assessment).hint_es
            raise RuleViolation(f"La foto no se tomó: {hint}",
                                way_out="Corrija eso y vuelva a intentar.")
        self.captured = self._make(confirmed)
        return self.captured

    def _make(self, chosen: _Candidate) -> CapturedPhoto:
        crop = chosen.assessment.crop
        assert crop is not None
        photo = cut(chosen.frame.image, crop, self.store_px)
        flattened = False
        if self.flatten:
            plain = flatten_background(photo)
            if plain is not None:
                photo, flattened = plain, True
        return CapturedPhoto(encode_jpeg(photo), self.store_px[0], self.store_px[1],
                             chosen.frame.index, chosen.measurement.sharpness, flattened)


def check_student(station: Station, curp: str) -> None:
    """:class:`NotFound` unless ``curp`` is a student in this station's roster."""
    with station.db.read() as conn:
        if not ledger.get_students(conn, [curp]):
            raise NotFound(f"La CURP {curp} no está en la plantilla de alumnos de esta estación.",
                           way_out="Revise la CURP o importe la plantilla de SCEJAL.")


def store_photo(station: Station, curp: str, photo: CapturedPhoto) -> str:
    """Store ``photo`` and make it the student's photo, in one write transaction; returns its
    hash. A CURP that is not in the roster leaves the ledger unchanged (NotFound)."""
    with station.db.write() as conn:
        if not ledger.get_students(conn, [curp]):
            raise NotFound(f"La CURP {curp} no está en la plantilla de alumnos de esta estación.",
                           way_out="Revise la CURP o importe la plantilla de SCEJAL.")
        digest = station.photos.add(photo.jpeg, ext="jpg")
        ledger.set_photo(conn, curp, digest)
    return digest


def run_capture(camera: ResilientCamera, session: PhotoSession, *,
                on_feedback: Callable[[PhotoFeedback], None] = lambda _f: None,
                on_event: Callable[[CameraEvent], None] = lambda _e: None,
                on_refused: Callable[[RuleViolation], None] = lambda _e: None,
                take_requested: Callable[[], bool] = lambda: False,
                should_stop: Callable[[], bool] = lambda: False,
                max_seconds: float = 120.0) -> CapturedPhoto | None:
    """Feed ``camera`` into ``session`` until a photo is captured (returned), the video ends,
    ``should_stop()`` or ``max_seconds`` of wall time pass (None).

    ``take_requested()`` is asked after every frame: True means the operator pressed the
    button (manual capture); a refused manual capture goes to ``on_refused``. Camera losses
    and reconnections go to ``on_event``; they never end the session.
    """
    deadline = time.monotonic() + max_seconds
    while not should_stop() and time.monotonic() < deadline:
        try:
            frame = camera.read()
        except EndOfVideo:
            break
        for event in camera.events():
            on_event(event)
        if frame is None:
            continue
        on_feedback(session.feed(frame))
        if session.captured is None and take_requested():
            try:
                session.take()
            except RuleViolation as exc:
                on_refused(exc)
        if session.captured is not None:
            return session.captured
    return None

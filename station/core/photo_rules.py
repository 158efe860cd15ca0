"""The ID-photo rules: where the crop goes, which check fails, what the screen says, and when
the photo takes itself.

Pure rules: the camera measures a frame (faces, eyes, sharpness, light) and hands the numbers
here as a :class:`FaceMeasurement`; nothing in this module sees pixels.

The crop rule (sizes in units of the detected face box's height ``h``, as OpenCV's frontal
Haar cascade draws it: brows to mouth, a little wider than tall):

- the head, crown to chin, is about ``HEAD_IN_BOXES`` = 1.6 ``h``;
- the head fills ``HEAD_SHARE`` = 68 % of the photo's height (ICAO asks 70-80 % of a
  passport photo; a little less keeps some air above the hair and the shoulders in);
- the eye line sits ``EYE_LINE`` = 42 % of the height from the top, centred across;
- the crop has the card frame's proportions exactly and is levelled by the eye line, so the
  photo is cut and scaled, never stretched.

>>> m = FaceMeasurement(frame_w=1280, frame_h=720, faces=(Rect(560, 200, 160, 160),),
...                     eyes=((610.0, 262.0), (670.0, 262.0)), sharpness=200.0,
...                     face_brightness=140.0, face_clipped=0.0, background_brightness=150.0)
>>> a = assess(m, photo_px=(224, 299))
>>> a.ok, a.hint_es
(True, 'Listo, no te muevas.')
>>> round(a.crop.h), round(a.crop.w)
(376, 282)
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

HEAD_IN_BOXES = 1.6
HEAD_SHARE = 0.68
EYE_LINE = 0.42
EYES_IN_BOX = 0.38
"""Where the eyes are in a face box, from its top, when the eye detector finds none."""


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned box in pixels: top-left corner, width, height."""

    x: float
    y: float
    w: float
    h: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    def overlaps(self, other: Rect) -> bool:
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)


@dataclass(frozen=True, slots=True)
class Crop:
    """The photo's window in the frame: centre, size (pixels) and the angle that levels it.

    ``angle_deg`` is the head's tilt: rotate the frame by it about the centre, then cut
    the ``w`` × ``h`` box centred there.
    """

    cx: float
    cy: float
    w: float
    h: float
    angle_deg: float = 0.0

    def corners(self) -> list[tuple[float, float]]:
        a = math.radians(self.angle_deg)
        cos, sin = math.cos(a), math.sin(a)
        out = []
        for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            x, y = dx * self.w / 2, dy * self.h / 2
            out.append((self.cx + x * cos - y * sin, self.cy + x * sin + y * cos))
        return out


@dataclass(frozen=True, slots=True)
class FaceMeasurement:
    """What the camera measured in one frame, in that frame's pixels.

    ``faces``: every face found, the student's (largest) first. ``eyes``: the centres of the
    main face's two eyes (image left first), or None when they were not both found.
    ``sharpness``: variance of the Laplacian of the face, resampled to a fixed width so
    it does not depend on the distance. Brightness values are mean luma (0-255) of the
    face's centre and of the background beside the head; ``face_clipped`` the share of face
    pixels at full white. ``capture_scale``: capture pixels per measured pixel (the photo
    is cut from a larger frame than the one analysed).
    """

    frame_w: int
    frame_h: int
    faces: tuple[Rect, ...]
    eyes: tuple[tuple[float, float], tuple[float, float]] | None
    sharpness: float
    face_brightness: float
    """Without a face: the whole frame's mean luma."""
    face_clipped: float
    background_brightness: float
    capture_scale: float = 1.0
    roll_deg: float | None = None
    """The head's tilt when the eyes are unknown but the face was found on a turned copy."""


class Problem(enum.StrEnum):
    NO_FACE = "no-face"
    MANY_FACES = "many-faces"
    TOO_FAR = "too-far"
    TOO_CLOSE = "too-close"
    GO_LEFT = "go-left"
    GO_RIGHT = "go-right"
    GO_DOWN = "go-down"
    GO_UP = "go-up"
    TILTED = "tilted"
    MOVING = "moving"
    BLURRED = "blurred"
    BACKLIT = "backlit"
    TOO_DARK = "too-dark"
    TOO_BRIGHT = "too-bright"


HINTS_ES: dict[Problem, str] = {
    Problem.NO_FACE: "No se ve tu cara. Mira de frente a la cámara.",
    Problem.MANY_FACES: "Solo debe aparecer una persona en la foto.",
    Problem.TOO_FAR: "Acércate un poco a la cámara.",
    Problem.TOO_CLOSE: "Aléjate un poco de la cámara.",
    # Left and right are the student's own (the camera faces them), so a mirrored preview
    # or not, the words mean the same.
    Problem.GO_LEFT: "Muévete un poco hacia tu izquierda.",
    Problem.GO_RIGHT: "Muévete un poco hacia tu derecha.",
    Problem.GO_DOWN: "Agáchate un poco.",
    Problem.GO_UP: "Enderézate un poco.",
    Problem.TILTED: "Endereza la cabeza, sin inclinarla.",
    Problem.MOVING: "Quédate quieto un momento.",
    Problem.BLURRED: "La foto sale borrosa: quédate quieto o limpia la cámara.",
    Problem.BACKLIT: "Hay mucha luz detrás de ti. Cambia de lugar o cierra la cortina.",
    Problem.TOO_DARK: "Hay poca luz. Enciende la luz o acércate a una ventana.",
    Problem.TOO_BRIGHT: "Hay demasiada luz en tu cara. Aléjate de la luz directa.",
}
READY_ES = "Listo, no te muevas."


@dataclass(frozen=True, slots=True)
class PhotoRules:
    """The thresholds. Tuned on transformed copies of a real photo (tests/test_photo_*)."""

    min_face_share: float = 0.16
    """Face box height over frame height below which the student is too far."""
    max_face_share: float = 0.42
    max_off_centre: float = 0.15
    """How far (share of the frame width) the face may sit from the middle."""
    max_tilt_deg: float = 8.0
    min_sharpness: float = 10.0
    """See :func:`station.camera.face.sharpness`: the test photo scores 16-19 sharp, 8 with a
    1-pixel blur, 4 with 1.5 px. Tuned on that one photo: recheck on the station's camera
    (``station photo capture --json`` shows the score with each hint and the photo's)."""
    min_brightness: float = 65.0
    max_brightness: float = 215.0
    max_clipped: float = 0.12
    backlit_difference: float = 70.0
    """Background this much brighter than the face is backlight."""
    other_face_share: float = 0.5
    """Another face at least this size (relative to the student's) counts as a second person."""
    mirrored: bool = False
    """The frames are mirror images (some Pi camera set-ups): swaps left and right."""


DEFAULT_RULES = PhotoRules()


@dataclass(frozen=True, slots=True)
class Assessment:
    """The verdict on one frame: every failed check, worst first, and the crop if any."""

    problems: tuple[Problem, ...]
    crop: Crop | None = None
    tilt_deg: float | None = None
    face_centre: tuple[float, float] | None = field(default=None)
    """The student's face centre as a share of the frame (0-1, 0-1)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def hint_es(self) -> str:
        """The one sentence the screen shows: the first problem's, or that all is well."""
        return HINTS_ES[self.problems[0]] if self.problems else READY_ES


def tilt_of(eyes: tuple[tuple[float, float], tuple[float, float]]) -> float:
    """The eye line's angle in degrees (positive: the right of the image is lower).

    >>> tilt_of(((0.0, 0.0), (10.0, 10.0)))
    45.0
    """
    (x1, y1), (x2, y2) = sorted(eyes)
    return math.degrees(math.atan2(y2 - y1, x2 - x1))


def crop_for(face: Rect, eyes: tuple[tuple[float, float], tuple[float, float]] | None,
             aspect: float, *, level: bool = True) -> Crop:
    """The ID-photo window for ``face`` by the crop rule (see the module docstring).

    ``aspect`` is the photo frame's width over height.

    >>> c = crop_for(Rect(100, 100, 100, 100), None, 0.75)
    >>> round(c.h), round(c.w), round(c.cy - c.h * (0.5 - EYE_LINE))
    (235, 176, 138)
    """
    if eyes is not None:
        ex = (eyes[0][0] + eyes[1][0]) / 2
        ey = (eyes[0][1] + eyes[1][1]) / 2
        angle = tilt_of(eyes) if level else 0.0
    else:
        ex, ey, angle = face.x + face.w / 2, face.y + EYES_IN_BOX * face.h, 0.0
    h = HEAD_IN_BOXES * face.h / HEAD_SHARE
    w = h * aspect
    # The crop centre lies below the eye line by (0.5 - EYE_LINE) of its height, along the
    # levelled vertical.
    down = (0.5 - EYE_LINE) * h
    a = math.radians(angle)
    return Crop(float(ex - down * math.sin(a)), float(ey + down * math.cos(a)), float(w),
                float(h), float(angle))


def _main_and_others(faces: tuple[Rect, ...]) -> tuple[Rect, list[Rect]]:
    ordered = sorted(faces, key=lambda f: f.w * f.h, reverse=True)
    return ordered[0], ordered[1:]


def assess(m: FaceMeasurement, *, photo_px: tuple[int, int],
           rules: PhotoRules = DEFAULT_RULES) -> Assessment:
    """Every check on one frame's measurement, in the order the student should fix them.

    ``photo_px`` is the photo frame's size in print pixels (300 dpi): it fixes the crop's
    proportions and the least resolution the crop must have in the captured frame.
    """
    if not m.faces:
        # A black or burnt-out picture hides the face: then the light is the first thing.
        light = [p for p in _light(m, rules) if p is not Problem.BACKLIT]
        return Assessment((*light, Problem.NO_FACE))
    face, others = _main_and_others(m.faces)
    tilt = tilt_of(m.eyes) if m.eyes is not None else m.roll_deg
    crop = crop_for(face, m.eyes, photo_px[0] / photo_px[1],
                    level=m.eyes is not None and abs(tilt or 0.0) <= rules.max_tilt_deg)
    centre = ((face.x + face.w / 2) / m.frame_w, (face.y + face.h / 2) / m.frame_h)
    problems: list[Problem] = []
    crop_box = _bounds(crop)
    if any(o.h >= rules.other_face_share * face.h or o.overlaps(crop_box) for o in others):
        problems.append(Problem.MANY_FACES)
    share = face.h / m.frame_h
    if share < rules.min_face_share or crop.h * m.capture_scale < photo_px[1]:
        problems.append(Problem.TOO_FAR)
    elif share > rules.max_face_share or crop.h > m.frame_h:
        problems.append(Problem.TOO_CLOSE)
    else:
        problems += _position(crop_box, centre, m, rules)
    if tilt is not None and abs(tilt) > rules.max_tilt_deg:
        problems.append(Problem.TILTED)
    if m.sharpness < rules.min_sharpness:
        problems.append(Problem.BLURRED)
    problems += _light(m, rules)
    return Assessment(tuple(problems), crop, tilt, centre)


def _bounds(crop: Crop) -> Rect:
    xs, ys = zip(*crop.corners(), strict=True)
    return Rect(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def _position(box: Rect, centre: tuple[float, float], m: FaceMeasurement,
              rules: PhotoRules) -> list[Problem]:
    out = []
    # In the image, the student's left is on the right (unless the frames are mirrored):
    # a face left of the middle must move to the student's left.
    too_left = box.x < 0 or centre[0] < 0.5 - rules.max_off_centre
    too_right = box.x + box.w > m.frame_w or centre[0] > 0.5 + rules.max_off_centre
    if too_left != too_right:
        go_left = too_left != rules.mirrored
        out.append(Problem.GO_LEFT if go_left else Problem.GO_RIGHT)
    if box.y < 0:
        out.append(Problem.GO_DOWN)
    elif box.y + box.h > m.frame_h:
        out.append(Problem.GO_UP)
    return out


def _light(m: FaceMeasurement, rules: PhotoRules) -> list[Problem]:
    if (m.background_brightness - m.face_brightness >= rules.backlit_difference
            and m.face_brightness < 140):
        return [Problem.BACKLIT]
    if m.face_brightness < rules.min_brightness:
        return [Problem.TOO_DARK]
    if m.face_brightness > rules.max_brightness or m.face_clipped > rules.max_clipped:
        return [Problem.TOO_BRIGHT]
    return []


# --- auto-capture ---------------------------------------------------------------------------

class Phase(enum.StrEnum):
    WAITING = "waiting"
    """A check fails: the screen shows its hint."""
    HOLDING = "holding"
    """Every check holds; the countdown runs (``progress`` 0 → 1)."""
    CAPTURE = "capture"
    """Held long enough: take the photo now (given once)."""


@dataclass(frozen=True, slots=True)
class CaptureState:
    phase: Phase
    progress: float
    hint_es: str
    problems: tuple[Problem, ...] = ()


class AutoCapture:
    """Takes the photo by itself once every check has held for ``hold_s`` seconds.

    Time comes from the frames (``t`` in seconds, any origin), so a video file plays the same
    whatever the machine's speed. The countdown restarts when a check fails, when the face
    moves more than ``max_move`` (share of the frame) from where it was when the countdown
    started, or when frames stop arriving for ``max_gap_s`` (the camera hiccupped).

    >>> ac = AutoCapture(hold_s=1.0)
    >>> ok = Assessment((), face_centre=(0.5, 0.4))
    >>> [ac.update(t, ok).phase.value for t in (0.0, 0.5, 1.0, 1.1)]
    ['holding', 'holding', 'capture', 'waiting']
    """

    def __init__(self, hold_s: float = 1.0, *, max_move: float = 0.04,
                 max_gap_s: float = 0.5) -> None:
        self.hold_s = hold_s
        self.max_move = max_move
        self.max_gap_s = max_gap_s
        self._start: float | None = None
        self._anchor: tuple[float, float] | None = None
        self._last_t: float | None = None
        self._fired = False

    def reset(self) -> None:
        self._start = self._anchor = None
        self._fired = False

    def update(self, t: float, assessment: Assessment) -> CaptureState:
        gap = self._last_t is not None and not 0 <= t - self._last_t <= self.max_gap_s
        self._last_t = t
        if gap:
            self._start = self._anchor = None
        if not assessment.ok:
            self._start = self._anchor = None
            return CaptureState(Phase.WAITING, 0.0, assessment.hint_es, assessment.problems)
        if self._fired:
            return CaptureState(Phase.WAITING, 0.0, READY_ES)
        here = assessment.face_centre
        if self._start is None or self._anchor is None or here is None:
            self._start, self._anchor = t, here
        elif math.dist(here, self._anchor) > self.max_move:
            self._start, self._anchor = t, here
            return CaptureState(Phase.WAITING, 0.0, HINTS_ES[Problem.MOVING], (Problem.MOVING,))
        progress = 1.0 if self.hold_s <= 0 else min(1.0, (t - self._start) / self.hold_s)
        if progress >= 1.0:
            self._fired = True
            return CaptureState(Phase.CAPTURE, 1.0, READY_ES)
        return CaptureState(Phase.HOLDING, progress, READY_ES)

"""Measure a frame for the ID photo: faces and eyes (the Haar cascades OpenCV ships), focus
and light. The numbers go to :func:`station.core.photo_rules.assess`; nothing is decided here.

Detection runs on a copy ``ANALYSIS_HEIGHT`` pixels high with local contrast equalised (a dark
or backlit face is still found, so the rules can say *why* it is not good); coordinates come
back in the frame's own pixels. ``frontalface_alt2`` reads the test poses better than
``default`` and faster (bench/bench_camera_face.py).

No model is downloaded: the cascades are files inside the opencv-python wheel.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from station.camera.frames import CameraError
from station.core.photo_rules import FaceMeasurement, Rect

ANALYSIS_HEIGHT = 240
FULL_SEARCH_EVERY = 5
SHARPNESS_WIDTH = 128
"""The face is resampled to this width before the Laplacian, so sharpness ignores distance."""
FACE_CASCADE = "haarcascade_frontalface_alt2.xml"
TURNED_TRIES = (22.0, -22.0)
"""When no face is found upright, the frame is turned by one of these and searched again."""
EYE_CASCADE = "haarcascade_eye.xml"

Eyes = tuple[tuple[float, float], tuple[float, float]]
Box = tuple[float, float, float, float]
"""x, y, w, h in the pixels of the analysis copy."""


def _cascade(name: str) -> cv2.CascadeClassifier:
    path = Path(cv2.data.haarcascades) / name
    cascade = cv2.CascadeClassifier(str(path))
    if cascade.empty():
        raise CameraError(
            f"Falta el detector de caras de OpenCV ({name}).",
            way_out="Reinstale la estación (paquete opencv-python-headless 4.x).")
    return cascade


class FaceAnalyzer:
    """Reusable (the cascades load once, ~30 ms); not thread-safe: one per camera loop.

    With ``track=True`` (live frames of one session) a frame is first searched only around
    the face of the frame before, at sizes near its size: ~5× cheaper than a full search.
    The whole frame is still searched every :data:`FULL_SEARCH_EVERY` frames (someone else
    stepping in) and whenever the face is not where it was.
    """

    def __init__(self, *, analysis_height: int = ANALYSIS_HEIGHT,
                 face_cascade: str = FACE_CASCADE) -> None:
        self.analysis_height = analysis_height
        self._faces = _cascade(face_cascade)
        self._eyes = _cascade(EYE_CASCADE)
        # Local contrast for the detector only: a face against a bright window stays findable.
        self._clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4))
        self._turn = 0
        self.reset()

    def reset(self) -> None:
        """Forget the tracked face (a new student)."""
        # The tracked face: the angle of the copy it was found on and its box there.
        self._tracked: tuple[float, Box] | None = None
        self._others: list[Rect] = []
        self._since_full = 0

    def detect(self, grey: np.ndarray, *, track: bool = False) -> tuple[list[Rect], float | None]:
        """Faces in a grey frame, largest first, in the frame's pixels; and the head's roll
        when they were only found on a turned copy.

        The frontal cascade misses heads tilted more than ~15°, and "straighten your head"
        helps more than "no face": a frame without an upright face is searched again,
        turned by :data:`TURNED_TRIES` (when tracking, by one of them in turn from frame to
        frame, so no frame pays for both; a tilted head is then tracked on its turned copy).
        """
        h, w = grey.shape[:2]
        scale = min(1.0, self.analysis_height / h)
        small = grey if scale == 1.0 else cv2.resize(grey, (round(w * scale), round(h * scale)),
                                                     interpolation=cv2.INTER_AREA)
        small = self._clahe.apply(small)
        if track and self._tracked is not None and self._since_full < FULL_SEARCH_EVERY:
            angle, box = self._tracked
            view, back = _turned(small, angle)
            near = self._near(view, box)
            if near is not None:
                self._since_full += 1
                self._tracked = (angle, near)
                face = _to_frame([near], scale, back)[0]
                others = [o for o in self._others if not o.overlaps(face)]
                return [face, *others], (angle or None)
        angle, boxes = self._full(small, track)
        back = _turned(small, angle)[1] if boxes and angle else None
        faces = _to_frame(boxes, scale, back)
        self._tracked = (angle, boxes[0]) if boxes else None
        self._others = faces[1:]
        self._since_full = 1
        return faces, (angle or None) if boxes else None

    def _full(self, small: np.ndarray, track: bool) -> tuple[float, list[Box]]:
        """Boxes found searching the whole analysis copy (largest first) and the angle of
        the copy they were found on (0: upright)."""
        found = _boxes(self._search(small, 4))
        if found:
            return 0.0, found
        if track:
            # The angle that found the head last frame first; otherwise the next one in turn.
            last = self._tracked[0] if self._tracked and self._tracked[0] else None
            angles: tuple[float, ...] = (
                last if last is not None else TURNED_TRIES[self._turn % len(TURNED_TRIES)],)
        else:
            angles = TURNED_TRIES
        for angle in angles:
            # A turned copy shows odd shapes (corners, stripes): ask for more agreement.
            found = _boxes(self._search(_turned(small, angle)[0], 6))
            if found:
                return angle, found
        self._turn += 1
        return 0.0, []

    def _search(self, image: np.ndarray, agreement: int) -> Any:
        # Faces under 10 % of the frame's height are far beyond "come closer"; over 80 %,
        # the camera sees only part of one.
        lo, hi = max(20, round(image.shape[0] * 0.10)), round(image.shape[0] * 0.8)
        return self._faces.detectMultiScale(image, scaleFactor=1.15, minNeighbors=agreement,
                                            minSize=(lo, lo), maxSize=(hi, hi))

    def _near(self, view: np.ndarray, last: Box) -> Box | None:
        """The face near where it was (same size ±30 %) in the analysis copy, or None."""
        x, y, side, _ = last
        pad = 0.6 * side
        x0, y0 = int(max(0, x - pad)), int(max(0, y - pad))
        x1 = int(min(view.shape[1], x + side + pad))
        y1 = int(min(view.shape[0], y + side + pad))
        lo, hi = max(20, round(side * 0.75)), round(side * 1.35)
        if x1 - x0 < lo or y1 - y0 < lo:
            return None
        found = _boxes(self._faces.detectMultiScale(view[y0:y1, x0:x1], scaleFactor=1.1,
                                                    minNeighbors=4, minSize=(lo, lo),
                                                    maxSize=(hi, hi)))
        if not found:
            return None
        bx, by, bw, bh = found[0]
        return (bx + x0, by + y0, bw, bh)

    def eyes(self, grey: np.ndarray, face: Rect) -> Eyes | None:
        """Centres of the two eyes of ``face`` (image left first), when both are found in
        plausible places; None otherwise (closed eyes, glasses glare, a turned head)."""
        x0, y0 = max(0, int(face.x)), max(0, int(face.y + 0.15 * face.h))
        x1 = min(grey.shape[1], int(face.x + face.w))
        y1 = min(grey.shape[0], int(face.y + 0.62 * face.h))
        if x1 - x0 < 20 or y1 - y0 < 10:
            return None
        roi = grey[y0:y1, x0:x1]
        scale = min(1.0, 120 / roi.shape[1])
        if scale < 1.0:
            roi = cv2.resize(roi, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        roi = self._clahe.apply(roi)
        side = max(8, round(roi.shape[1] * 0.12))
        found = self._eyes.detectMultiScale(roi, scaleFactor=1.15, minNeighbors=3,
                                            minSize=(side, side),
                                            maxSize=(roi.shape[1] // 2, roi.shape[1] // 2))
        centres = [((x0 + (ex + ew / 2) / scale), (y0 + (ey + eh / 2) / scale), ew / scale)
                   for ex, ey, ew, eh in found]
        best: Eyes | None = None
        best_score = float("inf")
        mid = face.x + face.w / 2
        for a, b in combinations(centres, 2):
            left, right = sorted((a, b))
            gap = right[0] - left[0]
            if not (left[0] < mid < right[0] and 0.25 * face.w <= gap <= 0.65 * face.w):
                continue
            size_ratio = max(left[2], right[2]) / min(left[2], right[2])
            if size_ratio > 1.6 or abs(right[1] - left[1]) > 0.5 * gap:
                continue
            # Prefer a symmetric pair of equal-sized eyes.
            score = abs((left[0] + right[0]) / 2 - mid) / face.w + (size_ratio - 1)
            if score < best_score:
                best, best_score = ((left[0], left[1]), (right[0], right[1])), score
        return best

    def measure(self, image: np.ndarray, *, capture_scale: float = 1.0,
                track: bool = False) -> FaceMeasurement:
        """Everything :func:`~station.core.photo_rules.assess` needs about ``image`` (BGR).

        ``track``: ``image`` is the next frame of a live session (see the class).
        """
        grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        h, w = grey.shape[:2]
        faces, roll = self.detect(grey, track=track)
        if not faces:
            return FaceMeasurement(w, h, (), None, 0.0, float(grey.mean()), 0.0,
                                   float(grey.mean()), capture_scale)
        face = faces[0]
        inner = _sub(grey, face, 0.2, 0.25, 0.8, 0.85)
        return FaceMeasurement(
            w, h, tuple(faces), None if roll else self.eyes(grey, face), sharpness(inner),
            face_brightness=float(inner.mean()),
            face_clipped=float((inner >= 250).mean()),
            background_brightness=_background(grey, face),
            capture_scale=capture_scale, roll_deg=roll)


def sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian of ``grey`` resampled to :data:`SHARPNESS_WIDTH` pixels wide,
    lightly smoothed and divided by its contrast (× 1000; a sharp face scores about 15-25).

    That width is about the face's width on the printed card (300 dpi): blur the print
    will not show does not count, blur it will show does, at any distance.

    >>> flat = np.full((200, 160), 128, np.uint8)
    >>> sharpness(flat)
    0.0
    """
    h, w = grey.shape[:2]
    size = (SHARPNESS_WIDTH, max(8, round(SHARPNESS_WIDTH * h / w)))
    # Shrinking averages (INTER_AREA); enlarging must not invent edges (INTER_LINEAR).
    how = cv2.INTER_AREA if w >= SHARPNESS_WIDTH else cv2.INTER_LINEAR
    sample = cv2.resize(grey, size, interpolation=how).astype(np.float32)
    # Sensor noise looks like detail to a Laplacian: smooth away what is finer than the
    # print shows, then divide by the face's own contrast (a dim face is not a blurred one).
    sample = cv2.GaussianBlur(sample, (0, 0), 1.0)
    spread = float(sample.std())
    if spread < 1.0:
        return 0.0
    return float(cv2.Laplacian(sample / spread, cv2.CV_32F).var()) * 1000


def _boxes(found: Any) -> list[Box]:
    """The detector's boxes as tuples, largest first."""
    boxes = [(float(x), float(y), float(w), float(h)) for x, y, w, h in found]
    return sorted(boxes, key=lambda b: b[2] * b[3], reverse=True)


def _turned(small: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray | None]:
    """``small`` turned by ``angle`` degrees about its centre, and the transform back."""
    if not angle:
        return small, None
    centre = (small.shape[1] / 2, small.shape[0] / 2)
    turn = cv2.getRotationMatrix2D(centre, angle, 1.0)
    view = cv2.warpAffine(small, turn, (small.shape[1], small.shape[0]),
                          borderMode=cv2.BORDER_REPLICATE)
    return view, cv2.invertAffineTransform(turn)


def _to_frame(boxes: list[Box], scale: float, back: np.ndarray | None = None) -> list[Rect]:
    """Boxes of the analysis copy (maybe turned) as rectangles of the frame, same order."""
    faces = []
    for x, y, fw, fh in boxes:
        cx, cy = x + fw / 2, y + fh / 2
        if back is not None:  # from the turned copy back to the frame
            cx, cy = back @ np.array([cx, cy, 1.0])
        faces.append(Rect(float(cx - fw / 2) / scale, float(cy - fh / 2) / scale,
                          fw / scale, fh / scale))
    return faces


def _sub(grey: np.ndarray, face: Rect, fx0: float, fy0: float, fx1: float,
         fy1: float) -> np.ndarray:
    """The part of ``face`` between fractions (fx0, fy0) and (fx1, fy1) of its box."""
    h, w = grey.shape[:2]
    x0 = int(np.clip(face.x + fx0 * face.w, 0, w - 1))
    y0 = int(np.clip(face.y + fy0 * face.h, 0, h - 1))
    x1 = int(np.clip(face.x + fx1 * face.w, x0 + 1, w))
    y1 = int(np.clip(face.y + fy1 * face.h, y0 + 1, h))
    return grey[y0:y1, x0:x1]


def _background(grey: np.ndarray, face: Rect) -> float:
    """Mean luma beside and above the head (what a window behind the student lights)."""
    h, w = grey.shape[:2]
    pad = 0.6 * face.w
    regions = []
    top = int(max(0, face.y - 0.3 * face.h))
    bottom = int(min(h, face.y + face.h))
    left_x1 = int(max(0, face.x - 0.35 * face.w))
    left_x0 = int(max(0, face.x - 0.35 * face.w - pad))
    right_x0 = int(min(w, face.x + 1.35 * face.w))
    right_x1 = int(min(w, face.x + 1.35 * face.w + pad))
    for x0, x1 in ((left_x0, left_x1), (right_x0, right_x1)):
        if x1 - x0 >= 4 and bottom - top >= 4:
            regions.append(grey[top:bottom, x0:x1])
    above_y1 = int(max(0, face.y - 0.7 * face.h))
    if above_y1 >= 4:
        regions.append(grey[0:above_y1, int(max(0, face.x)):int(min(w, face.x + face.w))])
    if not regions:
        return float(grey.mean())
    total = sum(float(r.sum()) for r in regions)
    return total / sum(r.size for r in regions)

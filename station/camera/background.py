"""Optional: replace a busy background behind the student with a plain light one.

No downloaded model: OpenCV's GrabCut separates the person from the background, seeded by what
the crop rule already knows (the head is in the middle, the shoulders at the bottom, the top
corners are background). It is slower than everything else here (~0.1-0.3 s per photo, once,
after the capture) and can clip fly-away hair, so it is off unless asked for
(``station photo capture --flatten-background``).
"""

from __future__ import annotations

import cv2
import numpy as np

from station.core.photo_rules import EYE_LINE, HEAD_SHARE

BACKGROUND_BGR = (240, 240, 240)
"""The plain background: a very light grey (pure white blows out on Teslin)."""


WORK_WIDTH = 224
"""GrabCut runs on a copy this wide (the print's own width): 4× faster than full size."""
MIN_HEAD_KEPT = 0.9
"""Share of the expected head area the person mask must keep, or the photo stays as it was."""


def person_mask(photo: np.ndarray, *, iterations: int = 4) -> tuple[np.ndarray, float]:
    """A soft mask (float32, 1 = person) of an ID photo cut by the crop rule, and the share of
    the expected head (an ellipse from the crop rule, above the chin) that it keeps."""
    full_h, full_w = photo.shape[:2]
    small = cv2.resize(photo, (WORK_WIDTH, round(WORK_WIDTH * full_h / full_w)),
                       interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    mask = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    head_h = HEAD_SHARE * h
    head_w = head_h * 0.72
    eye_y = EYE_LINE * h
    # The face's core is surely the person; an ellipse around head and a trapezoid for the
    # shoulders probably are; a strip at the top corners surely is background.
    face_core = (round(w / 2), round(eye_y + 0.1 * head_h))
    cv2.ellipse(mask, face_core, (round(head_w * 0.5), round(head_h * 0.6)), 0, 0, 360,
                cv2.GC_PR_FGD, -1)
    shoulders = np.array([[w * 0.3, eye_y + 0.45 * head_h], [w * 0.7, eye_y + 0.45 * head_h],
                          [w, h], [0, h]], np.int32)
    cv2.fillConvexPoly(mask, shoulders, cv2.GC_PR_FGD)
    cv2.ellipse(mask, face_core, (round(head_w * 0.3), round(head_h * 0.35)), 0, 0, 360,
                cv2.GC_FGD, -1)
    corner = max(2, round(0.12 * w))
    mask[: round(0.06 * h), :corner] = cv2.GC_BGD
    mask[: round(0.06 * h), w - corner :] = cv2.GC_BGD
    bgd = np.zeros((1, 65), np.float64)
    fgd = np.zeros((1, 65), np.float64)
    head = np.zeros((h, w), np.uint8)
    cv2.ellipse(head, face_core, (round(head_w * 0.45), round(head_h * 0.5)), 0, 0, 360, 1, -1)
    cv2.grabCut(small, mask, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    person = np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.float32)
    # Keep the blob that holds the face; drop islands the background left.
    count, labels = cv2.connectedComponents(person.astype(np.uint8))
    if count > 2:
        person = (labels == labels[face_core[1], face_core[0]]).astype(np.float32)
    kept = float((person * head).sum()) / max(1, int(head.sum()))
    soft = cv2.GaussianBlur(person, (0, 0), 1.0)
    return cv2.resize(soft, (full_w, full_h), interpolation=cv2.INTER_LINEAR), kept


def flatten_background(photo: np.ndarray) -> np.ndarray | None:
    """``photo`` (BGR) with everything but the person blended into :data:`BACKGROUND_BGR`;
    None when the separation looks wrong (it cut into the head: hair the colour of the wall),
    and the photo should stay as it was."""
    mask, kept = person_mask(photo)
    if kept < MIN_HEAD_KEPT:
        return None
    alpha = mask[:, :, None]
    plain = np.empty_like(photo)
    plain[:] = BACKGROUND_BGR
    out = photo.astype(np.float32) * alpha + plain.astype(np.float32) * (1 - alpha)
    return np.clip(out, 0, 255).astype(np.uint8)

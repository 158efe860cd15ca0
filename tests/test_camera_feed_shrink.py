"""The camera preview's frames, as the camera thread prepares them for the screen: the size
the picture is drawn at (never larger, the whole picture kept) and the same picture as
OpenCV's plain area average, which is what was drawn before (at 6 ms a frame instead of <1)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from station.ui.camera_feed import PREVIEW_MAX_WIDTH, _shrink, fitted_size


@pytest.mark.parametrize(("frame", "box", "expected"), [
    ((1280, 720), (440, 330), (440, 248)),   # width-bound: the photo screen's picture
    ((1280, 720), (600, 200), (356, 200)),   # height-bound
    ((640, 480), (1000, 900), (640, 480)),   # a small camera is never enlarged
    ((1920, 1080), None, (PREVIEW_MAX_WIDTH, 450)),  # no view size yet: the width cap
    ((1280, 720), (3, 2), (3, 2)),
])
def test_fitted_size(frame: tuple[int, int], box: tuple[int, int] | None,
                     expected: tuple[int, int]) -> None:
    assert fitted_size(*frame, box) == expected


def _scene(w: int, h: int) -> np.ndarray:
    """A synthetic picture with edges and gradients (a face-sized disc, stripes, a ramp)."""
    ys, xs = np.mgrid[0:h, 0:w]
    image = np.zeros((h, w, 3), np.uint8)
    image[..., 0] = (xs * 255 // w).astype(np.uint8)
    image[..., 1] = np.where((xs // 37 + ys // 29) % 2 == 0, 200, 40)
    image[..., 2] = np.where((xs - w / 2) ** 2 + (ys - h / 2) ** 2 < (h / 4) ** 2, 230, 20)
    return image


@pytest.mark.parametrize("box", [(440, 330), (640, 400), (1280, 720), (301, 173)])
def test_shrunk_frame_is_the_area_average_picture(box: tuple[int, int]) -> None:
    frame = _scene(1280, 720)
    shown = _shrink(frame, box)
    w, h = fitted_size(1280, 720, box)
    assert shown.shape == (h, w, 4) and shown.flags.c_contiguous
    assert (shown[..., 3] == 255).all()
    reference = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA)
    diff = np.abs(shown[..., :3].astype(int) - reference.astype(int))
    # Same picture: the stripes' edges may differ by part of a pixel's blend; a plain bilinear
    # shrink (which skips pixels) or nearest-neighbour fails these bounds.
    assert diff.mean() < 2.5, diff.mean()
    assert np.percentile(diff, 99) < 35


def test_grey_and_bgra_frames_come_out_bgra() -> None:
    grey = _scene(640, 360)[..., 1]
    assert _shrink(grey, (320, 180)).shape == (180, 320, 4)
    bgra = cv2.cvtColor(_scene(640, 360), cv2.COLOR_BGR2BGRA)
    out = _shrink(bgra, None)
    assert out.shape == (360, 640, 4) and np.array_equal(out, bgra)

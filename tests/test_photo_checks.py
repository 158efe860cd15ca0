"""The photo checks on a real face photo (scikit-image's astronaut), posed and spoiled the ways
a student and a classroom spoil it: each case must give the hint that fixes it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from plugin_camera import backlit, paste_second_face, pose

from station.camera.face import FaceAnalyzer, sharpness
from station.camera.id_photo import cut, encode_jpeg, print_pixels, stored_pixels
from station.core.photo_rules import EYE_LINE, Problem, assess


@pytest.fixture(scope="module")
def analyzer() -> FaceAnalyzer:
    return FaceAnalyzer()


def problems(analyzer: FaceAnalyzer, frame: np.ndarray) -> tuple[Problem, ...]:
    return assess(analyzer.measure(frame), photo_px=print_pixels()).problems


def test_a_good_pose_passes(analyzer: FaceAnalyzer) -> None:
    frame = pose()
    m = analyzer.measure(frame)
    a = assess(m, photo_px=print_pixels())
    assert a.problems == ()
    assert len(m.faces) == 1 and m.eyes is not None
    face = m.faces[0]
    assert abs(face.centre[0] - 640) < 25 and abs(face.h - 0.22 * 720) < 0.25 * 0.22 * 720
    assert abs(a.tilt_deg or 0) < 6  # the astronaut holds her head ~3° off level


def _darken(frame: np.ndarray, gain: float) -> np.ndarray:
    return (frame.astype(np.float32) * gain).astype(np.uint8)


def _gamma(frame: np.ndarray, gamma: float) -> np.ndarray:
    lut = (255 * (np.arange(256) / 255) ** gamma).astype(np.uint8)
    return cv2.LUT(frame, lut)


def _motion(frame: np.ndarray, length: int) -> np.ndarray:
    return cv2.filter2D(frame, -1, np.ones((1, length), np.float32) / length)


CASES = {
    "no face": (lambda: np.full((720, 1280, 3), 128, np.uint8), Problem.NO_FACE),
    "second face": (lambda: paste_second_face(pose()), Problem.MANY_FACES),
    "too far": (lambda: pose(face_share=0.12), Problem.TOO_FAR),
    "too close": (lambda: pose(face_share=0.5), Problem.TOO_CLOSE),
    "on the image's left": (lambda: pose(centre=(0.25, 0.42)), Problem.GO_LEFT),
    "on the image's right": (lambda: pose(centre=(0.78, 0.42)), Problem.GO_RIGHT),
    "too high": (lambda: pose(centre=(0.5, 0.2)), Problem.GO_DOWN),
    "too low": (lambda: pose(centre=(0.5, 0.75)), Problem.GO_UP),
    "head tilted 15°": (lambda: pose(tilt_deg=-15), Problem.TILTED),
    "head tilted 25° the other way": (lambda: pose(tilt_deg=25), Problem.TILTED),
    "out of focus": (lambda: cv2.GaussianBlur(pose(), (0, 0), 2.0), Problem.BLURRED),
    "moved (motion blur)": (lambda: _motion(pose(), 15), Problem.BLURRED),
    "too dark": (lambda: _darken(pose(), 0.25), Problem.TOO_DARK),
    "too bright": (lambda: _gamma(pose(), 0.35), Problem.TOO_BRIGHT),
    "window behind": (lambda: backlit(pose()), Problem.BACKLIT),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_spoiled_pose_gets_its_hint(analyzer: FaceAnalyzer, case: str) -> None:
    make, expected = CASES[case]
    found = problems(analyzer, make())
    assert found and found[0] is expected, found


@pytest.mark.parametrize("variant", ["dim but fine", "sensor noise", "jpeg", "tilted 3°",
                                     "closer", "640×480 preview at 2×"])
def test_harmless_changes_still_pass(analyzer: FaceAnalyzer, variant: str) -> None:
    frame = {
        "dim but fine": lambda: _darken(pose(), 0.6),
        "sensor noise": lambda: np.clip(pose().astype(np.float32) + np.random.default_rng(1)
                                        .normal(0, 6, (720, 1280, 3)), 0, 255).astype(np.uint8),
        "jpeg": lambda: cv2.imdecode(cv2.imencode(".jpg", pose(), [cv2.IMWRITE_JPEG_QUALITY,
                                                                   60])[1], cv2.IMREAD_COLOR),
        "tilted 3°": lambda: pose(tilt_deg=3),
        "closer": lambda: pose(face_share=0.3),
        "640×480 preview at 2×": lambda: pose((640, 480), face_share=0.25),
    }[variant]()
    scale = 2.0 if variant.startswith("640") else 1.0
    a = assess(analyzer.measure(frame, capture_scale=scale), photo_px=print_pixels())
    assert a.problems == (), a.problems


def test_sharpness_ignores_contrast_and_ranks_blur(analyzer: FaceAnalyzer) -> None:
    grey = cv2.cvtColor(pose(), cv2.COLOR_BGR2GRAY)
    face = analyzer.detect(grey)[0][0]
    inner = grey[int(face.y):int(face.y + face.h), int(face.x):int(face.x + face.w)]
    sharp = sharpness(inner)
    assert sharpness((inner * 0.5).astype(np.uint8)) == pytest.approx(sharp, rel=0.15)
    blurred = [sharpness(cv2.GaussianBlur(inner, (0, 0), s)) for s in (1.0, 2.0, 3.0)]
    assert sharp > blurred[0] > blurred[1] > blurred[2]


def test_the_cut_photo_is_upright_centred_and_at_print_resolution(
        analyzer: FaceAnalyzer) -> None:
    frame = pose(face_share=0.25, centre=(0.42, 0.45), tilt_deg=5)
    m = analyzer.measure(frame)
    a = assess(m, photo_px=print_pixels())
    assert a.ok and a.crop is not None
    assert abs(a.crop.angle_deg) > 1  # levelled by the eye line
    size = stored_pixels()
    assert size == (448, 598) and size[0] / size[1] == pytest.approx(224 / 299)
    photo = cut(frame, a.crop, size)
    assert photo.shape == (598, 448, 3)
    # In the photo, the face is found again: centred across, eyes on the eye line, level.
    again = analyzer.measure(photo)
    assert len(again.faces) == 1 and again.eyes is not None
    (lx, ly), (rx, ry) = again.eyes
    assert abs((lx + rx) / 2 - 224) < 0.05 * 448
    assert abs((ly + ry) / 2 / 598 - EYE_LINE) < 0.04
    assert abs(np.degrees(np.arctan2(ry - ly, rx - lx))) < 3
    # The JPEG carries its size and dpi; decoding gives the same picture.
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(encode_jpeg(photo))) as im:
        assert im.size == (448, 598) and im.info["dpi"] == (600, 600)


@pytest.mark.parametrize(("scene", "expected"), [
    (lambda: pose(tilt_deg=-15), Problem.TILTED),
    (lambda: pose(tilt_deg=25), Problem.TILTED),
    (lambda: paste_second_face(pose()), Problem.MANY_FACES),
    (lambda: pose(face_share=0.12), Problem.TOO_FAR),
])
def test_live_tracking_gives_a_steady_hint(analyzer: FaceAnalyzer, scene: object,
                                           expected: Problem) -> None:
    frame = scene()  # type: ignore[operator]
    analyzer.reset()
    firsts = [assess(analyzer.measure(frame, track=True), photo_px=print_pixels()).problems[0]
              for _ in range(12)]
    assert firsts[1:] == [expected] * 11  # the first frame may still be looking


def test_tracking_follows_a_face_that_jumps(analyzer: FaceAnalyzer) -> None:
    analyzer.reset()
    centres = []
    for x in (0.5, 0.52, 0.54, 0.25, 0.27, 0.75):  # steps, then jumps across the frame
        m = analyzer.measure(pose(centre=(x, 0.42)), track=True)
        assert len(m.faces) == 1
        centres.append(m.faces[0].centre[0] / 1280)
    assert centres == pytest.approx([0.5, 0.52, 0.54, 0.25, 0.27, 0.75], abs=0.02)

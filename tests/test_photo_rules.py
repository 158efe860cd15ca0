"""The ID-photo rules on measurements alone (no pixels): crop geometry, checks, the timer."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station.core.photo_rules import (
    EYE_LINE,
    HEAD_IN_BOXES,
    HEAD_SHARE,
    HINTS_ES,
    READY_ES,
    Assessment,
    AutoCapture,
    FaceMeasurement,
    Phase,
    PhotoRules,
    Problem,
    Rect,
    assess,
    crop_for,
    tilt_of,
)

PHOTO_PX = (224, 299)
CENTRED = Rect(560, 200, 160, 160)


def measured(face: Rect | None = CENTRED, *, eyes: object = "auto",
             others: tuple[Rect, ...] = (), sharpness: float = 30.0, face_light: float = 150.0,
             clipped: float = 0.0, background: float = 150.0, size: tuple[int, int] = (1280, 720),
             roll: float | None = None) -> FaceMeasurement:
    if face is None:
        return FaceMeasurement(size[0], size[1], (), None, 0.0, face_light, 0.0, face_light)
    if eyes == "auto":
        y = face.y + 0.38 * face.h
        eyes = ((face.x + 0.3 * face.w, y), (face.x + 0.7 * face.w, y))
    return FaceMeasurement(size[0], size[1], (face, *others), eyes, sharpness,  # type: ignore
                           face_light, clipped, background, roll_deg=roll)


def test_a_good_frame_passes_and_says_ready() -> None:
    a = assess(measured(), photo_px=PHOTO_PX)
    assert a.ok and a.problems == () and a.hint_es == READY_ES
    assert a.crop is not None and a.face_centre == pytest.approx((0.5, 280 / 720))


def test_crop_follows_the_rule() -> None:
    face = Rect(560, 200, 160, 160)
    y_eyes = 200 + 0.38 * 160
    crop = crop_for(face, ((608.0, y_eyes), (672.0, y_eyes)), 224 / 299)
    assert crop.h == pytest.approx(HEAD_IN_BOXES * 160 / HEAD_SHARE)
    assert crop.w / crop.h == pytest.approx(224 / 299)
    top = crop.cy - crop.h / 2
    assert (y_eyes - top) / crop.h == pytest.approx(EYE_LINE)  # eye line 42 % from the top
    assert crop.cx == pytest.approx(640)  # centred on the eyes
    assert crop.angle_deg == 0


def test_crop_levels_a_slightly_tilted_head() -> None:
    eyes = ((600.0, 260.0), (680.0, 266.0))
    crop = crop_for(Rect(560, 200, 160, 160), eyes, 0.75)
    assert crop.angle_deg == pytest.approx(math.degrees(math.atan2(6, 80)))
    # The eye midpoint stays on the crop's eye line after levelling: rotate back and check.
    a = math.radians(crop.angle_deg)
    dx, dy = 640 - crop.cx, 263 - crop.cy
    along_down = -dx * math.sin(a) + dy * math.cos(a)
    assert along_down == pytest.approx(-(0.5 - EYE_LINE) * crop.h)


@given(x=st.floats(0, 1000), y=st.floats(0, 600), side=st.floats(20, 400),
       aspect=st.floats(0.5, 1.5), tilt=st.floats(-20, 20))
def test_crop_is_never_stretched(x: float, y: float, side: float, aspect: float,
                                 tilt: float) -> None:
    dy = math.tan(math.radians(tilt)) * side * 0.4
    eyes = ((x + 0.3 * side, y + 0.4 * side), (x + 0.7 * side, y + 0.4 * side + dy))
    crop = crop_for(Rect(x, y, side, side), eyes, aspect)
    assert crop.w / crop.h == pytest.approx(aspect)
    corners = crop.corners()
    sides = [math.dist(corners[i], corners[(i + 1) % 4]) for i in range(4)]
    assert sides[0] == pytest.approx(crop.w) and sides[1] == pytest.approx(crop.h)


@pytest.mark.parametrize(("m", "first"), [
    (measured(None), Problem.NO_FACE),
    (measured(others=(Rect(100, 100, 120, 120),)), Problem.MANY_FACES),
    (measured(Rect(600, 250, 80, 80)), Problem.TOO_FAR),
    (measured(Rect(500, 100, 330, 330)), Problem.TOO_CLOSE),
    (measured(Rect(200, 200, 160, 160)), Problem.GO_LEFT),  # face on the image's left
    (measured(Rect(950, 200, 160, 160)), Problem.GO_RIGHT),
    (measured(Rect(560, 30, 160, 160)), Problem.GO_DOWN),
    (measured(Rect(560, 470, 160, 160)), Problem.GO_UP),
    (measured(eyes=((600.0, 250.0), (680.0, 280.0))), Problem.TILTED),
    (measured(eyes=None, roll=22.0), Problem.TILTED),
    (measured(sharpness=5.0), Problem.BLURRED),
    (measured(face_light=80.0, background=220.0), Problem.BACKLIT),
    (measured(face_light=40.0, background=45.0), Problem.TOO_DARK),
    (measured(face_light=235.0, background=240.0), Problem.TOO_BRIGHT),
    (measured(clipped=0.3), Problem.TOO_BRIGHT),
])
def test_each_check_gives_its_own_hint(m: FaceMeasurement, first: Problem) -> None:
    a = assess(m, photo_px=PHOTO_PX)
    assert a.problems[0] is first
    assert a.hint_es == HINTS_ES[first]
    assert not a.ok


def test_a_small_face_far_in_the_background_is_not_a_second_person() -> None:
    small_far = Rect(1150, 40, 40, 40)  # outside the crop, a quarter the size
    assert assess(measured(others=(small_far,)), photo_px=PHOTO_PX).ok
    inside_crop = Rect(700, 100, 40, 40)
    assert assess(measured(others=(inside_crop,)), photo_px=PHOTO_PX).problems == (
        Problem.MANY_FACES,)


def test_too_far_also_means_too_few_pixels_for_the_print() -> None:
    # 24 % of a 480-line frame is a big enough face, but its crop has fewer than the 299
    # pixels the card prints: unless the photo is cut from a larger capture frame.
    m = measured(Rect(260, 120, 116, 116), size=(640, 480))
    assert assess(m, photo_px=PHOTO_PX).problems == (Problem.TOO_FAR,)
    bigger = FaceMeasurement(**{**_fields(m), "capture_scale": 2.0})
    assert assess(bigger, photo_px=PHOTO_PX).ok


def _fields(m: FaceMeasurement) -> dict[str, object]:
    return {name: getattr(m, name) for name in m.__slots__}  # type: ignore[attr-defined]


def test_mirrored_frames_swap_left_and_right() -> None:
    m = measured(Rect(200, 200, 160, 160))
    assert assess(m, photo_px=PHOTO_PX).problems[0] is Problem.GO_LEFT
    mirrored = PhotoRules(mirrored=True)
    assert assess(m, photo_px=PHOTO_PX, rules=mirrored).problems[0] is Problem.GO_RIGHT


def test_darkness_without_a_face_says_light_first() -> None:
    assert assess(measured(None, face_light=20.0), photo_px=PHOTO_PX).problems == (
        Problem.TOO_DARK, Problem.NO_FACE)


def test_tilt_sign() -> None:
    assert tilt_of(((0.0, 0.0), (10.0, 0.0))) == 0
    assert tilt_of(((10.0, 5.0), (0.0, 0.0))) == pytest.approx(math.degrees(math.atan2(5, 10)))


# --- auto-capture timer -----------------------------------------------------------------

OK = Assessment((), face_centre=(0.5, 0.4))
BAD = Assessment((Problem.BLURRED,), face_centre=(0.5, 0.4))


def test_capture_fires_once_after_holding() -> None:
    timer = AutoCapture(hold_s=1.0)
    states = [timer.update(t / 10, OK) for t in range(0, 13)]
    phases = [s.phase for s in states]
    assert phases[:10] == [Phase.HOLDING] * 10
    assert phases[10] is Phase.CAPTURE and states[10].progress == 1.0
    assert phases[11:] == [Phase.WAITING, Phase.WAITING]
    assert states[5].progress == pytest.approx(0.5)


def _frames(timer: AutoCapture, start: float, end: float, a: Assessment) -> list[Phase]:
    """Frames every 0.1 s from ``start`` to ``end`` inclusive, as a camera would send them."""
    steps = round((end - start) / 0.1)
    return [timer.update(start + i / 10, a).phase for i in range(steps + 1)]


def test_a_failed_check_restarts_the_countdown() -> None:
    timer = AutoCapture(hold_s=1.0)
    assert _frames(timer, 0.0, 0.8, OK) == [Phase.HOLDING] * 9
    state = timer.update(0.9, BAD)
    assert state.phase is Phase.WAITING and state.hint_es == HINTS_ES[Problem.BLURRED]
    assert timer.update(1.0, OK).progress == 0.0
    assert _frames(timer, 1.1, 1.9, OK) == [Phase.HOLDING] * 9
    assert timer.update(2.0, OK).phase is Phase.CAPTURE


def test_moving_restarts_and_asks_to_keep_still() -> None:
    timer = AutoCapture(hold_s=1.0)
    _frames(timer, 0.0, 0.4, OK)
    moved = Assessment((), face_centre=(0.6, 0.4))
    state = timer.update(0.5, moved)
    assert state.phase is Phase.WAITING and state.problems == (Problem.MOVING,)
    assert state.hint_es == HINTS_ES[Problem.MOVING]
    assert _frames(timer, 0.6, 1.4, moved) == [Phase.HOLDING] * 9
    assert timer.update(1.5, moved).phase is Phase.CAPTURE


def test_small_movements_do_not_restart() -> None:
    timer = AutoCapture(hold_s=1.0, max_move=0.04)
    wobble = [Assessment((), face_centre=(0.5 + 0.01 * (i % 3), 0.4)) for i in range(11)]
    phases = [timer.update(i / 10, a).phase for i, a in enumerate(wobble)]
    assert phases[-1] is Phase.CAPTURE


def test_a_gap_in_the_frames_restarts_the_countdown() -> None:
    timer = AutoCapture(hold_s=1.0, max_gap_s=0.5)
    _frames(timer, 0.0, 0.6, OK)
    assert timer.update(1.4, OK).progress == 0.0  # 0.8 s without frames: the camera hiccupped
    assert _frames(timer, 1.5, 2.3, OK) == [Phase.HOLDING] * 9
    assert timer.update(2.4, OK).phase is Phase.CAPTURE


def test_zero_hold_captures_at_once() -> None:
    assert AutoCapture(hold_s=0.0).update(5.0, OK).phase is Phase.CAPTURE

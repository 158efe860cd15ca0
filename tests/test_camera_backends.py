"""Cameras without hardware: video files and photos as cameras, the factory, and a camera that
disappears mid-session (the file cut short or removed) being reported and reconnected."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from plugin_camera import pose, write_video

from foundation.errors import InputError
from station.camera import picam
from station.camera.factory import DeviceSpec, check_camera, open_camera, parse_device
from station.camera.frames import CameraError, CameraLost, EndOfVideo
from station.camera.resilient import ResilientCamera
from station.camera.video_file import STILL_FPS, StillImageCamera, VideoFileCamera
from station.cli import main


def numbered_frames(count: int, size: tuple[int, int] = (320, 240)) -> list[np.ndarray]:
    """Frames whose mean brightness encodes their number, to check order and identity.

    Noisy, so each frame is a large JPEG: a file cut short really loses frames instead of
    having been read ahead whole by the decoder.
    """
    rng = np.random.default_rng(7)
    noise = rng.integers(-40, 41, (size[1], size[0], 3))
    return [np.clip(50 + 4 * i + noise, 0, 255).astype(np.uint8) for i in range(count)]


def frame_number(image: np.ndarray) -> int:
    return round((float(image.mean()) - 50) / 4)


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write_video(tmp_path / "clip.avi", numbered_frames(40), fps=20)


def test_video_file_plays_every_frame_in_order_with_file_time(clip: Path) -> None:
    cam = open_camera(str(clip), 1280, 720)
    assert cam.info.backend == "video" and (cam.info.width, cam.info.height) == (320, 240)
    assert cam.info.fps == pytest.approx(20)
    frames = []
    with pytest.raises(EndOfVideo):
        while True:
            frames.append(cam.read())
    cam.close()
    assert [frame_number(f.image) for f in frames] == list(range(40))
    assert [f.t for f in frames[:3]] == [0.0, 0.05, 0.1]  # the file's clock, not the wall's


def test_looping_video_starts_over(clip: Path) -> None:
    cam = open_camera(str(clip), loop=True)
    numbers = [frame_number(cam.read().image) for _ in range(45)]
    cam.close()
    assert numbers[39:] == [39, 0, 1, 2, 3, 4]


def test_realtime_video_is_paced_like_a_camera(clip: Path) -> None:
    cam = VideoFileCamera(clip, realtime=True)
    start = time.monotonic()
    for _ in range(11):
        cam.read()
    cam.close()
    assert time.monotonic() - start >= 0.45  # 10 intervals of 50 ms


def test_photo_as_a_camera(tmp_path: Path) -> None:
    path = tmp_path / "foto.jpg"
    cv2.imwrite(str(path), pose((640, 480)))
    cam = open_camera(str(path))
    assert isinstance(cam, StillImageCamera) and cam.info.backend == "image"
    f1, f2 = cam.read(), cam.read()
    assert f1.image.shape == (480, 640, 3) and f2.t == pytest.approx(1 / STILL_FPS)
    limited = StillImageCamera(path, frames=2)
    limited.read()
    limited.read()
    with pytest.raises(EndOfVideo):
        limited.read()


@pytest.mark.parametrize(("value", "spec"), [
    ("auto", DeviceSpec("auto", "")), ("", DeviceSpec("auto", "")), (0, DeviceSpec("v4l2", "0")),
    ("/dev/video3", DeviceSpec("v4l2", "/dev/video3")),
    ("picamera2", DeviceSpec("picamera2", "")),
    ("prueba.mp4", DeviceSpec("video", "prueba.mp4")),
    ("cara.JPG", DeviceSpec("image", "cara.JPG")),
])
def test_device_setting_is_understood(value: object, spec: DeviceSpec) -> None:
    assert parse_device(value) == spec  # type: ignore[arg-type]


def test_a_device_setting_that_means_nothing_is_refused() -> None:
    with pytest.raises(InputError, match="no se entiende"):
        parse_device("camara-de-la-entrada")


def test_missing_files_and_devices_are_camera_errors_in_words(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="no existe"):
        open_camera(str(tmp_path / "no-esta.avi"))
    with pytest.raises(CameraError, match="no existe"):
        open_camera("/dev/video97")
    garbage = tmp_path / "roto.avi"
    garbage.write_bytes(b"esto no es un video" * 100)
    with pytest.raises(CameraError):
        open_camera(str(garbage))


@pytest.mark.skipif(picam.available(), reason="picamera2 is installed here")
def test_picamera2_requested_without_it_says_so() -> None:
    with pytest.raises(CameraError, match="picamera2 no está instalado"):
        open_camera("picamera2")


def test_a_video_cut_short_is_a_lost_camera(clip: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.avi"
    shutil.copy(clip, cut)
    cam = VideoFileCamera(cut)
    for _ in range(5):
        cam.read()
    with cut.open("r+b") as fh:  # the "cable" goes: the rest of the file is gone
        fh.truncate(cut.stat().st_size // 3)
    with pytest.raises(CameraLost, match="se cortó"):
        for _ in range(40):
            cam.read()
    cam.close()


def test_camera_lost_mid_session_is_reported_and_reconnected(clip: Path, tmp_path: Path) -> None:
    live = tmp_path / "camara.avi"
    shutil.copy(clip, live)
    cam = ResilientCamera(lambda: VideoFileCamera(live, loop=True), retry_s=0.05)
    assert cam.connected and cam.info is not None
    for _ in range(5):
        assert cam.read() is not None
    # Unplug: the file is cut short, then disappears altogether.
    with live.open("r+b") as fh:
        fh.truncate(live.stat().st_size // 3)
    deadline = time.monotonic() + 10
    while cam.connected:
        cam.read()
        assert time.monotonic() < deadline, "the cut was never noticed"
    live.unlink()
    for _ in range(5):
        assert cam.read() is None  # keeps trying, never raises
    lost = cam.events()
    assert [e.kind for e in lost] == ["lost"]
    assert "Buscando la cámara de nuevo" in lost[0].message_es
    # Plug it back in.
    shutil.copy(clip, live)
    deadline = time.monotonic() + 5
    frame = None
    while frame is None and time.monotonic() < deadline:
        frame = cam.read()
    assert frame is not None and frame_number(frame.image) == 0
    back = cam.events()
    assert [e.kind for e in back] == ["reconnected"] and "volvió" in back[0].message_es
    cam.close()


def test_reopening_waits_between_tries(tmp_path: Path) -> None:
    tries = []

    def opener() -> VideoFileCamera:
        tries.append(time.monotonic())
        return VideoFileCamera(tmp_path / "nada.avi")

    cam = ResilientCamera(opener, retry_s=0.1)
    start = time.monotonic()
    while time.monotonic() - start < 0.35:
        assert cam.read() is None
    assert 3 <= len(tries) <= 5  # not a busy loop hammering the device
    assert [e.kind for e in cam.events()] == ["lost"]


def test_check_camera_reports_size_and_rate(clip: Path) -> None:
    check = check_camera(str(clip), seconds=5)
    assert check.works and check.frames == 40
    assert check.info is not None and (check.info.width, check.info.height) == (320, 240)
    assert check.measured_fps > 20  # decoded as fast as it goes
    assert "funciona, 320×240" in check.describe_es()


def test_camera_test_command_with_a_video(clip: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    data = str(tmp_path / "st")
    result = runner.invoke(main, ["--data", data, "camera", "test", str(clip), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["works"] and answer["info"]["width"] == 320 and answer["frames"] == 40
    result = runner.invoke(main, ["--data", data, "camera", "test", str(tmp_path / "x.avi")])
    assert result.exit_code == 1 and "no existe" in result.output

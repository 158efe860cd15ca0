"""The camera feed reads at the camera's pace while slow checks skip frames.

A real video file stands in for the camera (30 frames/s, paced in real time); the service's
loop is made slow on purpose (80 ms a frame, as a face or QR check on a loaded Pi). The
frames for the screen keep coming at the camera's rate; the service gets the newest frame
each time, never a queue of old ones. No window is needed: the screen's side is the
feed's ``keep`` count.
"""

from __future__ import annotations

import os
import time
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("KIVY_NO_ARGS", "1")

import numpy as np
from plugin_camera import write_video

from station.camera.frames import EndOfVideo
from station.ui.camera_feed import CameraFeed, FrameTap


def _numbered(n: int) -> list[np.ndarray]:
    """Frames whose brightness says their number (survives MJPG)."""
    return [np.full((120, 160, 3), 5 + 8 * (i % 30), np.uint8) for i in range(n)]


def test_slow_checks_skip_frames_and_never_slow_the_camera(tmp_path: Path) -> None:
    video = write_video(tmp_path / "cam.avi", _numbered(60), fps=30.0)
    station = SimpleNamespace(settings={"camera.device": str(video), "camera.width": 160,
                                        "camera.height": 120})
    seen: list[int] = []
    results: list[Any] = []

    def slow_checks(tap: FrameTap) -> int:
        t0 = time.monotonic()
        while time.monotonic() - t0 < 1.5:
            try:
                frame = tap.read()
            except EndOfVideo:
                break
            if frame is not None:
                seen.append(frame.index)
                time.sleep(0.08)  # the check
        return len(seen)

    feed = CameraFeed(station, SimpleNamespace(texture=None), consume=slow_checks,  # type: ignore[arg-type]
                      on_done=results.append)
    feed.later = lambda callback, value: callback(value)  # type: ignore[method-assign]
    feed._run()  # the camera thread's work, here; no screen clock
    assert results == [len(seen)]
    # The camera was read at its own rate (30/s for 1.5 s; the check alone would allow 12/s).
    assert feed.frames_read >= 24, feed.frames_read
    assert len(seen) <= 20
    assert feed.frames_read >= 2 * len(seen)
    # The service always got a newer frame than the one before, skipping the ones it missed.
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert max(b - a for a, b in pairwise(seen)) >= 2

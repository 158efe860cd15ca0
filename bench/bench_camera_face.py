"""Live photo hints: face detection + eyes + checks + crop per frame, against the obvious
alternative (OpenCV's default frontal cascade on the full frame, no downscaling).

Frames are scikit-image's astronaut posed the ways tests/test_photo_checks.py poses it (good,
far, close, off-centre, tilted, blurred, dark, backlit, two faces), at 640×480 (the live
preview) and 1280×720 (the capture). Each frame: :meth:`FaceAnalyzer.measure`, then
:func:`assess`, then the crop cut to the stored 448×598 photo (done only at capture time in
the product, timed on every frame here to be on the safe side).

    .venv/bin/python bench/bench_camera_face.py [--runs 5]

Goal: ≤ 50 ms per 640×480 frame here, so that a Raspberry Pi 4 (~4× slower) still gives live
hints at ≥ 10 frames/s (the camera thread skips frames while the analysis runs).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from _machine import cpu_model

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from plugin_camera import backlit, paste_second_face, pose

from station.camera.face import FaceAnalyzer
from station.camera.id_photo import cut, print_pixels, stored_pixels
from station.core.photo_rules import Problem, assess


def machine() -> str:
    cpu = cpu_model()
    load = os.getloadavg()[0]
    return (f"{platform.system()} {platform.release()} {platform.machine()}, {cpu}, "
            f"{os.cpu_count()} cores, load {load:.1f}, Python {platform.python_version()}, "
            f"OpenCV {cv2.__version__}")


def scenes(size: tuple[int, int]) -> dict[str, tuple[np.ndarray, Problem | None]]:
    """Frames and the first problem each should report (None: a good photo)."""
    share = 0.30 if size[1] <= 480 else 0.22
    base = pose(size, face_share=share)
    return {
        "good": (base, None),
        "far": (pose(size, face_share=0.12), Problem.TOO_FAR),
        "close": (pose(size, face_share=0.5), Problem.TOO_CLOSE),
        "left": (pose(size, face_share=share, centre=(0.25, 0.42)), Problem.GO_LEFT),
        "tilted": (pose(size, face_share=share, tilt_deg=-15), Problem.TILTED),
        "tilted 25°": (pose(size, face_share=share, tilt_deg=25), Problem.TILTED),
        "blurred": (cv2.GaussianBlur(base, (0, 0), 2.0 * size[1] / 720), Problem.BLURRED),
        "dark": ((base * 0.25).astype(np.uint8), Problem.TOO_DARK),
        "backlit": (backlit(base, face_share=share), Problem.BACKLIT),
        "two faces": (paste_second_face(pose((1280, 720)))
                      if size == (1280, 720) else cv2.resize(
                          paste_second_face(pose((1280, 720))), size), Problem.MANY_FACES),
        "nobody": (np.full((size[1], size[0], 3), 120, np.uint8), Problem.NO_FACE),
    }


def pipeline(analyzer: FaceAnalyzer, capture_scale: float,
             track: bool) -> Callable[[np.ndarray], object]:
    px, store = print_pixels(), stored_pixels()

    def run(frame: np.ndarray) -> object:
        m = analyzer.measure(frame, capture_scale=capture_scale, track=track)
        a = assess(m, photo_px=px)
        if a.crop is not None:
            cut(frame, a.crop, store)
        return a

    return run


def timed(run: Callable[[np.ndarray], object], frames: dict[str, tuple[np.ndarray, object]],
          runs: int, analyzer: FaceAnalyzer) -> tuple[list[float], list[float], int]:
    """Wall and CPU ms per frame (each scene played ``runs`` frames in a row, as a camera
    does; the median of those) and how many scenes gave the right first hint. CPU time is
    what this process used: on a shared machine it moves less than wall time."""
    wall, cpu, right = [], [], 0
    for frame, expected in frames.values():
        analyzer.reset()
        times, cpus = [], []
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            a = run(frame)
            times.append((time.perf_counter() - t0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
        wall.append(statistics.median(times))
        cpu.append(statistics.median(cpus))
        problems = a.problems  # type: ignore[attr-defined]
        right += (problems[:1] == (expected,)) if expected else problems == ()
    return wall, cpu, right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--verbose", action="store_true", help="per-scene times of the live path")
    args = parser.parse_args()
    print(machine())
    station = FaceAnalyzer()
    default_full = FaceAnalyzer(analysis_height=4096,
                                face_cascade="haarcascade_frontalface_default.xml")
    alt2_full = FaceAnalyzer(analysis_height=4096)
    for size in ((640, 480), (1280, 720)):
        frames = scenes(size)
        scale = 2.0 if size == (640, 480) else 1.0  # the preview is half the capture
        print(f"\n{size[0]}×{size[1]}: ms per frame, detection + eyes + checks + crop "
              f"(median of {args.runs} frames per scene; {len(frames)} scenes)\n")
        print("| analysis | wall median | max (scene) | CPU median | right first hint |")
        print("|---|---|---|---|---|")
        base = None
        for name, analyzer, track in (
                ("station, live (tracking the face; full search every 5th frame)", station,
                 True),
                ("station, every frame a full search (240-line copy)", station, False),
                ("alt2 cascade on the full frame", alt2_full, False),
                ("default cascade on the full frame", default_full, False)):
            wall, cpu, right = timed(pipeline(analyzer, scale, track), frames, args.runs,
                                     analyzer)
            med = statistics.median(wall)
            base = base or med
            print(f"| {name} | {med:.1f} ({med / base:.1f}×) | {max(wall):.1f} | "
                  f"{statistics.median(cpu):.1f} | {right}/{len(frames)} |")
            if args.verbose and track:
                print("  " + ", ".join(f"{k} {v:.0f}" for k, v in zip(frames, wall,
                                                                       strict=True)))


if __name__ == "__main__":
    main()

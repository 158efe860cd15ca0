"""Camera test material: a real face photo posed in a frame, and video files as cameras.

The face is scikit-image's astronaut (a real portrait, offline). :func:`pose` places it in a
camera frame the way a student would stand: nearer or farther, off to a side, head tilted;
:func:`write_video` writes frames to an MJPG .avi that :class:`VideoFileCamera` plays as a
camera. Nothing here is a fake: the detector, the rules and the video decoder are the real ones.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np
import pytest
from skimage import data

_ASTRONAUT = np.ascontiguousarray(data.astronaut()[:, :, ::-1])  # RGB → BGR, as cameras give
_FACE_CENTRE = (224.5, 113.5)  # centre of the face in the astronaut photo (Haar box 95 px)
_FACE_PX = 95.0


ROOT = Path(__file__).resolve().parents[1]


@cache
def qr_corpus() -> ModuleType:
    """``bench/make_qr_corpus.py``: the simulated camera and degradations of the QR benchmark,
    so the tests photograph cards exactly as the benchmark does."""
    spec = importlib.util.spec_from_file_location("make_qr_corpus",
                                                  ROOT / "bench" / "make_qr_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def astronaut() -> np.ndarray:
    return _ASTRONAUT.copy()


def pose(size: tuple[int, int] = (1280, 720), *, face_share: float = 0.22,
         centre: tuple[float, float] = (0.5, 0.42), tilt_deg: float = 0.0) -> np.ndarray:
    """A BGR frame of ``size`` with the face ``face_share`` of the frame's height tall,
    centred at ``centre`` (shares of width and height), the head turned by ``tilt_deg``
    (positive: counter-clockwise on screen, the student's head leaning to their left)."""
    w, h = size
    scale = face_share * h / _FACE_PX
    matrix = cv2.getRotationMatrix2D(_FACE_CENTRE, tilt_deg, scale)
    matrix[0, 2] += centre[0] * w - _FACE_CENTRE[0]
    matrix[1, 2] += centre[1] * h - _FACE_CENTRE[1]
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.warpAffine(_ASTRONAUT, matrix, (w, h), flags=flags,
                          borderMode=cv2.BORDER_REPLICATE)


def backlit(frame: np.ndarray, *, face_share: float = 0.22,
            centre: tuple[float, float] = (0.5, 0.42)) -> np.ndarray:
    """A bright window behind the student: the camera exposes for it, the face goes dark."""
    h, w = frame.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    fx, fy, fh = centre[0] * w, centre[1] * h, face_share * h
    dist = np.hypot(xx - fx, (yy - fy) / 1.25) / fh
    window = np.clip((dist - 0.7) / 0.5, 0, 1)[:, :, None]
    return np.clip(frame.astype(np.float32) * 0.5 + window * 230, 0, 255).astype(np.uint8)


def paste_second_face(frame: np.ndarray, *, at: tuple[int, int] = (1000, 60),
                      size: int = 180) -> np.ndarray:
    """The same photo with a copy of the face pasted elsewhere (someone else in the picture)."""
    out = frame.copy()
    h, w = frame.shape[:2]
    fx, fy = int(0.5 * w), int(0.42 * h)
    half = int(0.22 * h * 0.75)
    face = cv2.resize(frame[fy - half:fy + half, fx - half:fx + half], (size, size))
    x, y = at
    out[y:y + size, x:x + size] = face
    return out


def write_video(path: Path, frames: Iterable[np.ndarray], fps: float = 15.0) -> Path:
    """Frames into an MJPG .avi (what OpenCV can write and read everywhere)."""
    writer = None
    for frame in frames:
        if writer is None:
            h, w = frame.shape[:2]
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (w, h))
            assert writer.isOpened(), "OpenCV cannot write MJPG video here"
        writer.write(frame)
    assert writer is not None, "no frames"
    writer.release()
    return path


@pytest.fixture(scope="session")
def posing_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A student who first stands too far, then to one side, then still in the middle
    (2 s at 15 frames/s): auto-capture should fire in the last part."""
    folder = tmp_path_factory.mktemp("video")
    frames = [pose(face_share=0.12)] * 8 + [pose(centre=(0.25, 0.42))] * 8
    frames += [pose(centre=(0.5 + 0.002 * np.sin(i), 0.42)) for i in range(30)]
    return write_video(folder / "posando.avi", frames)

"""Open the camera the settings name, or find one; list and test cameras for the operator.

``camera.device`` is one of: ``auto`` (the Pi camera if picamera2 sees one, else the first
V4L2 device that delivers a frame), a V4L2 index (``0``) or node (``/dev/video2``),
``picamera2``, or the path of a video file or a photo (tests, demo). When nothing works the
error carries the diagnosis of :mod:`station.core.camera_faults` in words.

>>> parse_device("auto"), parse_device("2"), parse_device("/dev/video1")
(DeviceSpec(kind='auto', target=''), DeviceSpec(kind='v4l2', target='2'), \
DeviceSpec(kind='v4l2', target='/dev/video1'))
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from foundation.errors import InputError
from station.camera import picam
from station.camera.diagnose import gather_facts
from station.camera.frames import CAMERA_TEST_WORDS, Camera, CameraError, CameraInfo, EndOfVideo
from station.camera.v4l2 import V4l2Camera, node_name, query_capture, video_nodes
from station.camera.video_file import IMAGE_SUFFIXES, StillImageCamera, VideoFileCamera
from station.core.camera_faults import Finding, diagnose

_DEV = re.compile(r"^/dev/video\d+$")


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    kind: str  # auto | v4l2 | picamera2 | video | image
    target: str


def parse_device(value: str | int) -> DeviceSpec:
    """What the ``camera.device`` setting (or ``--camera``) names."""
    text = str(value).strip()
    if text in ("", "auto"):
        return DeviceSpec("auto", "")
    if text.isdigit() or _DEV.match(text):
        return DeviceSpec("v4l2", text)
    if text == "picamera2":
        return DeviceSpec("picamera2", "")
    path = Path(text).expanduser()
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return DeviceSpec("image", str(path))
    if path.suffix or path.exists():
        return DeviceSpec("video", str(path))
    raise InputError(
        f"El ajuste de cámara «{text}» no se entiende.",
        way_out="Elija la cámara en Ajustes > Cámara.",
        command="camera.device = auto, un número (0), /dev/video0, picamera2 o un video")


def _no_camera(findings: list[Finding]) -> CameraError:
    if not findings:
        return CameraError("No se encontró una cámara que funcione.",
                           way_out=CAMERA_TEST_WORDS, command="station camera test")
    first, rest = findings[0], findings[1:]
    extra = "".join(f" Además: {f.message_es}" for f in rest)
    return CameraError(f"No hay cámara. {first.message_es}{extra}", way_out=first.way_out_es,
                       command=first.command or None)


def open_camera(device: str | int = "auto", width: int = 1280, height: int = 720, *,
                loop: bool = False, realtime: bool = False) -> Camera:
    """The camera ``device`` names, opened; :class:`CameraError` says why when it cannot be.

    ``loop`` and ``realtime`` apply to video files (see :mod:`station.camera.video_file`).
    """
    spec = parse_device(device)
    if spec.kind == "video":
        return VideoFileCamera(Path(spec.target), loop=loop, realtime=realtime)
    if spec.kind == "image":
        return StillImageCamera(Path(spec.target))
    if spec.kind == "picamera2":
        if not picam.available():
            raise CameraError(
                "El ajuste de cámara pide la cámara de la Raspberry Pi (picamera2), pero "
                "picamera2 no está instalado.",
                way_out="Elija otra cámara en Ajustes > Cámara, o llame a su DRSE y dígales "
                "que falta el paquete python3-picamera2.",
                command="apt install python3-picamera2, o camera.device = auto")
        return picam.PiCamera(width, height)
    if spec.kind == "v4l2":
        target: int | str = int(spec.target) if spec.target.isdigit() else spec.target
        return V4l2Camera(target, width, height)
    return _auto(width, height)


def _auto(width: int, height: int) -> Camera:
    if picam.available() and (picam.camera_count() or 0) > 0:
        try:
            return picam.PiCamera(width, height)
        except CameraError:
            pass  # try the USB cameras; the diagnosis below tells about the Pi camera
    for node in video_nodes():
        capture, _err = query_capture(node)
        if capture is False:
            continue
        try:
            cam = V4l2Camera(str(node), width, height)
        except CameraError:
            continue
        try:
            cam.read()  # opens but delivers nothing: not this one
            return cam
        except CameraError:
            cam.close()
    raise _no_camera(diagnose(gather_facts()))


@dataclass(frozen=True, slots=True)
class CameraCheck:
    """One camera tried for the operator: it works (with what it delivered) or why not."""

    device: str
    name: str
    backend: str
    works: bool
    info: CameraInfo | None = None
    frames: int = 0
    measured_fps: float = 0.0
    problem_es: str = ""

    def describe_es(self) -> str:
        if not self.works:
            return f"✗ {self.name or self.device} ({self.device}): {self.problem_es}"
        assert self.info is not None
        return (f"✓ {self.info.name} ({self.device}): funciona, {self.info.width}×"
                f"{self.info.height}, {self.measured_fps:.1f} cuadros/s medidos")

    def to_json(self) -> dict[str, object]:
        return {"device": self.device, "name": self.name, "backend": self.backend,
                "works": self.works, "info": self.info.to_json() if self.info else None,
                "frames": self.frames, "measured_fps": round(self.measured_fps, 1),
                "problem": self.problem_es or None}


def check_camera(device: str | int, width: int = 1280, height: int = 720, *,
                 seconds: float = 2.0) -> CameraCheck:
    """Open ``device`` and read frames for ``seconds``: the rate it really delivers.

    Video files are read as fast as they decode (their own rate is in ``info.fps``).
    """
    spec = parse_device(device)
    label = spec.target or spec.kind
    try:
        cam = open_camera(device, width, height)
    except CameraError as exc:
        return CameraCheck(label, "", spec.kind, False, problem_es=exc.user_message())
    frames, first, last = 0, 0.0, 0.0
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                cam.read()
            except EndOfVideo:
                break
            now = time.monotonic()
            first = first or now
            last = now
            frames += 1
    except CameraError as exc:
        return CameraCheck(label, cam.info.name, cam.info.backend, False, cam.info, frames,
                           problem_es=exc.user_message())
    finally:
        cam.close()
    fps = (frames - 1) / (last - first) if frames > 1 and last > first else 0.0
    if frames == 0:
        return CameraCheck(label, cam.info.name, cam.info.backend, False, cam.info,
                           problem_es="se abre pero no entrega imágenes.")
    return CameraCheck(cam.info.device, cam.info.name, cam.info.backend, True, cam.info,
                       frames, fps)


def list_cameras(width: int = 1280, height: int = 720, *,
                 seconds: float = 1.0) -> tuple[list[CameraCheck], list[Finding]]:
    """Every camera this machine has, each tried; and the diagnosis when none works."""
    checks = []
    if picam.available():
        checks.append(check_camera("picamera2", width, height, seconds=seconds))
    for node in video_nodes():
        capture, _err = query_capture(node)
        if capture is False:  # a metadata, codec or ISP node: not a camera
            continue
        check = check_camera(str(node), width, height, seconds=seconds)
        if not check.name:
            check = CameraCheck(check.device, node_name(node), check.backend, check.works,
                                check.info, check.frames, check.measured_fps, check.problem_es)
        checks.append(check)
    findings = [] if any(c.works for c in checks) else diagnose(gather_facts())
    return checks, findings

"""USB webcams (and any V4L2 device) through OpenCV, and what the kernel says about each node.

``VIDIOC_QUERYCAP`` tells a camera from the other things that live at ``/dev/videoN`` (a UVC
webcam's metadata node, a Raspberry Pi's codec and ISP nodes), without grabbing the camera.
Paths are parameters so the tests can point them at a prepared folder.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import struct
import time
from pathlib import Path

import cv2

from station.camera.frames import CAMERA_TEST_WORDS, CameraError, CameraInfo, CameraLost, Frame

VIDIOC_QUERYCAP = 0x80685600  # _IOR('V', 0, struct v4l2_capability), 104 bytes
_CAP_VIDEO_CAPTURE = 0x00000001
_CAP_VIDEO_CAPTURE_MPLANE = 0x00001000
_CAP_VIDEO_M2M = 0x00008000
_CAP_VIDEO_M2M_MPLANE = 0x00004000
_CAP_DEVICE_CAPS = 0x80000000

READ_TIMEOUT_MS = 2000
"""A read that waits longer than this means the camera stopped (OpenCV's default is 10 s)."""
FAILED_READS_LOST = 3
"""Consecutive failed reads after which the camera counts as lost."""

_NODE = re.compile(r"^video(\d+)$")


def video_nodes(dev: Path = Path("/dev")) -> list[Path]:
    """``/dev/video*`` in number order."""
    try:
        found = [p for p in dev.iterdir() if _NODE.match(p.name)]
    except OSError:
        return []
    return sorted(found, key=lambda p: int(_NODE.match(p.name).group(1)))  # type: ignore[union-attr]


def node_name(node: Path, sysfs: Path = Path("/sys/class/video4linux")) -> str:
    """The device's name as the driver reports it ('' when unknown)."""
    try:
        return (sysfs / node.name / "name").read_text("utf-8").strip()
    except OSError:
        return ""


def query_capture(node: Path) -> tuple[bool | None, int | None]:
    """(is this a video capture device, errno when it could not be opened).

    ``(None, None)`` when the node opened but is not a V4L2 device (a plain file in tests).
    """
    try:
        fd = os.open(node, os.O_RDWR | os.O_NONBLOCK)
    except OSError as exc:
        return None, exc.errno
    try:
        buf = bytearray(104)
        try:
            fcntl.ioctl(fd, VIDIOC_QUERYCAP, buf)
        except OSError:
            return None, None
        caps, device_caps = struct.unpack_from("<II", buf, 84)
        if caps & _CAP_DEVICE_CAPS:
            caps = device_caps
        capture = bool(caps & (_CAP_VIDEO_CAPTURE | _CAP_VIDEO_CAPTURE_MPLANE))
        m2m = bool(caps & (_CAP_VIDEO_M2M | _CAP_VIDEO_M2M_MPLANE))
        return capture and not m2m, None
    finally:
        os.close(fd)


def holders(node: Path, proc: Path = Path("/proc")) -> tuple[str, ...]:
    """Names (and ids) of the programs that have ``node`` open, other than this one.

    Only the processes this user may inspect are seen (all of them for root).
    """
    target = str(node)
    me = os.getpid()
    out = []
    try:
        pids = [p for p in proc.iterdir() if p.name.isdigit() and int(p.name) != me]
    except OSError:
        return ()
    for pid in pids:
        try:
            if any(os.readlink(fd) == target for fd in (pid / "fd").iterdir()):
                name = (pid / "comm").read_text("utf-8").strip()
                out.append(f"{name}, proceso {pid.name}")
        except OSError:
            continue
    return tuple(sorted(out))


def _quiet_opencv() -> None:
    # OpenCV prints "can't open camera by index" warnings on stderr; the station says it
    # in Spanish instead.
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


class V4l2Camera:
    """A V4L2 device opened by OpenCV: MJPEG at ``width``×``height`` when the camera has it."""

    def __init__(self, device: int | str, width: int, height: int) -> None:
        _quiet_opencv()
        self.device = device
        label = f"/dev/video{device}" if isinstance(device, int) else str(device)
        self._cap = cv2.VideoCapture(device, cv2.CAP_V4L2)
        if not self._cap.isOpened():
            self._cap.release()
            raise _open_error(label)
        # MJPEG first: raw YUYV at 1280×720 is limited to ~10 frames/s by USB 2 bandwidth.
        self._cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queued old one
        self._cap.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, READ_TIMEOUT_MS)
        self._failed = 0
        self._index = 0
        self.info = CameraInfo(
            "v4l2", label, node_name(Path(label)) or "Cámara USB",
            int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0))

    def read(self) -> Frame:
        while True:
            ok, image = self._cap.read()
            if ok and image is not None:
                self._failed = 0
                frame = Frame(image, time.monotonic(), self._index)
                self._index += 1
                return frame
            self._failed += 1
            if self._failed >= FAILED_READS_LOST:
                raise CameraLost(
                    f"La cámara {self.info.device} dejó de enviar imágenes.",
                    way_out="Revise el cable USB; la estación la volverá a buscar.")

    def close(self) -> None:
        self._cap.release()


def _open_error(label: str) -> CameraError:
    path = Path(label)
    label = f"«{node_name(path)}»" if node_name(path) else "elegida"  # never the device node
    if not path.exists():
        return CameraError(f"La cámara {label} no existe.",
                           way_out="Conecte la cámara o elija otra en Ajustes > Cámara.",
                           command=f"revise el ajuste camera.device ({path})")
    _capture, err = query_capture(path)
    if err in (errno.EACCES, errno.EPERM):
        return CameraError(f"No hay permiso para abrir la cámara {label}.",
                           way_out=CAMERA_TEST_WORDS, command="station camera test")
    if err == errno.EBUSY:
        return CameraError(f"La cámara {label} está ocupada por otro programa.",
                           way_out="Cierre ese programa y vuelva a probar.")
    return CameraError(f"La cámara {label} no se pudo abrir.",
                       way_out=CAMERA_TEST_WORDS, command="station camera test")

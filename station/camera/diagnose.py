"""Gather the facts :func:`station.core.camera_faults.diagnose` needs, from this machine.

Every place it looks is a parameter (``root``), so the tests build a small fake machine in a
folder (device files, sysfs names, a Pi config.txt) and check the findings.
"""

from __future__ import annotations

import errno
import grp
import os
import pwd
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from station.camera import picam
from station.camera.frames import CameraError
from station.camera.v4l2 import V4l2Camera, holders, node_name, query_capture, video_nodes
from station.core.camera_faults import CameraFacts, VideoNode

_OVERLAY = re.compile(r"^dtoverlay=(imx|ov|arducam)", re.IGNORECASE)
_LISTED = re.compile(r"^\s*\d+\s*:", re.MULTILINE)

FrameProbe = Callable[[Path], bool]


def _setting_lines(path: Path) -> list[str]:
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return []
    return [ln.split("#", 1)[0].strip().replace(" ", "") for ln in text.splitlines()]


def _pi_config(root: Path) -> tuple[bool, bool, str]:
    """(legacy camera enabled, auto-detect off without an overlay, config file) on a Pi."""
    for rel in ("boot/firmware/config.txt", "boot/config.txt"):
        path = root / rel
        lines = _setting_lines(path)
        if lines:
            legacy = "start_x=1" in lines
            auto_off = "camera_auto_detect=0" in lines and not any(_OVERLAY.match(ln)
                                                                  for ln in lines)
            return legacy, auto_off, "/" + rel
    return False, False, "/boot/firmware/config.txt"


def _libcamera_count() -> int | None:
    """Cameras ``rpicam-hello --list-cameras`` lists (None when the tool is absent)."""
    tool = shutil.which("rpicam-hello") or shutil.which("libcamera-hello")
    if tool is None:
        return None
    try:
        out = subprocess.run([tool, "--list-cameras"], capture_output=True, text=True,
                             timeout=15, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return len(_LISTED.findall(out.stdout + out.stderr))


def _user_name() -> str:
    # The effective user (what opens the device), not $USER, which sudo and su keep.
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def _in_video_group(user: str) -> bool | None:
    try:
        group = grp.getgrnam("video")
    except KeyError:
        return None
    return group.gr_gid in os.getgroups() or user in group.gr_mem


def delivers_a_frame(node: Path) -> bool:
    """Open the camera at ``node`` and read one frame (640×480: any camera has it)."""
    try:
        cam = V4l2Camera(str(node), 640, 480)
    except CameraError:
        return False
    try:
        cam.read()
        return True
    except CameraError:
        return False
    finally:
        cam.close()


def gather_facts(root: Path = Path("/"), *, probe_frames: FrameProbe | None = delivers_a_frame,
                 libcamera: Callable[[], int | None] = _libcamera_count) -> CameraFacts:
    """Look at ``root`` (``/`` on a station) and, unless ``probe_frames`` is None, try each
    capture device for one frame."""
    nodes = []
    for path in video_nodes(root / "dev"):
        name = node_name(path, root / "sys/class/video4linux")
        is_capture, err = query_capture(path)
        denied = err in (errno.EACCES, errno.EPERM)
        can_open = err is None if err != errno.ENOENT else False
        frames = None
        if probe_frames is not None and is_capture and not denied:
            frames = probe_frames(path)
        shown = "/" + path.relative_to(root).as_posix()  # /dev/videoN, also under a test root
        nodes.append(VideoNode(shown, name, can_open, denied, is_capture, frames,
                               holders(path, root / "proc")))
    model = root / "proc/device-tree/model"
    try:
        is_pi = "Raspberry Pi" in model.read_text("utf-8", errors="replace")
    except OSError:
        is_pi = False
    legacy, auto_off, config = _pi_config(root) if is_pi else (False, False, "")
    user = _user_name()
    return CameraFacts(
        nodes=tuple(nodes), user=user, user_in_video_group=_in_video_group(user),
        is_root=os.geteuid() == 0, raspberry_pi=is_pi, legacy_camera_enabled=legacy,
        camera_auto_detect_off=auto_off, libcamera_cameras=libcamera() if is_pi else None,
        picamera2_installed=picam.available(),
        picamera2_cameras=picam.camera_count() if is_pi else None,
        config_file=config or "/boot/firmware/config.txt")

"""'No camera detected', diagnosed: the findings for each cause, from facts and from a machine.

The machine-level tests build a small *fake machine* in a folder (``dev/``, ``sys/``, ``proc/``,
``boot/``): real files and symlinks that stand in for device nodes, sysfs names and a Pi's
config.txt, since this machine has no camera. The permission test runs the real check as the
unprivileged user ``nobody``; the busy test also uses a real process holding a file.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from station.camera.diagnose import gather_facts
from station.camera.v4l2 import holders, query_capture, video_nodes
from station.cli import main
from station.core.camera_faults import CameraFacts, VideoNode, diagnose


def codes(facts: CameraFacts) -> list[str]:
    return [f.code for f in diagnose(facts)]


def facts(*nodes: VideoNode, **kw: object) -> CameraFacts:
    kw.setdefault("user", "estacion")
    kw.setdefault("user_in_video_group", True)
    return CameraFacts(nodes=nodes, **kw)  # type: ignore[arg-type]


# --- the rule: facts → findings ------------------------------------------------------------

def test_a_working_camera_means_nothing_to_report() -> None:
    assert diagnose(facts(VideoNode("/dev/video0", "UVC", True, is_capture=True,
                                    delivers_frames=True))) == []


def test_each_cause_has_its_finding() -> None:
    denied = VideoNode("/dev/video0", "HD Webcam", False, permission_denied=True)
    assert codes(facts(denied, user_in_video_group=False)) == ["permission"]
    busy = VideoNode("/dev/video0", "HD Webcam", True, is_capture=True,
                     held_by=("cheese, proceso 812",))
    assert codes(facts(busy)) == ["busy"]
    silent = VideoNode("/dev/video0", "HD Webcam", True, is_capture=True, delivers_frames=False)
    assert codes(facts(silent)) == ["no-frames"]
    meta = VideoNode("/dev/video1", "HD Webcam", True, is_capture=False)
    assert codes(facts(meta)) == ["no-capture-device"]
    assert codes(facts()) == ["no-device"]


def test_permission_finding_names_the_user_and_the_command() -> None:
    denied = VideoNode("/dev/video0", "HD Webcam", False, permission_denied=True)
    finding = diagnose(facts(denied, user="credencial", user_in_video_group=False))[0]
    assert "«credencial»" in finding.message_es and "grupo «video»" in finding.message_es
    assert "sudo usermod -aG video credencial" in finding.command  # the command line's
    assert "usermod" not in finding.way_out_es and "DRSE" in finding.way_out_es  # the kiosk's


def test_pi_after_an_upgrade() -> None:
    codec = VideoNode("/dev/video10", "bcm2835-codec-decode", True, is_capture=False)
    isp = VideoNode("/dev/video13", "bcm2835-isp", True, is_capture=None)
    f = facts(codec, isp, raspberry_pi=True, legacy_camera_enabled=True, libcamera_cameras=0)
    assert codes(f) == ["legacy-stack", "pi-camera-not-found"]
    text = diagnose(f)[0].text_es()
    assert "start_x=1" in text and "raspi-config" in text
    f = facts(codec, raspberry_pi=True, camera_auto_detect_off=True, libcamera_cameras=0)
    assert codes(f) == ["auto-detect-off", "pi-camera-not-found"]
    f = facts(codec, raspberry_pi=True, libcamera_cameras=1, picamera2_installed=False)
    assert codes(f) == ["picamera2-missing"]
    assert "python3-picamera2" in diagnose(f)[0].command
    assert "picamera2" in diagnose(f)[0].way_out_es


# --- the machine: a fake one in a folder ---------------------------------------------------

def fake_machine(root: Path, nodes: dict[str, str], *, pi_model: str | None = None,
                 config: str | None = None, mode: int = 0o660) -> Path:
    (root / "dev").mkdir(parents=True)
    (root / "proc").mkdir()
    for node, name in nodes.items():
        (root / "dev" / node).write_bytes(b"")
        (root / "dev" / node).chmod(mode)
        sysfs = root / "sys/class/video4linux" / node
        sysfs.mkdir(parents=True)
        (sysfs / "name").write_text(name + "\n")
    if pi_model is not None:
        (root / "proc/device-tree").mkdir(parents=True)
        (root / "proc/device-tree/model").write_text(pi_model + "\x00")
    if config is not None:
        (root / "boot/firmware").mkdir(parents=True)
        (root / "boot/firmware/config.txt").write_text(config)
    return root


def never(_node: Path) -> bool:  # the frame probe is not reached for plain files
    raise AssertionError("plain files are not capture devices")


def gather(root: Path, libcamera: Callable[[], int | None] = lambda: None) -> CameraFacts:
    return gather_facts(root, probe_frames=never, libcamera=libcamera)


def test_machine_without_video_devices(tmp_path: Path) -> None:
    f = gather(fake_machine(tmp_path, {}))
    assert f.nodes == () and not f.raspberry_pi
    assert codes(f) == ["no-device"]


def test_pi_with_legacy_camera_and_only_codec_nodes(tmp_path: Path) -> None:
    root = fake_machine(
        tmp_path, {"video10": "bcm2835-codec-decode", "video11": "bcm2835-codec-encode",
                   "video12": "bcm2835-isp"},
        pi_model="Raspberry Pi 4 Model B Rev 1.5",
        config="# camera\nstart_x=1\ngpu_mem=128\ncamera_auto_detect=1\n")
    f = gather(root, libcamera=lambda: 0)
    assert f.raspberry_pi and f.legacy_camera_enabled and not f.camera_auto_detect_off
    assert [n.path for n in f.nodes] == ["/dev/video10", "/dev/video11", "/dev/video12"]
    assert all(n.pi_internal for n in f.nodes)
    assert codes(f) == ["legacy-stack", "pi-camera-not-found"]
    assert "/boot/firmware/config.txt" in diagnose(f)[0].command  # for the command line
    assert "config.txt" not in diagnose(f)[0].text_es().split(" En la terminal:")[0]


def test_pi_with_auto_detect_off_but_an_overlay_is_fine(tmp_path: Path) -> None:
    off = fake_machine(tmp_path / "a", {}, pi_model="Raspberry Pi 5",
                       config="camera_auto_detect=0\n")
    assert gather(off, libcamera=lambda: 0).camera_auto_detect_off
    overlay = fake_machine(tmp_path / "b", {}, pi_model="Raspberry Pi 5",
                           config="camera_auto_detect=0\ndtoverlay=imx708\n")
    assert not gather(overlay, libcamera=lambda: 1).camera_auto_detect_off


def test_pi_camera_seen_by_libcamera_but_no_picamera2(tmp_path: Path) -> None:
    root = fake_machine(tmp_path, {"video0": "unicam"}, pi_model="Raspberry Pi 4 Model B",
                        config="camera_auto_detect=1\n")
    f = gather(root, libcamera=lambda: 1)
    assert not f.picamera2_installed  # not installable on this machine
    assert "picamera2-missing" in codes(f)


def test_device_held_by_another_program(tmp_path: Path) -> None:
    root = fake_machine(tmp_path, {"video0": "HD Pro Webcam C920"})
    proc = root / "proc" / "4242"
    (proc / "fd").mkdir(parents=True)
    (proc / "comm").write_text("cheese\n")
    (proc / "fd" / "7").symlink_to(root / "dev" / "video0")
    f = gather(root)
    assert f.nodes[0].held_by == ("cheese, proceso 4242",)
    finding = diagnose(f)[0]
    assert finding.code == "busy" and "cheese" in finding.message_es


def test_a_real_process_holding_the_device_is_seen(tmp_path: Path) -> None:
    node = tmp_path / "video0"
    node.write_bytes(b"")
    with node.open("rb") as held:
        proc = subprocess.Popen(["sleep", "30"], stdin=held)
        try:
            assert any(h.startswith("sleep, proceso ") for h in holders(node, Path("/proc")))
        finally:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to the user nobody")
def test_permission_denied_as_an_unprivileged_user() -> None:
    # Outside pytest's private (0700) temporary folder, so that nobody can reach it.
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="fake-machine-") as folder:
        Path(folder).chmod(0o755)
        root = fake_machine(Path(folder) / "m", {"video0": "HD Webcam"}, mode=0o600)
        for sub in (root, *[p for p in root.rglob("*") if p.is_dir()]):
            sub.chmod(0o755)
        user, denied, findings = _as_nobody(root)
    assert user == "nobody" and denied
    assert findings[0][0] == "permission"
    assert "sudo usermod -aG video nobody" in findings[0][2]


def _as_nobody(root: Path) -> list:
    # A forked child switches to nobody and runs the real check (this checkout's Python is
    # not executable by nobody, so no new interpreter).
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            f = gather_facts(root, probe_frames=None, libcamera=lambda: None)
            answer = [f.user, f.nodes[0].permission_denied,
                      [(d.code, d.message_es, d.command) for d in diagnose(f)]]
            os.write(write_end, json.dumps(answer).encode())
            code = 0
        except BaseException as exc:
            os.write(write_end, repr(exc).encode())
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, data
    return json.loads(data)


def test_query_capture_on_files_and_missing_nodes(tmp_path: Path) -> None:
    plain = tmp_path / "video0"
    plain.write_bytes(b"")
    assert query_capture(plain) == (None, None)  # opens, but is not a V4L2 device
    assert query_capture(tmp_path / "video9")[1] == 2  # ENOENT
    for n in (10, 2, 0):
        (tmp_path / f"video{n}").write_bytes(b"")
    (tmp_path / "video-bogus").write_bytes(b"")
    assert [p.name for p in video_nodes(tmp_path)] == ["video0", "video2", "video10"]


# --- this machine, for real ----------------------------------------------------------------

@pytest.mark.skipif(bool(video_nodes()), reason="this machine has video devices")
def test_camera_test_on_a_machine_without_camera_says_why(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--data", str(tmp_path / "st"), "camera", "test",
                                  "--seconds", "0.2"])
    assert result.exit_code == 1
    assert "No hay ninguna cámara conectada" in result.output
    assert "station camera test" in result.output  # the way out is spelled out
    result = runner.invoke(main, ["--data", str(tmp_path / "st"), "camera", "list", "--json"])
    assert result.exit_code == 1
    answer = json.loads(result.output)
    assert answer["cameras"] == [] and answer["findings"][0]["code"] == "no-device"

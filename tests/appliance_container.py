"""A booted appliance root: systemd-nspawn --boot over an overlay of the built root.

The built root (image-build/build.sh --rootfs) is never written: each boot runs on an
overlayfs whose upper folder is the machine's "disk". Killing the container's PID 1 is the
power cut (every process of the container dies at once); booting again on the same upper
folder is the next power-on. Commands run inside with nsenter (no machined on a CI host).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

NSENTER = ["nsenter", "--mount", "--uts", "--ipc", "--net", "--pid"]


class Disk:
    """An overlay of the built root: ``merged`` is what the container sees."""

    def __init__(self, base: Path, folder: Path) -> None:
        self.base, self.folder = base, folder
        self.upper, self.work, self.merged = (folder / n for n in ("upper", "work", "merged"))
        for d in (self.upper, self.work, self.merged):
            d.mkdir(parents=True, exist_ok=True)

    def mount(self) -> None:
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        f"lowerdir={self.base},upperdir={self.upper},workdir={self.work}",
                        str(self.merged)], check=True, capture_output=True)

    def unmount(self) -> None:
        for _ in range(50):
            done = subprocess.run(["umount", str(self.merged)], capture_output=True)
            if done.returncode == 0 or not os.path.ismount(self.merged):
                return
            time.sleep(0.2)
        subprocess.run(["umount", "-l", str(self.merged)], capture_output=True)

    def path(self, inside: str) -> Path:
        return self.merged / inside.lstrip("/")


class Machine:
    """One boot of a Disk. ``run`` executes inside; ``power_cut`` kills everything at once."""

    def __init__(self, disk: Disk, log: Path, name: str = "estacion") -> None:
        self.disk, self.log, self.name = disk, log, name
        self.proc: subprocess.Popen[bytes] | None = None
        self.leader = 0
        self.started = 0.0

    def boot(self, timeout: float = 90) -> None:
        self.disk.mount()
        self.started = time.monotonic()
        with open(self.log, "ab") as out:
            out.write(f"\n===== boot {time.strftime('%H:%M:%S')} =====\n".encode())
            out.flush()
            # Host network (central and the virtual printer listen on the host's loopback);
            # no machined on a CI host: --register=no, --keep-unit.
            self.proc = subprocess.Popen(
                ["systemd-nspawn", "--quiet", "--boot", "--register=no", "--keep-unit",
                 f"--machine={self.name}", "--directory", str(self.disk.merged),
                 "--console=passive", "--link-journal=no",
                 "--resolv-conf=off", "--timezone=off"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.leader = self._find_leader()
            if self.leader and self.run(["true"], check=False, timeout=5).returncode == 0:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"systemd-nspawn exited ({self.proc.returncode}); "
                                   f"see {self.log}")
            time.sleep(0.2)
        raise RuntimeError(f"the container did not start in {timeout} s; see {self.log}")

    def _find_leader(self) -> int:
        assert self.proc is not None
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        with contextlib.suppress(OSError, ValueError):
            for pid in children.read_text().split():
                if Path(f"/proc/{pid}/exe").resolve().name == "systemd":
                    return int(pid)
        return 0

    def run(self, argv: list[str], *, check: bool = True, timeout: float = 120,
            user: str | None = None) -> subprocess.CompletedProcess[str]:
        prefix = [*NSENTER, "--target", str(self.leader), "--"]
        env_inside = ["env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
                      "STATION_DATA=/var/lib/station"]
        if user:
            env_inside = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups",
                          *env_inside]
        done = subprocess.run([*prefix, *env_inside, *argv], capture_output=True, text=True,
                              timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"{argv} -> {done.returncode}\n{done.stdout}\n{done.stderr}")
        return done

    def systemctl(self, *args: str, check: bool = False) -> str:
        return self.run(["systemctl", *args], check=check).stdout.strip()

    def wait(self, what: str, condition: object, timeout: float, step: float = 0.5) -> float:
        """Seconds until ``condition()`` is true; AssertionError naming ``what`` otherwise."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if condition():  # type: ignore[operator]
                return time.monotonic() - t0
            time.sleep(step)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n"
                             + self.journal(80))

    def journal(self, lines: int = 60, unit: str | None = None) -> str:
        if not self.leader or self.proc is None or self.proc.poll() is not None:
            return ""
        argv = ["journalctl", "--no-pager", "-n", str(lines), "-o", "short-monotonic"]
        return self.run(argv + (["-u", unit] if unit else []), check=False, timeout=30).stdout

    def power_cut(self) -> None:
        """SIGKILL the container's init: the kernel kills every process of its PID
        namespace at once, as a cut would stop them (the page cache survives, unlike a
        real cut: this checks the updater's ordering, not the SD card's)."""
        if self.leader:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.leader, signal.SIGKILL)
        self._reap()

    def shutdown(self) -> None:
        if self.proc is not None and self.proc.poll() is None and self.leader:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.leader, signal.SIGRTMIN + 4)  # systemd: poweroff
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=30)
        if self.proc is not None and self.proc.poll() is None:
            self.power_cut()
        self._reap()

    def _reap(self) -> None:
        if self.proc is not None:
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.leader = 0
        self.disk.unmount()


def xvfb_screenshot(fb_file: Path, png: Path) -> tuple[int, int, int]:
    """Xvfb's ``-fbdir`` frame buffer (an XWD file) as a PNG; returns (width, height, number
    of distinct colours), so a blank screen (1 colour) is told from a drawn one."""
    import struct

    import numpy as np
    from PIL import Image

    data = fb_file.read_bytes()
    fields = struct.unpack(">25I", data[:100])
    header_size, width, height = fields[0], fields[4], fields[5]
    byte_order, bpp, bytes_per_line, ncolors = fields[7], fields[11], fields[12], fields[19]
    assert bpp == 32, f"unexpected frame buffer depth {bpp}"
    start = header_size + 12 * ncolors
    raw = np.frombuffer(data, dtype=np.uint8, count=height * bytes_per_line, offset=start)
    pixels = raw.reshape(height, bytes_per_line)[:, : width * 4].reshape(height, width, 4)
    rgb = pixels[:, :, [2, 1, 0]] if byte_order == 0 else pixels[:, :, [1, 2, 3]]
    Image.fromarray(np.ascontiguousarray(rgb)).save(png)
    colours = len(np.unique(rgb.reshape(-1, 3), axis=0))
    return width, height, colours

"""USB sticks for tests: a FAT image made by ``mkfs.vfat`` on a loop device, mounted by the
kernel's vfat driver, or by the FUSE FAT driver (``fusefat``) where the kernel has none."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from conftest import require_part


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)


@dataclass
class FatStick:
    """A FAT image on a loop device, mounted (or not) at ``point``."""

    image: Path
    point: Path
    loop: str = ""
    driver: str = ""
    log: list[str] = field(default_factory=list)

    def mount(self, *, read_only: bool = False) -> bool:
        self.point.mkdir(parents=True, exist_ok=True)
        attach = _run("losetup", "-f", "--show", *(["-r"] if read_only else []),
                      str(self.image))
        if attach.returncode != 0:
            self.log.append(attach.stderr)
            return False
        self.loop = attach.stdout.strip()
        ro = ["-o", "ro"] if read_only else []
        kernel = _run("mount", "-t", "vfat", *ro, self.loop, str(self.point))
        if kernel.returncode == 0:
            self.driver = "vfat"
            return True
        self.log.append(kernel.stderr)
        if shutil.which("fusefat"):
            fuse = _run("fusefat", "-o", "ro" if read_only else "rw+", self.loop,
                        str(self.point))
            if fuse.returncode == 0 and os.path.ismount(self.point):
                self.driver = "fusefat"
                return True
            self.log.append(fuse.stderr)
        self.detach()
        return False

    def unmount(self, *, lazy: bool = False) -> None:
        # A kiosk that has just let go of the stick may still be closing its files: "target
        # is busy" for a moment on a loaded machine. Only a finished unmount lets the next
        # mount see what the FUSE driver wrote out.
        deadline = time.monotonic() + 30
        while os.path.ismount(self.point):
            done = _run("umount", *(["-l"] if lazy else []), str(self.point))
            if done.returncode == 0 or lazy or time.monotonic() > deadline:
                if done.returncode != 0:
                    self.log.append(done.stderr)
                break
            time.sleep(0.2)
        if not lazy:
            self._wait_for_driver()
            self.detach()

    def _wait_for_driver(self) -> None:
        """A FUSE driver ends a moment after its unmount: wait, so the next mount of the
        same image never meets the old one still holding the loop device."""
        if self.driver != "fusefat" or not self.loop:
            return
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _run(
                "pgrep", "-f", f"fusefat .*{self.loop} {self.point}").returncode == 0:
            time.sleep(0.05)

    def detach(self) -> None:
        if self.loop:
            _run("losetup", "-d", self.loop)
            self.loop = ""


def make_fat_image(path: Path, size_kib: int, label: str) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size_kib * 1024)
    made = _run("mkfs.vfat", "-n", label, str(path))
    require_part(made.returncode == 0, f"mkfs.vfat (dosfstools): {made.stderr.strip()}")
    return path

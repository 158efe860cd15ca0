"""Copying reports onto a USB stick, against real FAT file systems mounted from images.

Each stick is a small FAT image made by ``mkfs.vfat``, attached to a loop device and mounted
under a temporary folder that :class:`MountinfoMedia` watches (as it watches ``/media`` on a
kiosk). The kernel's vfat driver is used where the kernel has it; where it does not (some
container kernels), the FUSE FAT driver (``fusefat``) mounts the same loop device. Copy,
unmount, mount again and read back; a full stick, a write-protected one, one filled by
someone else midway and one pulled out midway.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_part
from usb_sticks import FatStick, make_fat_image

from foundation.errors import NotFound, StorageError
from station.services.usb_copy import copy_to_stick
from station.usb.mounts import MountinfoMedia


@pytest.fixture
def sticks(tmp_path: Path) -> Iterator[tuple[Path, list[FatStick]]]:
    require_part(os.geteuid() == 0, "root, to attach loop devices and mount them")
    require_part(shutil.which("mkfs.vfat") is not None, "mkfs.vfat (dosfstools)")
    root = tmp_path / "media"
    made: list[FatStick] = []
    yield root, made
    for stick in made:
        stick.unmount()
        stick.detach()


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)


def _stick(root: Path, made: list[FatStick], label: str, size_kib: int,
           *, read_only: bool = False) -> FatStick:
    stick = FatStick(make_fat_image(root.parent / f"{label}.img", size_kib, label),
                     root / "operador" / label)
    made.append(stick)
    mounted = stick.mount(read_only=read_only)
    require_part(mounted, "mounting a FAT image on a loop device (kernel vfat or fusefat): "
                 + " | ".join(s.strip() for s in stick.log))
    return stick


def _report(tmp_path: Path, size: int, name: str = "reporte-20261202-101500.zip") -> Path:
    path = tmp_path / "station" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_copied_verified_and_still_there_after_mounting_again(
        sticks: tuple[Path, list[FatStick]], tmp_path: Path) -> None:
    root, made = sticks
    stick = _stick(root, made, "KINGSTON", 2048)
    (root / "carpeta-sin-montar").mkdir()  # a folder left behind is not a stick
    media = MountinfoMedia(roots=[root])
    [found] = media.sticks()
    assert (found.label, found.mount_point, found.read_only) == ("KINGSTON", stick.point, False)
    source = _report(tmp_path, 700_000)
    seen: list[int] = []
    copied = copy_to_stick(source, media=media, on_chunk=lambda done, _total: seen.append(done))
    assert copied.sha256 == _sha(source) and copied.size == 700_000
    assert seen[-1] == 700_000 and len(seen) > 1
    assert "«KINGSTON»" in copied.message_es and "Ya puede retirar" in copied.message_es
    assert str(stick.point) not in copied.message_es
    stick.unmount()
    assert media.sticks() == []
    with pytest.raises(NotFound, match="No hay ninguna memoria USB"):
        copy_to_stick(source, media=media)
    assert stick.mount()
    assert sorted(p.name for p in stick.point.iterdir() if p.is_file()
                  and not p.name.isupper()) == [source.name]
    assert _sha(stick.point / source.name) == _sha(source)


def test_a_tmpfs_under_media_is_not_a_stick(sticks: tuple[Path, list[FatStick]]) -> None:
    root, _made = sticks
    point = root / "ram"
    point.mkdir(parents=True)
    require_part(_run("mount", "-t", "tmpfs", "-o", "size=1m", "ram", str(point)).returncode
                 == 0, "mounting a tmpfs")
    try:
        assert MountinfoMedia(roots=[root]).sticks() == []
    finally:
        _run("umount", str(point))


def test_a_full_stick_is_refused_before_writing(sticks: tuple[Path, list[FatStick]],
                                                tmp_path: Path) -> None:
    root, made = sticks
    stick = _stick(root, made, "LLENA", 1024)
    source = _report(tmp_path, 1_500_000)
    with pytest.raises(StorageError) as refused:
        copy_to_stick(source, media=MountinfoMedia(roots=[root]))
    message = refused.value.user_message()
    assert "«LLENA» está llena" in message and "No se copió nada" in message
    assert "1,5 MB" in message
    assert not any(p.name.startswith("reporte") for p in stick.point.iterdir())


def test_a_stick_filled_midway_leaves_nothing(sticks: tuple[Path, list[FatStick]],
                                             tmp_path: Path) -> None:
    root, made = sticks
    stick = _stick(root, made, "COMPARTIDA", 1024)
    source = _report(tmp_path, 600_000)

    def someone_fills_it(done: int, _total: int) -> None:
        if done <= 256 * 1024:  # after the first piece: another program takes the room
            filler = stick.point / "video.bin"
            with filler.open("ab") as handle:
                try:
                    handle.write(os.urandom(700_000))
                    handle.flush()
                    os.fsync(handle.fileno())
                except OSError:
                    pass

    with pytest.raises(StorageError, match="está llena"):
        copy_to_stick(source, media=MountinfoMedia(roots=[root]), on_chunk=someone_fills_it)
    names = {p.name for p in stick.point.iterdir()}
    assert source.name not in names and source.name + ".part" not in names


def test_a_write_protected_stick_is_refused(sticks: tuple[Path, list[FatStick]],
                                           tmp_path: Path) -> None:
    root, made = sticks
    stick = _stick(root, made, "PROTEGIDA", 1024, read_only=True)
    media = MountinfoMedia(roots=[root])
    assert media.sticks()[0].read_only
    with pytest.raises(StorageError, match="protegida contra escritura"):
        copy_to_stick(_report(tmp_path, 10_000), media=media)
    assert not any(p.name.startswith("reporte") for p in stick.point.iterdir())


def test_a_stick_pulled_out_midway_is_said_and_nothing_is_claimed(
        sticks: tuple[Path, list[FatStick]], tmp_path: Path) -> None:
    root, made = sticks
    stick = _stick(root, made, "RETIRADA", 2048)
    source = _report(tmp_path, 800_000)
    media = MountinfoMedia(roots=[root])

    def pulled(done: int, _total: int) -> None:
        if done <= 256 * 1024 and os.path.ismount(stick.point):
            # The automounter's clean-up when a stick is pulled: a lazy unmount; the mount
            # leaves the table at once, as it does when the device goes away.
            stick.unmount(lazy=True)

    with pytest.raises(StorageError) as refused:
        copy_to_stick(source, media=media, on_chunk=pulled)
    assert "Se retiró la memoria USB «RETIRADA» antes de terminar" in refused.value.message
    assert "no quedó copiado" in refused.value.message
    assert not (stick.point / source.name).exists()
    # Mounted again, the stick holds no file under the report's name.
    stick.detach()
    assert stick.mount()
    assert not (stick.point / source.name).exists()

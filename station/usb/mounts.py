"""Which USB sticks are plugged in: the mounts a desktop automounter made for them.

On the Raspberry Pi OS kiosk, udisks2 (through the session's automounter) mounts a stick at
``/media/<user>/<label>`` (``/run/media/<user>/<label>`` on other distributions) and
usbmount-style setups use ``/media/usb0``. Those folders hold nothing else, so a mount there
with a file system sticks are formatted with (FAT, exFAT, NTFS — kernel or FUSE driver) is a
stick. The facts come from ``/proc/self/mountinfo``, which the kernel keeps exact: a stick
pulled out disappears from it at once, a folder left behind by a stale mount does not count.

:class:`RemovableMedia` is the interface the services use; :class:`MountinfoMedia` is the
Linux implementation (another one, e.g. over udisks2's D-Bus API, can replace it without
touching the services). The watched folders are configurable (tests mount a real FAT image
under a temporary folder; ``STATION_MEDIA_ROOTS`` overrides them for a whole process).

>>> entry = parse_mountinfo_line(
...     "61 27 7:0 / /media/pi/MI\\\\040USB rw,relatime - vfat /dev/sda1 rw,fmask=0022")
>>> entry.mount_point, entry.fstype, entry.read_only
(PosixPath('/media/pi/MI USB'), 'vfat', False)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

DEFAULT_ROOTS = (Path("/media"), Path("/run/media"))
"""Where automounters put removable media."""

ROOTS_ENV = "STATION_MEDIA_ROOTS"
"""Folders to watch instead of :data:`DEFAULT_ROOTS`, separated by ``:`` (tests, demos)."""

STICK_FILE_SYSTEMS = frozenset({
    "vfat", "msdos", "exfat", "ntfs", "ntfs3",
    "fuseblk",  # exFAT/NTFS through FUSE on a block device (exfat-fuse, ntfs-3g)
    "fuse.fusefat", "fuse.exfat", "fuse.ntfs-3g",
})
"""File systems USB sticks come formatted with; a tmpfs or ext4 under /media is not a stick."""

_ESCAPE = re.compile(r"\\([0-7]{3})")


@dataclass(frozen=True, slots=True)
class MountEntry:
    mount_point: Path
    fstype: str
    source: str
    read_only: bool


@dataclass(frozen=True, slots=True)
class Stick:
    """A mounted USB stick. ``label`` is what the user sees on it (the folder's name)."""

    mount_point: Path
    label: str
    fstype: str
    read_only: bool


def _unescape(field: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo_line(line: str) -> MountEntry | None:
    """One line of ``/proc/<pid>/mountinfo`` (see proc(5)); None when it is not one."""
    left, sep, right = line.partition(" - ")
    if not sep:
        return None
    fields, tail = left.split(), right.split()
    if len(fields) < 6 or len(tail) < 2:
        return None
    options = set(fields[5].split(",")) | set(tail[2].split(",") if len(tail) > 2 else ())
    return MountEntry(Path(_unescape(fields[4])), tail[0], _unescape(tail[1]), "ro" in options)


def parse_mountinfo(text: str) -> list[MountEntry]:
    return [e for line in text.splitlines() if (e := parse_mountinfo_line(line)) is not None]


def sticks_in(entries: Iterable[MountEntry], roots: Sequence[Path]) -> list[Stick]:
    """The mounts one or two folders below a root with a stick's file system, by label.
    A later mount on the same point hides the earlier one (the kernel's order)."""
    last: dict[Path, MountEntry] = {}
    for entry in entries:
        last[entry.mount_point] = entry
    found = []
    for point, entry in last.items():
        if entry.fstype not in STICK_FILE_SYSTEMS:
            continue
        for root in roots:
            try:
                depth = len(point.relative_to(root).parts)
            except ValueError:
                continue
            if 1 <= depth <= 2:
                found.append(Stick(point, point.name, entry.fstype, entry.read_only))
                break
    return sorted(found, key=lambda s: (s.label.lower(), str(s.mount_point)))


class RemovableMedia(Protocol):
    """What the services need to know about removable media."""

    def sticks(self) -> list[Stick]:
        """The sticks mounted now."""
        ...

    def still_mounted(self, stick: Stick) -> bool:
        """Whether ``stick`` is still there (not pulled out, not unmounted)."""
        ...


class MountinfoMedia:
    """:class:`RemovableMedia` read from the kernel's mount table."""

    def __init__(self, roots: Sequence[Path] | None = None,
                 mountinfo: Path = Path("/proc/self/mountinfo")) -> None:
        if roots is None:
            configured = os.environ.get(ROOTS_ENV, "")
            roots = [Path(p) for p in configured.split(os.pathsep) if p] or DEFAULT_ROOTS
        self.roots = tuple(Path(os.path.realpath(r)) for r in roots)
        self.mountinfo = mountinfo

    def _entries(self) -> list[MountEntry]:
        try:
            return parse_mountinfo(self.mountinfo.read_text("utf-8", errors="replace"))
        except OSError:
            return []

    def sticks(self) -> list[Stick]:
        return sticks_in(self._entries(), self.roots)

    def still_mounted(self, stick: Stick) -> bool:
        return any(s.mount_point == stick.mount_point for s in self.sticks())

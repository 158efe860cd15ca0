"""Where releases live on the appliance, and the updater's own status file.

::

    /opt/station/                   releases root (STATION_RELEASES_ROOT; tests use a temp dir)
      release-keys/*.pub            the state's release public keys (installed by the image)
      releases/<version>/venv/      one slot per release (a virtualenv with its wheels)
      current -> releases/<v>       what the units run (/opt/station/current/venv/bin/station)
      previous -> releases/<v>      where a rollback goes
    <data>/updates/
      <sha256>.part / <sha256>.tar  a bundle being downloaded / downloaded and hash-checked
      status.json                   last check, offer, last attempt and its reason, reports to send
      update.lock                   held by whoever reads-modifies-writes status.json (flock)
      health/<version>.ok           written by the new release once kiosk/sync started fine

Every switch of ``current`` is one ``rename`` of a fresh symlink: a power cut leaves the old
link or the new one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foundation.atomic_files import fsync_dir, write_atomic
from station import __version__
from station.store.data_folder import DataFolder

DEFAULT_ROOT = Path("/opt/station")
ROOT_ENV = "STATION_RELEASES_ROOT"


@dataclass(frozen=True, slots=True)
class Layout:
    root: Path
    data_dir: Path

    @classmethod
    def of(cls, data_dir: Path, root: Path | None = None) -> Layout:
        return cls(Path(root or os.environ.get(ROOT_ENV) or DEFAULT_ROOT), Path(data_dir))

    @property
    def keys_dir(self) -> Path:
        return self.root / "release-keys"

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def current(self) -> Path:
        return self.root / "current"

    @property
    def previous(self) -> Path:
        return self.root / "previous"

    @property
    def updates(self) -> Path:
        return DataFolder(self.data_dir).updates

    @property
    def health_dir(self) -> Path:
        return self.updates / "health"

    @property
    def status_file(self) -> Path:
        return self.updates / "status.json"

    def slot(self, version: str) -> Path:
        return self.releases / version

    def station_bin(self, version: str) -> Path:
        return self.slot(version) / "venv" / "bin" / "station"

    def link_version(self, link: Path) -> str | None:
        """The version a slot link points at, or None."""
        try:
            return Path(os.readlink(link)).name
        except OSError:
            return None

    def installed_version(self) -> str:
        """What runs now: ``current``'s slot, or this program's version (a dev checkout)."""
        return self.link_version(self.current) or __version__

    def slots(self) -> list[str]:
        if not self.releases.is_dir():
            return []
        return sorted(p.name for p in self.releases.iterdir()
                      if p.is_dir() and not p.name.startswith("."))

    def point(self, link: Path, version: str) -> None:
        """Make ``link`` point at the slot of ``version`` atomically."""
        link.parent.mkdir(parents=True, exist_ok=True)
        tmp = link.with_name(f".{link.name}.new")
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(Path("releases") / version)
        os.replace(tmp, link)
        fd = os.open(link.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _owner_of(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_uid, info.st_gid


def give_to_data_owner(layout: Layout, path: Path) -> None:
    """The updater runs as root; files it leaves in the data folder belong to its owner."""
    owner = _owner_of(layout.data_dir)
    if owner is None or os.geteuid() != 0:
        return
    with contextlib.suppress(OSError):
        os.chown(path, *owner)


def ensure_dirs(layout: Layout) -> None:
    for folder in (layout.updates, layout.health_dir):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        give_to_data_owner(layout, folder)


def read_status(layout: Layout) -> dict[str, Any]:
    try:
        data = json.loads(layout.status_file.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_status(layout: Layout, status: dict[str, Any]) -> None:
    """Replace status.json; the new file belongs to the data folder's owner BEFORE it takes
    the name (a power cut between writing and ``chown`` used to leave a root-only file that
    the sync, as the station user, read as empty and then overwrote)."""
    ensure_dirs(layout)
    tmp = layout.status_file.with_name(".status.json.new")
    write_atomic(tmp, json.dumps(status, ensure_ascii=False, indent=2).encode(), mode=0o600)
    give_to_data_owner(layout, tmp)
    os.replace(tmp, layout.status_file)
    fsync_dir(layout.status_file.parent)


class UpdaterBusy(Exception):
    """Another updater run holds the lock (``check`` from the sync gives way)."""


def shared_lock_file(layout: Layout, name: str) -> int:
    """An fd to lock ``<data>/updates/<name>`` with flock, openable by root (the update unit)
    and the station user (the sync unit) alike: read-only is enough for flock, so the file
    may belong to either and stay 0644 (the data folder itself is 0700)."""
    ensure_dirs(layout)
    path = layout.updates / name
    fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    give_to_data_owner(layout, path)
    return fd


@contextlib.contextmanager
def updater_lock(layout: Layout, *, wait: bool = True) -> Iterator[None]:
    """One updater at a time: the update unit's ``apply`` (root, minutes) and the sync unit's
    ``check --download`` (station user, every 5 minutes) both read, change and write
    status.json. Unlocked, the check read the file before a switch settled and wrote its
    stale copy after it: ``pending`` came back (or vanished), and after a power cut the
    station was left with a switch nobody finished (docs/appliance-power-cuts.log).
    ``wait=False`` raises UpdaterBusy instead of waiting."""
    fd = shared_lock_file(layout, "update.lock")
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise UpdaterBusy from exc
        yield
    finally:
        os.close(fd)

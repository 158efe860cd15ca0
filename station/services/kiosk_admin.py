"""What the kiosk's administration screens need beyond the existing services: where a school
report is saved (a USB drive when one is plugged in, else ``<data>/exports``; the kiosk asks
for ``<data>/exports`` and copies the file onto a stick with :mod:`station.services.usb_copy`,
which verifies it), and the reasons offered when a hologram is damaged.

A USB drive is any writable mount point one or two levels under ``/media`` (udisks mounts at
``/media/<user>/<label>``, usbmount at ``/media/usb0``). Reports name minors: the files are
0600, and the exports folder 0700.

>>> saved = save_school_report(station, "14DPR9901D", "pdf")     # doctest: +SKIP
>>> saved.where_es                                                # doctest: +SKIP
'en la memoria USB «KINGSTON» (/media/pi/KINGSTON/reporte-14DPR9901D-2026-2027-….pdf)'
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from foundation.errors import InputError, StorageError
from station.context import Station
from station.services.reports import SchoolReport, school_reports, write_pdf, write_xlsx
from station.store.data_folder import DataFolder

MEDIA_ROOT = Path("/media")
"""Where the system mounts removable drives."""

HOLOGRAM_SPOIL_REASONS = ("se rompió al despegarlo", "quedó mal pegado", "venía dañado en el rollo",
                          "se perdió", "otro daño")  # fmt: skip
"""Reasons offered on the kiosk for a damaged hologram (recorded with its serial)."""


def usb_drives(media_root: Path = MEDIA_ROOT) -> list[Path]:
    """Writable mount points under ``media_root`` (one or two levels down), by name.

    >>> usb_drives(Path("/no/such/folder"))
    []
    """
    found: list[Path] = []
    if not media_root.is_dir():
        return found
    for first in sorted(media_root.iterdir()):
        candidates = [first]
        if first.is_dir() and not os.path.ismount(first):
            try:
                candidates = sorted(first.iterdir())
            except OSError:
                continue
        found += [c for c in candidates
                  if c.is_dir() and os.path.ismount(c) and os.access(c, os.W_OK | os.X_OK)]
    return found


@dataclass(frozen=True, slots=True)
class SavedReport:
    path: Path
    on_usb: bool

    @property
    def where_es(self) -> str:
        """Where it went, in words the secretary can follow."""
        if self.on_usb:
            return f"en la memoria USB «{self.path.parent.name}», con el nombre {self.path.name}"
        return f"en la estación, con el nombre {self.path.name}"


def export_folder(station: Station,
                  media_root: Path | None = MEDIA_ROOT) -> tuple[Path, bool]:
    """The first USB drive plugged in, else ``<data>/exports`` (created 0700); and whether it
    is a USB drive. ``media_root=None``: always the station (the kiosk then copies the file
    onto a stick with :mod:`station.services.usb_copy`, which verifies it)."""
    drives = usb_drives(media_root) if media_root is not None else []
    if drives:
        return drives[0], True
    return DataFolder.private(station.folder.exports), False


def school_report(station: Station, cct: str) -> SchoolReport:
    """The school's report for the current cycle (counts on screen)."""
    return school_reports(station, [cct])[0]


def save_school_report(station: Station, cct: str, kind: str, *,
                       media_root: Path | None = MEDIA_ROOT) -> SavedReport:
    """Write the school's report for the current cycle as ``kind`` ("pdf" or "xlsx")."""
    if kind not in ("pdf", "xlsx"):
        raise InputError(f"No se puede guardar el reporte como «{kind}».",
                         way_out="Elija PDF o Excel.")
    report = school_report(station, cct)
    folder, on_usb = export_folder(station, media_root)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = folder / f"reporte-{cct}-{report.lists.cycle}-{stamp}.{kind}"
    try:
        if kind == "pdf":
            write_pdf(station, [report], out)
        else:
            write_xlsx([report], out)
    except OSError as exc:
        raise StorageError(f"No se pudo guardar el reporte en «{folder.name}»: {exc.strerror}.",
                           way_out="Revise que la memoria USB no esté llena ni protegida "
                                   "contra escritura, o retírela para guardarlo en la "
                                   "estación.") from exc
    with contextlib.suppress(OSError):  # a FAT-formatted USB drive has no permissions
        out.chmod(0o600)
    return SavedReport(out, on_usb)

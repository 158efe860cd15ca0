"""Copy a file the station made (a problem report, a school report) onto a USB stick, safely.

What "safely" means for a secretary who pulls the stick out as soon as the screen says so:

1. the stick must be there, writable, and have room for the file (checked before writing);
2. the file is written as ``<name>.part``, flushed to the stick (``fsync``), renamed to its
   name and the folder flushed too, so the stick never holds a half file under the real name;
3. it is read back from the stick and compared with the original (size and SHA-256);
4. only then does the answer say "ya puede retirarla".

A stick pulled out, full or write-protected midway gives a clear refusal in Spanish, and
whatever was half-written is removed when the stick is still there: nothing is half-claimed.
A stick whose driver answers a full disk with another error (FUSE FAT answers EPERM) is still
recognised as full by asking it how much room is left.

>>> copied = copy_to_stick(report.path)                         # doctest: +SKIP
>>> copied.message_es                                           # doctest: +SKIP
'Se copió «reporte-20261202-101500.zip» a la memoria USB «KINGSTON» y se comprobó …'
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from foundation.errors import NotFound, StorageError
from station.usb.mounts import MountinfoMedia, RemovableMedia, Stick

CHUNK = 256 * 1024
MARGIN = 64 * 1024
"""Room kept free beyond the file's size: the folder entry and the FAT itself need some."""

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_GONE = {errno.EIO, errno.ENODEV, errno.ENXIO, errno.ENOTCONN, errno.ENOENT, errno.ESHUTDOWN,
         errno.ESTALE}


@dataclass(frozen=True, slots=True)
class CopiedFile:
    name: str
    stick: str
    size: int
    sha256: str

    @property
    def message_es(self) -> str:
        return (f"Se copió «{self.name}» a la memoria USB «{self.stick}» y se comprobó que "
                "quedó completo. Ya puede retirar la memoria USB.")


def _mb(size: int) -> str:
    return f"{max(size, 0) / 1_000_000:.1f} MB".replace(".", ",")


def _pulled(stick: Stick, name: str) -> StorageError:
    return StorageError(
        f"Se retiró la memoria USB «{stick.label}» antes de terminar; «{name}» no quedó "
        "copiado.",
        way_out="Vuelva a conectarla, toque otra vez «Copiar a memoria USB» y espere el aviso "
                "de que ya puede retirarla.")


def _full(stick: Stick, name: str, needed: int, free: int) -> StorageError:
    return StorageError(
        f"La memoria USB «{stick.label}» está llena: «{name}» necesita {_mb(needed)} y "
        f"quedan {_mb(free)} libres. No se copió nada.",
        way_out="Borre algunos archivos de la memoria en una computadora, o use otra memoria.")


def _read_only(stick: Stick) -> StorageError:
    return StorageError(
        f"La memoria USB «{stick.label}» está protegida contra escritura; no se copió nada.",
        way_out="Quite el seguro de la memoria (la pestaña del costado), o use otra memoria.")


def _free(stick: Stick) -> int | None:
    try:
        st = os.statvfs(stick.mount_point)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def choose_stick(media: RemovableMedia) -> Stick:
    """The stick to copy onto: the only one, or the first by name."""
    sticks = media.sticks()
    if not sticks:
        raise NotFound("No hay ninguna memoria USB conectada a la estación.",
                       way_out="Conecte una memoria USB, espere unos segundos y vuelva a "
                               "tocar «Copiar a memoria USB».")
    return sticks[0]


def copy_to_stick(source: Path, *, media: RemovableMedia | None = None,
                  stick: Stick | None = None,
                  on_chunk: Callable[[int, int], None] | None = None) -> CopiedFile:
    """Copy ``source`` onto ``stick`` (default: the one plugged in) and verify it there.

    ``on_chunk(done, total)`` is called after each piece written (progress on screen).
    """
    media = media or MountinfoMedia()
    stick = stick or choose_stick(media)
    name = source.name
    if stick.read_only:
        raise _read_only(stick)
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise NotFound(f"Ya no existe «{name}» en la estación; no se copió nada.",
                       way_out="Vuelva a crearlo y cópielo de nuevo.") from exc
    free = _free(stick)
    if free is None:
        raise _pulled(stick, name)
    if free < size + MARGIN:
        raise _full(stick, name, size, free)
    final = stick.mount_point / name
    part = stick.mount_point / (name + ".part")
    renamed = False
    try:
        digest = _write(source, part, size, on_chunk)
        os.replace(part, final)
        renamed = True
        _fsync_dir(stick.mount_point)
        if _sha256(final) != (digest, size):
            raise OSError(errno.EIO, "verify")
    except OSError as exc:
        # Never leave a file under its real name that was not verified (an older good copy
        # of the same name is only replaced once the new one is complete).
        _remove(media, stick, part, *([final] if renamed else []))
        if not media.still_mounted(stick):
            raise _pulled(stick, name) from exc
        if exc.errno == errno.EROFS:
            raise _read_only(stick) from exc
        left = _free(stick)
        if exc.errno in _FULL or (left is not None and left < size + MARGIN):
            raise _full(stick, name, size, left or 0) from exc
        if exc.errno in _GONE:
            raise _pulled(stick, name) from exc
        raise StorageError(
            f"No se pudo copiar «{name}» a la memoria USB «{stick.label}»; no quedó copiado.",
            way_out="Pruebe con otra memoria USB. Si vuelve a pasar, avise a su DRSE.") from exc
    return CopiedFile(name, stick.label, size, digest)


def _write(source: Path, part: Path, size: int,
           on_chunk: Callable[[int, int], None] | None) -> str:
    sha = hashlib.sha256()
    done = 0
    with source.open("rb") as reader, part.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            sha.update(chunk)
            writer.write(chunk)
            writer.flush()
            done += len(chunk)
            if on_chunk is not None:
                on_chunk(done, size)
        os.fsync(writer.fileno())
    return sha.hexdigest()


def _sha256(path: Path) -> tuple[str, int]:
    """Read back from the stick. The page cache may still hold what was just written; after
    the fsync the stick has it too, and a stick pulled out fails this read (or the size)."""
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as reader:
        with contextlib.suppress(OSError):  # drop the cached pages: read what the stick has
            os.posix_fadvise(reader.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        while chunk := reader.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(media: RemovableMedia, stick: Stick, *paths: Path) -> None:
    """Remove what a failed copy left, while the stick is still there."""
    if not media.still_mounted(stick):
        return
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()
    with contextlib.suppress(OSError):
        _fsync_dir(stick.mount_point)

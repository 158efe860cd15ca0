"""Students' photos: checking the files a school brings, and the station's photo store.

The store keeps each photo once, named by the SHA-256 of its bytes
(``root/ab/abcdef….jpg``), written atomically, readable only by the station's user: the
photos are of minors. Nothing here logs a CURP or a file name.

>>> store = PhotoStore(Path(tmp))  # doctest: +SKIP
>>> digest = store.add(jpeg_bytes, ext="jpg")  # doctest: +SKIP
>>> store.has(digest), store.path(digest).name == f"{digest}.jpg"  # doctest: +SKIP
(True, True)
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import re
import stat
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from foundation.curp import validate_curp
from foundation.errors import InputError, NotFound, StorageError

MIN_PHOTO_SIZE = (240, 300)
"""Smallest photo accepted, width × height in pixels: below it the printed face is blurry."""

PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png"}
"""Pillow format → the extension the store uses."""

_EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
_IGNORED = {"thumbs.db", "desktop.ini"}  # files Windows drops in every photo folder
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


@dataclass(frozen=True, slots=True)
class PhotoProblem:
    """Why a photo file cannot be used; ``file`` is the file's name as the school gave it."""

    file: str
    reason_es: str


@dataclass(frozen=True, slots=True)
class PhotoScan:
    """The photos of a folder: ``(CURP, path)`` of the good ones, and the problems."""

    accepted: list[tuple[str, Path]] = field(default_factory=list)
    problems: list[PhotoProblem] = field(default_factory=list)


def check_photo_file(path: Path) -> PhotoProblem | None:
    """``None`` when ``path`` is a usable photo named ``<CURP>.jpg`` / ``.png``.

    >>> check_photo_file(Path("foto.gif")).reason_es  # doctest: +ELLIPSIS
    'solo se aceptan fotos JPG o PNG...'
    """
    name = path.name
    expected = _EXTENSIONS.get(path.suffix.lower())
    if expected is None:
        return PhotoProblem(name, "solo se aceptan fotos JPG o PNG (terminación .jpg o .png)")
    bad_name = validate_curp(path.stem.strip().upper())
    if bad_name:
        return PhotoProblem(
            name,
            "el nombre del archivo debe ser la CURP del alumno (por ejemplo "
            f"GOXL150826HJCNXNC2.jpg): {bad_name.reason_es}",
        )
    try:
        if path.stat().st_size == 0:
            return PhotoProblem(name, "el archivo está vacío; cópielo de nuevo")
        with Image.open(path) as im:
            fmt, (width, height) = im.format, im.size
            if fmt not in PHOTO_FORMATS:
                return PhotoProblem(name, f"es una imagen {fmt}, no JPG ni PNG; guárdela como JPG")
            if fmt != expected:
                right = PHOTO_FORMATS[str(fmt)]
                return PhotoProblem(
                    name, f"es una foto {right.upper()} con terminación {path.suffix}; "
                          f"cámbiele la terminación a .{right}")  # fmt: skip
            if im.getexif().get(0x0112) in _ROTATED:
                width, height = height, width
            if fmt == "JPEG":
                im.draft("RGB", (width // 4, height // 4))  # decode small: we only need it whole
            im.load()
    except UnidentifiedImageError:
        return PhotoProblem(name, "no es una imagen (o está dañada sin remedio); "
                                  "vuelva a copiarla o tome la foto de nuevo")  # fmt: skip
    except Image.DecompressionBombError:
        return PhotoProblem(name, "la imagen es demasiado grande; redúzcala a menos de 4000 "
                                  "píxeles por lado")  # fmt: skip
    except PermissionError:
        return PhotoProblem(name, "no se puede abrir: no hay permiso de lectura")
    except Exception:
        # Pillow reports damage in many ways ("image file is truncated" as OSError, a broken
        # PNG as SyntaxError, odd headers as ValueError or struct.error): all mean the same.
        return PhotoProblem(name, "la foto está dañada o incompleta; vuelva a copiarla "
                                  "o tome la foto de nuevo")  # fmt: skip
    min_w, min_h = MIN_PHOTO_SIZE
    if width < min_w or height < min_h:
        return PhotoProblem(
            name, f"la foto mide {width}×{height} píxeles y debe medir al menos {min_w}×{min_h}; "
                  "tómela de nuevo con más resolución")  # fmt: skip
    return None


def scan_photo_dir(directory: Path) -> PhotoScan:
    """Checks every file of a folder of photos (not its subfolders), in name order.

    Hidden files and the ``Thumbs.db`` / ``desktop.ini`` Windows leaves are skipped.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"La carpeta «{directory.name}» no existe.",
                         way_out="Revise la memoria USB o elija otra carpeta.")  # fmt: skip
    scan = PhotoScan()
    seen: dict[str, str] = {}
    try:
        entries = sorted(directory.iterdir())
    except OSError as exc:
        raise InputError(f"No se puede leer la carpeta «{directory.name}».",
                         way_out="Revise la memoria USB y sus permisos.") from exc  # fmt: skip
    for path in entries:
        if path.name.startswith(".") or path.name.lower() in _IGNORED or path.is_dir():
            continue
        problem = check_photo_file(path)
        if problem:
            scan.problems.append(problem)
            continue
        curp = path.stem.strip().upper()
        if curp in seen:
            scan.problems.append(PhotoProblem(
                path.name, f"ya hay otra foto del mismo alumno ({seen[curp]}); deje solo una"))
            continue
        seen[curp] = path.name
        scan.accepted.append((curp, path))
    return scan


class PhotoStore:
    """Photos by the SHA-256 of their bytes, each stored once under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def add(self, data: bytes, *, ext: str) -> str:
        """Stores ``data`` (once) and returns its hash. ``ext``: ``jpg``/``.jpeg``/``png``."""
        kind = _EXTENSIONS.get("." + ext.lower().lstrip("."))
        if kind is None:
            raise InputError("Solo se guardan fotos JPG o PNG.")
        if not data:
            raise InputError("La foto está vacía.", way_out="Tómela o cópiela de nuevo.")
        digest, target = self._target(data, ext)
        if target is None:
            return digest
        try:
            self._write(target, data)
        except OSError as exc:
            raise _storage_error(exc) from exc
        return digest

    @contextlib.contextmanager
    def batch(self) -> Iterator[PhotoBatch]:
        """Photos added together, made durable together: one sync of the file system for
        their bytes and one for their names, instead of two fsyncs per photo (a first sync
        downloads thousands). Leaving the block normally commits; on an error the photos of
        the batch are deleted, none half-written. As safe as :meth:`add` for a power cut:
        a photo is in place only after its bytes are on disk, and all are when this returns.
        """
        batch = PhotoBatch(self)
        try:
            yield batch
        except BaseException:
            batch.discard()
            raise
        batch.commit()

    def _target(self, data: bytes, ext: str) -> tuple[str, Path | None]:
        """(hash, where to write ``data``), the place None when the store already has it."""
        kind = _EXTENSIONS.get("." + ext.lower().lstrip("."))
        if kind is None:
            raise InputError("Solo se guardan fotos JPG o PNG.")
        if not data:
            raise InputError("La foto está vacía.", way_out="Tómela o cópiela de nuevo.")
        digest = hashlib.sha256(data).hexdigest()
        existing = self._find(digest)
        if existing is not None and existing.stat().st_size == len(data):
            return digest, None
        return digest, self.root / digest[:2] / f"{digest}.{PHOTO_FORMATS[kind]}"

    def path(self, digest: str) -> Path:
        """Where the photo with this hash is; :class:`NotFound` when the station lacks it."""
        found = self._find(digest)
        if found is None:
            raise NotFound("La foto no está en esta estación.",
                           way_out="Sincronice la estación o tome la foto de nuevo.")  # fmt: skip
        return found

    def has(self, digest: str) -> bool:
        return self._find(digest) is not None

    def _find(self, digest: str) -> Path | None:
        if not _DIGEST.match(digest):
            raise InputError("El identificador de la foto no es válido.")
        folder = self.root / digest[:2]
        for ext in ("jpg", "png"):
            candidate = folder / f"{digest}.{ext}"
            if candidate.is_file():
                return candidate
        return None

    def _write(self, target: Path, data: bytes) -> None:
        """tmp file + fsync + rename + fsync of the folder: a power cut leaves all or nothing."""
        tmp = self._write_tmp(target, data, durable=True)
        os.replace(tmp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _write_tmp(self, target: Path, data: bytes, *, durable: bool) -> Path:
        """``data`` in a private temporary file beside ``target`` (fsynced when ``durable``)."""
        for folder in (self.root, target.parent):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if stat.S_IMODE(folder.stat().st_mode) != 0o700:
                folder.chmod(0o700)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), 0o600)  # whatever the umask says: photos of minors
                fh.write(data)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Path(tmp)


class PhotoBatch:
    """Photos written now, made durable and put in place by :meth:`commit` (see
    :meth:`PhotoStore.batch`). :meth:`add` may be called from several threads at once."""

    def __init__(self, store: PhotoStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._pending: dict[Path, Path] = {}  # target -> its temporary file

    def add(self, data: bytes, *, ext: str) -> str:
        """Write the photo's temporary file (not in place, not durable yet); its hash."""
        digest, target = self.store._target(data, ext)
        if target is None:
            return digest
        with self._lock:
            if target in self._pending:
                return digest
            self._pending[target] = target  # reserved: a second copy is not written
        try:
            tmp = self.store._write_tmp(target, data, durable=False)
        except OSError as exc:
            with self._lock:
                del self._pending[target]
            raise _storage_error(exc) from exc
        with self._lock:
            self._pending[target] = tmp
        return digest

    def commit(self) -> None:
        """Bytes on disk (one sync), then the names (renames, one sync)."""
        if not self._pending:
            return
        try:
            _sync_file_system(self.store.root)
            for target, tmp in self._pending.items():
                os.replace(tmp, target)
            _sync_file_system(self.store.root)
        except OSError as exc:
            self.discard()
            raise _storage_error(exc) from exc
        self._pending.clear()

    def discard(self) -> None:
        for tmp in self._pending.values():
            if tmp.name.startswith(".tmp-"):
                tmp.unlink(missing_ok=True)
        self._pending.clear()


def _storage_error(exc: OSError) -> StorageError:
    full = exc.errno in {errno.ENOSPC, errno.EDQUOT}
    return StorageError(
        "El disco de la estación está lleno: no se guardó la foto." if full
        else "No se pudo guardar la foto en el disco de la estación.",
        way_out="Libere espacio o pida ayuda a soporte.",
    )


def _sync_file_system(path: Path) -> None:
    """Flush every written byte and name of the file system holding ``path``: Linux's
    syncfs(2), one call for a whole batch; os.sync() where the C library lacks it."""
    syncfs = getattr(_LIBC, "syncfs", None) if _LIBC is not None else None
    if syncfs is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    finally:
        os.close(fd)


try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - a C library is always there on the station
    _LIBC = None

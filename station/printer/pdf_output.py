"""The PDF 'printer': sheets written into one file the user prints elsewhere."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)

from station.core.errors import PrinterError
from station.printer.private_files import open_private


def combine_pdfs(parts: Sequence[Path], out: Path) -> Path:
    """Write ``parts`` page after page into ``out`` (atomically: all or nothing).

    The half-written file is ``.OUT.pdf.<pid>.tmp`` beside ``out``; one left by a killed run
    (its process gone) is removed by the next write to the same ``out``.
    """
    out = out.expanduser()
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(out)
        writer = PdfWriter()
        for part in parts:
            writer.append(str(part))
        with open_private(tmp) as fh:
            writer.write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except (OSError, PyPdfError) as exc:
        tmp.unlink(missing_ok=True)
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PrinterError(f"No se pudo escribir el archivo {out} ({why}).",
                           way_out="Elija otra carpeta donde pueda escribir y con espacio "
                           "libre.") from exc
    return out


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove the ``.OUT.pdf.<pid>.tmp`` files of runs that were killed mid-write (and the
    ``OUT.pdf.tmp`` of older versions); a running writer's file is left alone."""
    removed = []
    stale = [out.with_name(out.name + ".tmp")]
    for candidate in out.parent.glob(f".{out.name}.*.tmp"):
        pid = candidate.name[len(out.name) + 2:-len(".tmp")]
        if pid.isdigit() and not _alive(int(pid)):
            stale.append(candidate)
    for path in stale:
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftover from an earlier, failed attempt
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PdfBook:
    """One PDF written sheet after sheet as the sheets come, not merged at the end.

    Each part's pages and everything they use (fonts, photos, drawings) are copied into
    its temporary file as soon as :meth:`add` is called, so a batch of 2,000 students costs
    no merge at the end; :meth:`finish` writes the page tree and the cross-reference table,
    fsyncs and renames the file into place. Atomic like :func:`combine_pdfs`: until then
    ``out`` is not touched, and a killed write leaves only its temporary file (removed by the
    next write).

    pypdf reads the parts; it has no writer that streams, hence the few lines of PDF syntax
    here (objects copied with their numbers changed, PDF 1.4, no object streams).
    """

    _CATALOG, _PAGES = 1, 2

    def __init__(self, out: Path) -> None:
        self.out = out.expanduser()
        # the same half-written name as combine_pdfs: a killed run's file is removed by the
        # next write to the same ``out``
        self.tmp = self.out.with_name(f".{self.out.name}.{os.getpid()}.tmp")
        self._offsets: dict[int, int] = {}
        self._kids: list[int] = []
        self._next = 3
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(self.out)
            self._fh = open_private(self.tmp)
            self._fh.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        except OSError as exc:
            raise self._error(exc) from exc

    def add(self, part: Path) -> None:
        """Copy the pages of ``part`` to the end of the book."""
        try:
            reader = PdfReader(part)
            numbers: dict[int, int] = {}  # the part's object numbers -> the book's
            for page in reader.pages:
                self._kids.append(self._copy_page(page, numbers))
            self._fh.flush()  # on disk as it comes (fsynced once, by finish)
        except (OSError, PyPdfError) as exc:
            self.discard()
            raise self._error(exc) from exc

    def finish(self) -> Path:
        kids = " ".join(f"{n} 0 R" for n in self._kids)
        try:
            self._object(self._PAGES, f"<< /Type /Pages /Kids [{kids}] /Count {len(self._kids)}"
                                      " >>".encode())
            self._object(self._CATALOG, f"<< /Type /Catalog /Pages {self._PAGES} 0 R >>"
                                        .encode())
            xref = self._fh.tell()
            size = self._next
            lines = [f"xref\n0 {size}\n0000000000 65535 f \n"]
            lines += [f"{self._offsets.get(n, 0):010d} 00000 n \n" for n in range(1, size)]
            lines.append(f"trailer\n<< /Size {size} /Root {self._CATALOG} 0 R >>\n"
                         f"startxref\n{xref}\n%%EOF\n")
            self._fh.write("".join(lines).encode())
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            os.replace(self.tmp, self.out)
        except OSError as exc:
            self.discard()
            raise self._error(exc) from exc
        return self.out

    def discard(self) -> None:
        """Give up: close and delete the temporary file (``out`` is left as it was)."""
        self._fh.close()
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> PdfBook:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_rest: object) -> None:
        if kind is not None and not self._fh.closed:
            self.discard()

    # --- copying objects ----------------------------------------------------------------

    def _copy_page(self, page: PageObject, numbers: dict[int, int]) -> int:
        todo: list[tuple[int, PdfObject]] = []

        def renumber(ref: IndirectObject) -> IndirectObject:
            if ref.idnum not in numbers:
                numbers[ref.idnum] = self._take_number()
                todo.append((numbers[ref.idnum], ref.get_object()))
            return IndirectObject(numbers[ref.idnum], 0, None)

        def copy(obj: PdfObject) -> PdfObject:
            if isinstance(obj, IndirectObject):
                return renumber(obj)
            if isinstance(obj, DictionaryObject):
                out = DictionaryObject()
                for key, value in obj.items():
                    out[NameObject(key)] = copy(value)
                return out
            if isinstance(obj, ArrayObject):
                return ArrayObject(copy(v) for v in obj)
            return obj

        # pypdf's pages carry their inherited attributes (resources, media box) themselves,
        # so the source's page tree (/Parent) is not followed.
        number = self._take_number()
        body = DictionaryObject({NameObject(k): copy(v) for k, v in page.items()
                                 if k != "/Parent"})
        body[NameObject("/Parent")] = IndirectObject(self._PAGES, 0, None)
        self._write(number, body)
        while todo:
            new_number, source = todo.pop()
            if isinstance(source, StreamObject):
                stream = StreamObject()
                for key, value in source.items():
                    if key != "/Length":
                        stream[NameObject(key)] = copy(value)
                stream._data = source._data  # the encoded bytes, copied as they are
                self._write(new_number, stream)
            else:
                self._write(new_number, copy(source))
        return number

    def _take_number(self) -> int:
        self._next += 1
        return self._next - 1

    def _write(self, number: int, obj: PdfObject) -> None:
        self._offsets[number] = self._fh.tell()
        self._fh.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(self._fh)
        self._fh.write(b"\nendobj\n")

    def _object(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._fh.tell()
        self._fh.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")

    def _error(self, exc: Exception) -> PrinterError:
        return PrinterError(f"No se pudo escribir el archivo {self.out}: {exc}.",
                            way_out="Elija otra carpeta con espacio libre.")

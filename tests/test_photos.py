"""Photo files a school brings (check, scan) and the content-addressed photo store."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path

import pytest
from PIL import Image

from foundation.errors import InputError, NotFound, StorageError
from foundation.photostore import (
    MIN_PHOTO_SIZE,
    PhotoStore,
    check_photo_file,
    scan_photo_dir,
)

CURP_A = "GOXL150826HJCNXNC2"
CURP_B = "OIIX190501MJCRXMB6"
CURP_C = "PEIA140513HJCXXNC8"


def image_bytes(size: tuple[int, int] = (600, 750), fmt: str = "JPEG", *,
                orientation: int | None = None) -> bytes:  # fmt: skip
    im = Image.effect_noise(size, 40).convert("RGB")
    out = io.BytesIO()
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        im.save(out, fmt, exif=exif)
    else:
        im.save(out, fmt)
    return out.getvalue()


def put(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def reason(path: Path) -> str:
    problem = check_photo_file(path)
    assert problem is not None, f"{path.name} should have a problem"
    assert problem.file == path.name
    return problem.reason_es


# --- check_photo_file -------------------------------------------------------------------


def test_valid_jpeg_and_png_pass(tmp_path: Path) -> None:
    assert check_photo_file(put(tmp_path, f"{CURP_A}.jpg", image_bytes())) is None
    assert check_photo_file(put(tmp_path, f"{CURP_B}.png", image_bytes(fmt="PNG"))) is None
    assert check_photo_file(put(tmp_path, f"{CURP_C}.JPEG", image_bytes())) is None


def test_minimum_size_is_inclusive(tmp_path: Path) -> None:
    w, h = MIN_PHOTO_SIZE
    assert check_photo_file(put(tmp_path, f"{CURP_A}.jpg", image_bytes((w, h)))) is None
    words = reason(put(tmp_path, f"{CURP_B}.jpg", image_bytes((w - 1, h))))
    assert f"{w - 1}×{h} píxeles" in words and f"al menos {w}×{h}" in words
    assert "×" in reason(put(tmp_path, f"{CURP_C}.png", image_bytes((w, h - 1), "PNG")))


def test_exif_rotation_is_taken_into_account(tmp_path: Path) -> None:
    w, h = MIN_PHOTO_SIZE
    # Stored landscape, shown portrait (orientation 6): it is a 240×300 photo.
    assert check_photo_file(put(tmp_path, f"{CURP_A}.jpg",
                                image_bytes((h, w), orientation=6))) is None  # fmt: skip
    assert f"{h}×{w}" in reason(put(tmp_path, f"{CURP_B}.jpg", image_bytes((h, w))))


def test_truncated_jpeg_and_png_are_reported(tmp_path: Path) -> None:
    jpeg, png = image_bytes(), image_bytes(fmt="PNG")
    for name, data in ((f"{CURP_A}.jpg", jpeg[: len(jpeg) // 2]),
                       (f"{CURP_B}.jpg", jpeg[:-2]),
                       (f"{CURP_C}.png", png[: len(png) // 2])):  # fmt: skip
        assert "dañada o incompleta" in reason(put(tmp_path, name, data))


def test_not_an_image_is_reported(tmp_path: Path) -> None:
    assert "no es una imagen" in reason(put(tmp_path, f"{CURP_A}.jpg", b"hola, no soy foto\n"))
    noise = hashlib.sha256(b"x").digest() * 400
    assert "no es una imagen" in reason(put(tmp_path, f"{CURP_B}.png", noise))
    assert "vacío" in reason(put(tmp_path, f"{CURP_C}.jpg", b""))


def test_other_formats_are_refused(tmp_path: Path) -> None:
    gif = io.BytesIO()
    Image.new("RGB", (600, 750), "white").save(gif, "GIF")
    assert "solo se aceptan fotos JPG o PNG" in reason(put(tmp_path, f"{CURP_A}.gif",
                                                           gif.getvalue()))  # fmt: skip
    assert "es una imagen GIF" in reason(put(tmp_path, f"{CURP_B}.jpg", gif.getvalue()))
    words = reason(put(tmp_path, f"{CURP_C}.jpg", image_bytes(fmt="PNG")))
    assert "es una foto PNG con terminación .jpg" in words and ".png" in words


def test_name_must_be_a_valid_curp(tmp_path: Path) -> None:
    assert "debe ser la CURP" in reason(put(tmp_path, "foto 1.jpg", image_bytes()))
    wrong_digit = CURP_A[:17] + str((int(CURP_A[17]) + 1) % 10)
    words = reason(put(tmp_path, f"{wrong_digit}.jpg", image_bytes()))
    assert f"debería ser {CURP_A[17]}" in words


# --- scan_photo_dir ---------------------------------------------------------------------


def test_scan_sorts_good_and_bad_and_skips_junk(tmp_path: Path) -> None:
    good_a = put(tmp_path, f"{CURP_A}.jpg", image_bytes())
    good_b = put(tmp_path, f"{CURP_B.lower()}.png", image_bytes(fmt="PNG"))
    put(tmp_path, f"{CURP_A}.png", image_bytes(fmt="PNG"))  # second photo of the same student
    put(tmp_path, f"{CURP_C}.jpg", image_bytes((100, 120)))
    put(tmp_path, "Thumbs.db", b"\x00" * 10)
    put(tmp_path, ".DS_Store", b"\x00" * 10)
    (tmp_path / "viejas").mkdir()
    put(tmp_path / "viejas", f"{CURP_C}.jpg", image_bytes())
    scan = scan_photo_dir(tmp_path)
    assert scan.accepted == [(CURP_A, good_a), (CURP_B, good_b)]
    assert {p.file for p in scan.problems} == {f"{CURP_A}.png", f"{CURP_C}.jpg"}
    twice = next(p for p in scan.problems if p.file == f"{CURP_A}.png")
    assert f"ya hay otra foto del mismo alumno ({CURP_A}.jpg)" in twice.reason_es


def test_scan_of_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        scan_photo_dir(tmp_path / "no-existe")
    assert "no-existe" in caught.value.user_message()


# --- PhotoStore ---------------------------------------------------------------------------


def test_store_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    root = tmp_path / "fotos"
    store = PhotoStore(root)
    data = image_bytes()
    digest = store.add(data, ext="jpg")
    assert digest == hashlib.sha256(data).hexdigest()
    path = store.path(digest)
    assert path == root / digest[:2] / f"{digest}.jpg"
    assert path.read_bytes() == data and store.has(digest)
    before = path.stat()
    assert store.add(data, ext=".JPEG") == digest
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp files left


def test_store_files_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = PhotoStore(tmp_path / "fotos")
        digest = store.add(image_bytes(fmt="PNG"), ext="png")
    finally:
        os.umask(old)
    path = store.path(digest)
    assert path.suffix == ".png"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "fotos").stat().st_mode) == 0o700


def test_store_repairs_a_damaged_copy(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path)
    data = image_bytes()
    digest = store.add(data, ext="jpg")
    store.path(digest).write_bytes(data[:100])
    assert store.add(data, ext="jpg") == digest
    assert store.path(digest).read_bytes() == data


def test_store_refuses_bad_input(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path)
    with pytest.raises(InputError):
        store.add(b"GIF89a", ext="gif")
    with pytest.raises(InputError):
        store.add(b"", ext="jpg")
    with pytest.raises(InputError):
        store.has("../../etc/passwd")
    with pytest.raises(NotFound) as caught:
        store.path("0" * 64)
    assert caught.value.way_out
    assert not store.has("0" * 64)


def test_store_write_failure_is_a_storage_error(tmp_path: Path) -> None:
    data = image_bytes()
    digest = hashlib.sha256(data).hexdigest()
    (tmp_path / digest[:2]).write_bytes(b"a file where the folder should be")
    store = PhotoStore(tmp_path)
    with pytest.raises(StorageError) as caught:
        store.add(data, ext="jpg")
    assert "No se pudo guardar la foto" in caught.value.user_message()
    assert not store.has(digest)
    assert [p.name for p in tmp_path.rglob("*") if p.name.startswith(".tmp-")] == []


def test_a_photo_batch_is_written_once_synced_once_and_all_or_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """First sync stores a page's photos as one batch (issue 17): two syncs of the file system
    for the whole batch, each photo in place only after its bytes, nothing left on an error."""
    import foundation.photostore as photostore
    from foundation.photostore import PhotoStore

    syncs: list[Path] = []
    real_sync = photostore._sync_file_system
    monkeypatch.setattr(photostore, "_sync_file_system",
                        lambda path: (syncs.append(path), real_sync(path)))
    store = PhotoStore(tmp_path / "fotos")
    photos = [bytes([i]) * (1000 + i) for i in range(12)]
    with store.batch() as batch:
        digests = [batch.add(p, ext="jpg") for p in photos]
        assert batch.add(photos[0], ext="jpg") == digests[0]  # twice in a batch: once
        assert not any(store.has(d) for d in digests)  # not in place before the commit
    assert len(syncs) == 2
    for digest, data in zip(digests, photos, strict=True):
        path = store.path(digest)
        assert path.read_bytes() == data and path.stat().st_mode & 0o777 == 0o600
    assert not list(store.root.rglob(".tmp-*"))

    with pytest.raises(RuntimeError), store.batch() as batch:
        lost = batch.add(b"otra foto" * 100, ext="jpg")
        raise RuntimeError("la descarga se cortó")
    assert not store.has(lost) and not list(store.root.rglob(".tmp-*"))
    assert len(syncs) == 2

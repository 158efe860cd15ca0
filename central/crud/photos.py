"""Photos at central: bytes in a content-addressed store, metadata and links in the database."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from central.db import next_rev
from central.errors import ApiError
from central.models import Photo, Student, WantedPhoto
from foundation.errors import DomainError
from foundation.photostore import PhotoStore
from foundation.sqldb import insert_ignore

_MAGIC = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


def photo_ext(data: bytes) -> str:
    """``jpg`` or ``png`` from the file's first bytes; 422 for anything else.

    >>> photo_ext(b"\\xff\\xd8\\xff\\xe0rest")
    'jpg'
    """
    for magic, ext in _MAGIC.items():
        if data.startswith(magic):
            return ext
    raise ApiError(422, "not-a-photo", "El archivo enviado no es una foto JPG ni PNG.")


def store_photo(session: Session, *, store: PhotoStore, data: bytes, source: str,
                now: datetime, expected_hash: str | None = None) -> str:
    """Keep the bytes once (by SHA-256) and record them; returns the hash."""
    digest = hashlib.sha256(data).hexdigest()
    if expected_hash is not None and digest != expected_hash:
        raise ApiError(422, "photo-hash-mismatch",
                       "La foto recibida no corresponde a su huella (SHA-256): llegó incompleta "
                       "o alterada; se enviará de nuevo.")
    ext = photo_ext(data)
    if session.get(Photo, digest) is None:
        try:
            store.add(data, ext=ext)
        except DomainError as exc:
            raise ApiError(507, "photo-store-failed", exc.message) from exc
        insert_ignore(session, Photo, {"hash": digest, "ext": ext, "size": len(data),
                                       "source": source, "created_at": now})
    return digest


def link_photo(session: Session, *, curp: str, photo_hash: str, now: datetime) -> bool:
    """Point a student at a stored photo; the change goes out with the next roster pull."""
    student = session.get(Student, curp)
    if student is None:
        return False
    if student.photo_hash != photo_hash:
        student.photo_hash = photo_hash
        student.rev, student.updated_at = next_rev(session, "roster"), now
    session.execute(delete(WantedPhoto).where(WantedPhoto.curp == curp,
                                              WantedPhoto.hash == photo_hash))
    return True


def want_photo(session: Session, *, curp: str, photo_hash: str, station_id: str,
               now: datetime) -> None:
    """A station linked a photo central lacks: ask that station to upload it."""
    if session.get(Photo, photo_hash) is not None:
        link_photo(session, curp=curp, photo_hash=photo_hash, now=now)
    elif session.get(Student, curp) is not None:
        insert_ignore(session, WantedPhoto, {"hash": photo_hash, "curp": curp,
                                             "station_id": station_id, "since": now})


def wanted_from(session: Session, *, station_id: str,
                ccts: list[str]) -> list[tuple[str, str]]:
    """(hash, CURP) of the photos central wants from this station, of its scope's students."""
    return [(r.hash, r.curp) for r in session.scalars(
        select(WantedPhoto).join(Student, Student.curp == WantedPhoto.curp)
        .where(WantedPhoto.station_id == station_id, Student.cct.in_(ccts))
        .order_by(WantedPhoto.since))]


def photo_in_scope(session: Session, *, photo_hash: str, ccts: list[str]) -> bool:
    return bool(session.scalar(select(exists().where(
        Student.photo_hash == photo_hash, Student.cct.in_(ccts)))))


def photo_path(session: Session, *, store: PhotoStore, photo_hash: str) -> Path:
    if session.get(Photo, photo_hash) is None or not store.has(photo_hash):
        raise ApiError(404, "photo-not-found", "La foto pedida no está en el servicio central.")
    return store.path(photo_hash)


def photos_in_scope(session: Session, *, hashes: list[str],
                    ccts: list[str]) -> dict[str, str]:
    """``{hash: ext}`` of those of ``hashes`` that central holds and that belong to a student
    of ``ccts``: one pass over the scope's students for a whole batch (by ``cct``; there is
    no index on ``photo_hash``) instead of one query per photo."""
    if not hashes or not ccts:
        return {}
    linked = set(session.scalars(select(Student.photo_hash).distinct().where(
        Student.cct.in_(ccts), Student.photo_hash.in_(hashes))))
    if not linked:
        return {}
    return {h: ext for h, ext in session.execute(
        select(Photo.hash, Photo.ext).where(Photo.hash.in_(sorted(linked))))}

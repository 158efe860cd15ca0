"""Pull the roster and photos of the station's schools from central, page by page.

Photos are fetched only when a student's photo hash changed and the station does not hold
that photo yet; a page's roster, photo links and cursor commit together.

A student who moved to a school this station does not serve (central lists them in a page's
``departed``), and on the last page every student of a school no longer in the station's
scope (routed elsewhere), is marked BAJA here through the roster model, as an export's BAJA
would: no longer pending, their cards and history kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from foundation.contract.events import StudentsOutOfScope
from foundation.contract.responses import RosterPage, SchoolRow, StudentRow, WantedPhotos
from station.context import Station
from station.core.model import Estatus, Nivel, School, Student, Turno
from station.store import ledger, lifecycle_records, privacy_records, sync_state
from station.store.db import Connection
from station.store.ledger import append_event
from station.sync.client import CentralClient, SyncError
from station.sync.photo_pull import PhotoFetcher, PhotoPull

ROSTER = "/api/v1/sync/roster"


def school_record(d: SchoolRow) -> School:
    return School(cct=d.cct, nombre=d.nombre, nivel=Nivel(d.nivel), turno=Turno(d.turno),
                  domicilio=d.domicilio, municipio=d.municipio, telefono=d.telefono,
                  drse=d.drse, matricula=d.matricula, internet=d.internet)


def student_record(d: StudentRow) -> Student:
    return Student(curp=d.curp, nombre=d.nombre, primer_apellido=d.primer_apellido,
                   segundo_apellido=d.segundo_apellido, cct=d.cct, grado=d.grado,
                   grupo=d.grupo, ciclo=d.ciclo, estatus=Estatus(d.estatus),
                   nuevo_ingreso=d.nuevo_ingreso)


def mark_out_of_scope(conn: Connection, curps: Iterable[str], *, why: str) -> int:
    """Mark enrolled students BAJA here (moved out of this station's schools); how many."""
    found = ledger.get_students(conn, sorted(set(curps)))
    moved = [dataclasses.replace(s, estatus=Estatus.BAJA) for s in found.values()
             if s.estatus is Estatus.INSCRITO]
    if not moved:
        return 0
    ledger.upsert_roster(conn, [], moved)
    append_event(conn, StudentsOutOfScope(why=why, count=len(moved),
                                          curps=[s.curp for s in moved]))
    return len(moved)


@dataclasses.dataclass(slots=True)
class RosterPull:
    students: int = 0
    photos: int = 0
    moved_out: int = 0
    purged_skipped: int = 0
    """Rows of students whose data was purged here, left out (never written again)."""
    photos_refused: list[dict[str, str]] = dataclasses.field(default_factory=list)
    """``{photo, code, reason}`` of photos not stored (bad bytes, or central lacks them);
    linked all the same (a card cannot print without it: "sincronice"), asked again at the
    next sync."""


def pull_roster(station: Station, client: CentralClient) -> RosterPull:
    """Pull every page; see the module docstring."""
    out = RosterPull()
    fetcher = PhotoFetcher(client)
    _retry_absent_photos(station, fetcher, out)
    while True:
        with station.db.read() as conn:
            cursor = sync_state.get_state(conn, "roster_cursor", "") or ""
        page = client.get_answer(RosterPage, ROSTER, cursor=cursor)
        try:  # the enumerations (nivel, turno, estatus) are the station's to check
            schools = [school_record(s) for s in page.schools]
            students = [student_record(s) for s in page.students]
            hashes = {s.curp: s.photo_hash for s in page.students}
            departed, scope = list(page.departed), list(page.scope)
        except ValueError as exc:
            raise SyncError("El servicio central envió una plantilla que esta estación no "
                            f"entiende ({exc}).", code="bad-roster",
                            way_out="Actualice el programa de la estación.") from exc
        with station.db.read() as conn:
            # A purged student stays purged: central may still list their old row (issue 18).
            screen = privacy_records.screen_roster(
                conn, station.folder.privacy_key,
                [(s.curp, s.estatus, s.ciclo) for s in page.students],
                cycle=lifecycle_records.current_cycle(conn, station.settings["cycle.current"]))
        if screen.skip:
            students = [s for s in students if s.curp not in screen.skip]
            hashes = {c: h for c, h in hashes.items() if c not in screen.skip}
            out.purged_skipped += len(screen.skip)
        with station.db.read() as conn:
            wanted = {h for curp, h in hashes.items()
                      if h and sync_state.photo_hash_of(conn, curp) != h}
        missing = [d for d in sorted(wanted) if not station.photos.has(d)]
        # Durable before the page's links to them commit; a cut fails the page here.
        _fetch_keeping(station, fetcher, missing, out)
        with station.db.write() as conn:
            for digest in screen.lift:
                privacy_records.lift_tombstone(conn, digest)
            ledger.upsert_roster(conn, schools, students)
            for curp, digest in hashes.items():
                if digest:
                    sync_state.set_photo_from_central(conn, curp, digest)
            out.moved_out += mark_out_of_scope(conn, departed, why="cambio de escuela")
            if not page.more:
                out.moved_out += mark_out_of_scope(conn, ledger.enrolled_outside(conn, scope),
                                                   why="escuela fuera del alcance")
            sync_state.set_state(conn, "roster_cursor", page.cursor)
            sync_state.set_state(conn, "scope", ",".join(scope))
        out.students += len(students)
        if not page.more:
            return out


def _retry_absent_photos(station: Station, fetcher: PhotoFetcher, out: RosterPull) -> None:
    """Photos linked here but not on disk: refused or missing at an earlier sync (the cursor
    moved past their page, their link committed with it), or lost from the disk. Asked
    again at every sync until they arrive; a stat per linked photo, no state of its own (so
    no CURP kept anywhere a purge would have to find it)."""
    with station.db.read() as conn:
        linked = sync_state.linked_photo_hashes(conn)
    absent = [d for d in linked if not station.photos.has(d)]
    if absent:
        _fetch_keeping(station, fetcher, absent, out)


def _fetch_keeping(station: Station, fetcher: PhotoFetcher, digests: list[str],
                   out: RosterPull) -> None:
    """Batches of photos, a few at once, made durable together (one sync for all of them,
    not two fsyncs a photo). A connection cut keeps what arrived whole (the store's block
    ends normally, so it commits) and raises after."""
    fetched, cut = PhotoPull(), None
    with station.photos.batch() as batch:
        try:
            fetched = fetcher.fetch(batch, digests)
        except SyncError as exc:
            cut = exc
    if cut is not None:
        raise cut
    out.photos += fetched.stored
    out.photos_refused += _not_stored(fetched)


def _not_stored(fetched: PhotoPull) -> list[dict[str, str]]:
    """The sync's problems for the photos not stored (a hash prefix names them, no CURP)."""
    problems = [{k: p[k] for k in ("photo", "code", "reason")} for p in fetched.refused]
    problems += [{"photo": d[:12], "code": "photo-missing",
                  "reason": "el servicio central no la tiene para esta estación; se pedirá de "
                            "nuevo en la próxima sincronización."}
                 for d in sorted(fetched.missing)]
    return problems


PHOTO_SKIPPED_CODES = frozenset({"school-out-of-scope", "student-not-found", "not-a-photo",
                                 "photo-hash-mismatch", "body-too-large"})
"""Central's refusals that concern one photo only: skip it, tell, and send the others."""


def push_photos(station: Station, client: CentralClient,
                skipped: list[dict[str, str]] | None = None) -> int:
    """Upload the photos taken here that central asked for; how many went up.

    A photo central refuses for itself (a student outside this station's scope, not in
    central's roster, a bad file) is skipped and added to ``skipped`` with central's reason;
    the other photos still go up.
    """
    wanted = client.get_answer(WantedPhotos, "/api/v1/sync/photos/wanted").photos
    sent = 0
    for item in wanted:
        digest, curp = item.hash, item.curp
        if not station.photos.has(digest):
            continue  # linked here but lost from disk: nothing to send
        data = station.photos.path(digest).read_bytes()
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        try:
            client.call("PUT", f"/api/v1/sync/photos/{digest}", params={"curp": curp},
                        data=data, content_type=mime)
        except SyncError as exc:
            if exc.code not in PHOTO_SKIPPED_CODES:
                raise
            if skipped is not None:
                skipped.append({"photo": digest[:12], "code": exc.code,
                                "reason": exc.message})
            continue
        sent += 1
    return sent

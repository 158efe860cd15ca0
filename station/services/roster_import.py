"""Importing a SCEJAL roster export and a folder of photos into the station's ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from foundation.photostore import PhotoProblem, scan_photo_dir
from foundation.tables import RowProblem
from foundation.words import count as count_of
from station.context import Station
from station.core.eligibility import RosterScope
from station.core.roster import Normalisation
from station.importers.roster_files import load_roster
from station.services.lifecycle import current_cycle
from station.store import ledger, privacy_records


@dataclass(slots=True)
class RosterImportResult:
    imported: bool
    schools: int
    students: int
    problems: list[RowProblem]
    notes: list[Normalisation]
    encodings: dict[str, str] = field(default_factory=dict)
    changes: ledger.RosterChanges | None = None
    left_out: dict[str, int] = field(default_factory=dict)
    """Rows of other schools a school station left out, by file."""
    own_school: str = ""
    purged_skipped: int = 0
    """Rows of students whose personal data was purged here: left out for good."""

    def to_json(self) -> dict[str, object]:
        c = self.changes
        return {
            "imported": self.imported,
            "encodings": self.encodings,
            "schools": self.schools,
            "students": self.students,
            "changes": None if c is None else {
                "schools_added": c.schools_added, "schools_updated": c.schools_updated,
                "students_added": c.students_added, "students_updated": c.students_updated,
                "students_withdrawn": c.students_withdrawn, "unchanged": c.unchanged},
            "problems": [{"file": p.file, "row": p.row, "field": p.field, "reason": p.reason_es}
                         for p in self.problems],
            "left_out": self.left_out,
            "purged_skipped": self.purged_skipped,
            "normalised": [{"file": n.file, "row": n.row, "field": n.field, "before": n.before,
                            "after": n.after} for n in self.notes],
        }

    def describe(self) -> str:
        lines = [f"Leído: {name} ({enc})" for name, enc in self.encodings.items()]
        for name, count in self.left_out.items():
            lines.append(f"{name}: {count_of(count, 'fila', 'filas')} de otras escuelas no se "
                         f"importaron (esta estación es de la escuela {self.own_school}).")
        if self.problems:
            lines.append(f"Se encontraron {count_of(len(self.problems), 'problema', 'problemas')}:")
            lines += [f"- {p.message_es}" for p in self.problems]
        if self.notes:
            fixed = count_of(len(self.notes), "detalle", "detalles")
            lines.append(f"Se corrigieron {fixed} de formato:")
            lines += [f"- {n.file}, fila {n.row}, «{n.field}»: «{n.before}» → «{n.after}»"
                      for n in self.notes[:50]]
            if len(self.notes) > 50:
                lines.append(f"  … y {len(self.notes) - 50} más (vea --json)")
        if not self.imported:
            lines.append("No se importó nada. Corrija el archivo, o importe sólo las filas "
                         "correctas con --accept-valid.")
        elif self.changes is not None and not self.changes.changed:
            lines.append("La plantilla ya estaba al día: no cambió nada.")
        elif self.changes is not None:
            c = self.changes
            lines.append(
                f"Importado: {c.schools_added} escuela(s) nueva(s), {c.schools_updated} "
                f"actualizada(s); {c.students_added} alumno(s) nuevo(s), {c.students_updated} "
                f"actualizado(s), {c.students_withdrawn} dado(s) de baja.")
        if self.purged_skipped:
            lines.append(f"{self.purged_skipped} alumno(s) del archivo no se importaron: sus "
                         "datos personales se eliminaron en esta estación (plazo de "
                         "conservación vencido o cancelación solicitada).")
        return "\n".join(lines)


def roster_scope(station: Station) -> RosterScope:
    """What this station keeps of an export: the current cycle's students and, on a school
    station with its CCT set, only its own school (normativo 1; issue 14)."""
    s = station.settings
    own = s["station.school_cct"].strip().upper() if s["station.kind"] == "escuela" else ""
    return RosterScope(cycle=current_cycle(station), only_school=own or None)


def import_roster(
    station: Station, escuelas: Path, alumnos: Path, *, accept_valid: bool = False
) -> RosterImportResult:
    """All or nothing: with problems, nothing is written unless ``accept_valid``."""
    scope = roster_scope(station)
    check = load_roster(escuelas, alumnos, scope=scope)
    result = RosterImportResult(
        imported=False, schools=len(check.schools), students=len(check.students),
        problems=list(check.problems), notes=list(check.notes),
        encodings=dict(getattr(check, "encodings", {}) or {}),
        left_out=dict(check.left_out), own_school=scope.only_school or "")
    if check.problems and not accept_valid:
        return result
    cycle = current_cycle(station)
    with station.db.write() as conn:
        # A purged student stays purged (issue 18): an old export must not bring them back.
        screen = privacy_records.screen_roster(
            conn, station.folder.privacy_key,
            [(s.curp, s.estatus.value, s.ciclo) for s in check.students],
            cycle=cycle)
        for digest in screen.lift:
            privacy_records.lift_tombstone(conn, digest)
        students = [s for s in check.students if s.curp not in screen.skip]
        result.purged_skipped = len(check.students) - len(students)
        result.changes = ledger.upsert_roster(conn, check.schools, students)
    result.imported = True
    return result


@dataclass(slots=True)
class PhotoImportResult:
    stored: int = 0
    already: int = 0
    not_in_roster: list[str] = field(default_factory=list)
    problems: list[PhotoProblem] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"stored": self.stored, "unchanged": self.already,
                "not_in_roster": self.not_in_roster,
                "problems": [{"file": p.file, "reason": p.reason_es} for p in self.problems]}

    def describe(self) -> str:
        lines = [f"Fotos nuevas o cambiadas: {self.stored}; ya estaban: {self.already}."]
        if self.not_in_roster:
            lines.append(f"{len(self.not_in_roster)} foto(s) de alumnos que no están en la "
                         "plantilla (no se usaron): " + ", ".join(self.not_in_roster[:10]))
        for p in self.problems:
            lines.append(f"- {p.file}: {p.reason_es}")
        return "\n".join(lines)


def import_photos(station: Station, folder: Path) -> PhotoImportResult:
    """Store each good photo once (by content hash) and link it to its student."""
    scan = scan_photo_dir(folder)
    result = PhotoImportResult(problems=list(scan.problems))
    for curp, path in scan.accepted:
        with station.db.read() as conn:
            in_roster = bool(ledger.get_students(conn, [curp]))
        if not in_roster:
            # Not stored at all: a photo of nobody here (or of a student whose data was
            # purged, issue 18) must not stay on the station's disk.
            result.not_in_roster.append(path.name)
            continue
        data = path.read_bytes()
        photo_hash = station.photos.add(data, ext=path.suffix.lower().lstrip("."))
        with station.db.write() as conn:
            before = ledger.photo_hashes(conn, [curp]).get(curp)
            known = ledger.set_photo(conn, curp, photo_hash)
        if not known:
            result.not_in_roster.append(path.name)
        elif before == photo_hash:
            result.already += 1
        else:
            result.stored += 1
    return result

"""The per-school summary behind the progress page (``school_progress``), kept fresh by
recomputing the schools whose data changed — never by adding or subtracting, so a replayed
push, a re-sync or a staff correction cannot make it drift.

Which schools changed:
- **ingest** marks the schools of the students a push touched (:func:`mark_students`, from
  :mod:`central.crud.office_feed`), and a staff revocation marks its student's school;
- **roster imports** need no mark: every changed student, school and move carries the
  import's ``roster`` change number, and the summary remembers the last one it saw;
- a new **cycle** (``cycle.current``) recomputes everything once (holograms are per cycle).

:func:`refresh` runs before the page reads the summary: it takes the marks (``DELETE …
RETURNING``), adds the schools changed by imports since the last refresh, and recomputes just
those with one set-based query per 500 schools. The first refresh of an empty summary, and the
first after a cycle change, recompute all schools (seconds at state scale: docs/PERFORMANCE.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from central.crud.among import among
from central.models import (
    Counter,
    ProgressDirty,
    ProgressWatermark,
    School,
    SchoolProgress,
    Student,
    StudentMove,
)

ENROLLED = "INSCRITO"
CHUNK = 500
COLUMNS = ("enrolled", "with_card", "declined", "requests_open", "holograms")

_COUNTS = """
WITH x AS MATERIALIZED (
    SELECT s.cct, w.declined_on, w.requested_on,
           CASE WHEN EXISTS (SELECT 1 FROM cards c WHERE c.curp = s.curp
                             AND c.status = 'active') THEN 1 ELSE 0 END AS has_card,
           CASE WHEN EXISTS (SELECT 1 FROM holograms h WHERE h.ciclo = :cycle
                             AND h.curp = s.curp) THEN 1 ELSE 0 END AS has_hologram
    FROM students s LEFT JOIN student_card_wishes w ON w.curp = s.curp
    WHERE s.estatus = :enrolled {only})
SELECT cct, count(*), sum(has_card),
       sum(CASE WHEN has_card = 0 AND declined_on IS NOT NULL THEN 1 ELSE 0 END),
       sum(CASE WHEN has_card = 0 AND requested_on IS NOT NULL THEN 1 ELSE 0 END),
       sum(has_hologram)
FROM x GROUP BY cct
"""
"""Per student two index probes (``cards_progress``, ``holograms_progress``); MATERIALIZED
keeps PostgreSQL from inlining the card probe into each of the three sums that read it."""
_FULL = """
SELECT s.cct, count(*), count(c.curp),
       sum(CASE WHEN c.curp IS NULL AND w.declined_on IS NOT NULL THEN 1 ELSE 0 END),
       sum(CASE WHEN c.curp IS NULL AND w.requested_on IS NOT NULL THEN 1 ELSE 0 END),
       count(h.curp)
FROM students s
LEFT JOIN (SELECT DISTINCT curp FROM cards WHERE status = 'active') AS c ON c.curp = s.curp
LEFT JOIN (SELECT DISTINCT curp FROM holograms WHERE ciclo = :cycle) AS h ON h.curp = s.curp
LEFT JOIN student_card_wishes w ON w.curp = s.curp
WHERE s.estatus = :enrolled
GROUP BY s.cct
"""
"""Every school at once: hash joins over whole tables beat 1.5 million index probes."""


def _insert(session: Session) -> Any:
    dialect = session.connection().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def mark(session: Session, ccts: Iterable[str]) -> None:
    """Mark schools changed, inside the changing transaction (see :class:`ProgressDirty`)."""
    rows = [{"cct": c, "marks": 1} for c in sorted(set(ccts))]
    if not rows:
        return
    stmt = _insert(session)(ProgressDirty.__table__)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["cct"], set_={"marks": ProgressDirty.marks + 1}), rows)


def mark_students(session: Session, curps: Iterable[str]) -> None:
    """Mark the schools of these students (their school in central's roster)."""
    wanted = sorted(set(curps))
    if not wanted:
        return
    # One bound array, not IN-lists of 500 parameters: rendering those per push was ~11 % of
    # a PostgreSQL push's time in central (docs/PERFORMANCE.md, issue 4's ingest).
    mark(session, session.scalars(select(Student.cct).where(
        among(session, Student.curp, wanted)).distinct()))


def _watermark(session: Session, name: str) -> str | None:
    row = session.get(ProgressWatermark, name)
    return row.value if row is not None else None


def _set_watermark(session: Session, name: str, value: str) -> None:
    stmt = _insert(session)(ProgressWatermark.__table__).values(name=name, value=value)
    session.execute(stmt.on_conflict_do_update(index_elements=["name"],
                                               set_={"value": value}))


def _roster_changes(session: Session, since: int) -> set[str]:
    ccts = set(session.scalars(select(Student.cct).where(Student.rev > since).distinct()))
    ccts.update(session.scalars(select(School.cct).where(School.rev > since)))
    for old, new in session.execute(select(StudentMove.from_cct, StudentMove.to_cct).where(
            StudentMove.rev > since)):
        ccts.update((old, new))
    return ccts


def _recompute(session: Session, ccts: list[str] | None, cycle: str) -> int:
    """Recompute ``ccts`` (None: every school); how many schools were written."""
    params: dict[str, Any] = {"cycle": cycle, "enrolled": ENROLLED}
    groups: list[list[str] | None] = (
        [None] if ccts is None else [ccts[i:i + CHUNK] for i in range(0, len(ccts), CHUNK)])
    written = 0
    upsert = _insert(session)(SchoolProgress.__table__)
    upsert = upsert.on_conflict_do_update(
        index_elements=["cct"], set_={k: upsert.excluded[k] for k in (*COLUMNS, "cycle")})
    for group in groups:
        if group is None:
            schools = list(session.scalars(select(School.cct).order_by(School.cct)))
            query = text(_FULL)
        else:
            schools = group
            query = text(_COUNTS.format(only="AND s.cct IN :ccts")).bindparams(
                bindparam("ccts", expanding=True))
            params["ccts"] = group
        rows = {c: {"cct": c, "cycle": cycle, **dict.fromkeys(COLUMNS, 0)} for c in schools}
        for cct, *counts in session.execute(query, params):
            if cct in rows:
                rows[cct].update(zip(COLUMNS, (int(n or 0) for n in counts), strict=True))
        if rows:
            session.execute(upsert, list(rows.values()))
        written += len(rows)
    return written


def refresh(session: Session, *, cycle: str) -> int:
    """Bring ``school_progress`` up to date; how many schools were recomputed."""
    if session.connection().dialect.name == "postgresql":
        # The planner's cost of the full recompute turns JIT on: 1.6 s of compiling for a
        # query that then runs for less (measured, bench/bench_progress.py).
        session.execute(text("SET LOCAL jit = off"))
    roster_now = int(session.scalar(select(Counter.value).where(Counter.name == "roster"))
                     or 0)
    seen_roster, seen_cycle = _watermark(session, "roster"), _watermark(session, "cycle")
    # The marks go first: a change committed after this point is marked again (see
    # ProgressDirty), one committed before is visible to the recompute below.
    # Locked in CCT order, the order ingest marks them in: two transactions never wait on
    # each other in a circle (PostgreSQL; SQLite writes one at a time).
    in_order = select(ProgressDirty.cct).order_by(ProgressDirty.cct).with_for_update()
    dirty = set(session.scalars(delete(ProgressDirty).where(ProgressDirty.cct.in_(in_order))
                                .returning(ProgressDirty.cct)))
    if seen_roster is None or seen_cycle != cycle:
        written = _recompute(session, None, cycle)
    else:
        todo = set(dirty)
        if roster_now > int(seen_roster):  # only then: the search scans the students
            todo |= _roster_changes(session, int(seen_roster))
        written = _recompute(session, sorted(todo), cycle) if todo else 0
    _set_watermark(session, "roster", str(roster_now))
    _set_watermark(session, "cycle", cycle)
    session.flush()
    return written


def summary_rows(session: Session, *, drse: str | None) -> list[tuple[str, str, str,
                                                                     dict[str, int]]]:
    """(cct, nombre, drse, counts) of every school (of one DRSE), from the summary."""
    query = (select(School.cct, School.nombre, School.drse,
                    *(func.coalesce(getattr(SchoolProgress, c), 0) for c in COLUMNS))
             .outerjoin(SchoolProgress, SchoolProgress.cct == School.cct)
             .order_by(School.drse, School.cct))
    if drse is not None:
        query = query.where(School.drse == drse)
    return [(cct, nombre, region, dict(zip(COLUMNS, counts, strict=True)))
            for cct, nombre, region, *counts in session.execute(query)]

"""The state's progress figures (issue 13): per DRSE and per school, set-based.

Every figure is counted from the base tables by a set-based ``GROUP BY`` (no counter is ever
incremented, so nothing can drift from the data after a re-sync, a replay or a staff
correction):

- **inscritos**: students ``INSCRITO`` in the roster central holds;
- **con credencial**: of those, the ones with an active card (any station's);
- **rechazaron**: of those without a card, the ones whose school recorded a decline
  (normativo 1; ``student_card_wishes``);
- **pendientes**: inscritos − con credencial − rechazaron;
- **hologramas del ciclo**: holograms of the current cycle on the school's enrolled students;
- **solicitudes abiertas**: requests for a card (normativo 4) of enrolled students still
  without one;
- **entregas**: deliveries from the DRSE station (abiertas / con acuse);
- **insumos**: supplies requests this cycle and the Teslin sheets last reported.

The counts over students (the first five) come from the per-school summary
:mod:`central.crud.progress_summary` keeps by recomputing changed schools (one GROUP BY over
1.5 million students takes seconds; the state page groups the 10,000 summary rows by DRSE in
SQL): measured in
bench/bench_progress.py (10,000 schools, 1.5 million students), docs/PERFORMANCE.md.

>>> pending(enrolled=10, with_card=6, declined=1)
3
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from central.crud import progress_summary
from central.models import ConfigItem
from station.core.settings import SETTINGS_BY_KEY


def pending(*, enrolled: int, with_card: int, declined: int) -> int:
    return max(enrolled - with_card - declined, 0)


@dataclass(slots=True)
class Figures:
    """The figures of one school, or the sums of a DRSE or of the state."""

    enrolled: int = 0
    with_card: int = 0
    declined: int = 0
    holograms: int = 0
    requests_open: int = 0
    deliveries_open: int = 0
    deliveries_closed: int = 0
    supply_requests: int = 0
    teslin: int | None = None
    """Teslin sheets last reported (summed over the stations that reported)."""

    @property
    def pending(self) -> int:
        return pending(enrolled=self.enrolled, with_card=self.with_card, declined=self.declined)

    @property
    def percent(self) -> float:
        """Share of enrolled students with a card (0–100)."""
        return 100.0 * self.with_card / self.enrolled if self.enrolled else 0.0

    def add(self, other: Figures) -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name == "teslin":
                if theirs is not None:
                    self.teslin = (mine or 0) + theirs
            else:
                setattr(self, f.name, mine + theirs)


@dataclass(slots=True)
class Row:
    key: str
    """The DRSE name, or the school's CCT."""
    label: str
    figures: Figures = field(default_factory=Figures)
    schools: int = 0


def current_cycle(session: Session) -> str:
    """The cycle the stations work in: the one central publishes (``cycle.current``), else
    the stations' factory value — what an unconfigured station uses too. (Not the roster's
    newest ``ciclo``: that is a scan of every student.)"""
    item = session.get(ConfigItem, "cycle.current")
    if item is not None:
        return str(json.loads(item.value))
    return str(SETTINGS_BY_KEY["cycle.current"].default)


# One statement per source, grouped by DRSE (the state page: 14 rows) or by school (a DRSE's
# drill-down, the XLSX): ``{key}`` is ``sc.drse`` or ``sc.cct``.
_SUMMARY = """
SELECT {key}, min({label}), min(sc.drse), count(*), {sums}
FROM schools sc LEFT JOIN school_progress p ON p.cct = sc.cct
{where}
GROUP BY {key} ORDER BY min(sc.drse), {key}
"""
_DELIVERIES = """
SELECT {key}, sum(CASE WHEN d.closed_on IS NULL THEN 1 ELSE 0 END),
       sum(CASE WHEN d.closed_on IS NOT NULL THEN 1 ELSE 0 END)
FROM delivery_records d JOIN schools sc ON sc.cct = d.cct
WHERE d.cycle = :cycle {and_drse}
GROUP BY {key}
"""
"""Deliveries and supplies requests are few (a row per delivery or request): counted live."""
_SUPPLIES = """
SELECT {key}, count(*), sum(CASE WHEN r.request = latest.request THEN r.teslin_stock END)
FROM supply_request_records r
JOIN (SELECT station_id, max(request) AS request FROM supply_request_records
      GROUP BY station_id) AS latest ON latest.station_id = r.station_id
JOIN schools sc ON sc.cct = r.cct
WHERE r.cycle = :cycle {and_drse}
GROUP BY {key}
"""


def _figures(session: Session, *, by_school: bool, drse: str | None,
             cycle: str) -> list[tuple[str, str, str, int, Figures]]:
    """(key, label, drse, schools, figures) per DRSE or per school (of ``drse`` when given),
    after refreshing the per-school summary (:func:`progress_summary.refresh`)."""
    progress_summary.refresh(session, cycle=cycle)
    key, label = ("sc.cct", "sc.nombre") if by_school else ("sc.drse", "sc.drse")
    sums = ", ".join(f"coalesce(sum(p.{c}), 0)" for c in progress_summary.COLUMNS)
    params: dict[str, Any] = {"cycle": cycle}
    if drse is not None:
        params["drse"] = drse
    fill = {"key": key, "label": label, "sums": sums,
            "where": "WHERE sc.drse = :drse" if drse is not None else "",
            "and_drse": "AND sc.drse = :drse" if drse is not None else ""}
    out, by_key = [], {}
    for k, name, region, schools, *counts in session.execute(
            text(_SUMMARY.format(**fill)), params):
        figures = Figures(**dict(zip(progress_summary.COLUMNS, map(int, counts), strict=True)))
        by_key[k] = figures
        out.append((k, name, region, int(schools), figures))
    for k, opened, closed in session.execute(text(_DELIVERIES.format(**fill)), params):
        if k in by_key:
            by_key[k].deliveries_open, by_key[k].deliveries_closed = int(opened), int(closed)
    for k, requests, teslin in session.execute(text(_SUPPLIES.format(**fill)), params):
        if k in by_key:
            by_key[k].supply_requests = int(requests)
            by_key[k].teslin = None if teslin is None else int(teslin)
    return out


def school_figures(session: Session, *, drse: str | None,
                   cycle: str) -> list[tuple[str, str, str, Figures]]:
    """(cct, nombre, drse, figures) of every school (of one DRSE when ``drse``)."""
    return [(cct, nombre, region, f) for cct, nombre, region, _n, f in
            _figures(session, by_school=True, drse=drse, cycle=cycle)]


def drse_rows(session: Session, *, cycle: str, only: str | None = None) -> list[Row]:
    """One row per DRSE (all of them, or only ``only``) with its schools' sums."""
    return [Row(k, k, f, n) for k, _name, _region, n, f in
            _figures(session, by_school=False, drse=only, cycle=cycle)]


def total(rows: list[Row]) -> Row:
    out = Row("", "Total")
    for row in rows:
        out.figures.add(row.figures)
        out.schools += row.schools
    return out


def school_rows(session: Session, *, drse: str, cycle: str) -> list[Row]:
    return [Row(cct, f"{cct} {nombre}", figures, 1)
            for cct, nombre, _region, figures in school_figures(session, drse=drse,
                                                                cycle=cycle)]


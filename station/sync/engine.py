"""One sync with central: push the ledger's events, photos and problem reports, pull what
changed (roster, trust, revocations, configuration, applied at once), top up folios.

Network I/O never happens inside a ledger transaction, so issuing cards never waits on the
network: a sync only takes the write lock for the few milliseconds it records an answer.

A withdrawn station (central answers ``station-withdrawn``) still pushes what it holds; the
pull steps stop there without counting as a failure, and ``station status`` says so.

>>> report = run_sync(station, client)  # doctest: +SKIP
>>> report.ok, report.pushed  # doctest: +SKIP
(True, 120)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from gettext import ngettext
from typing import Any

from foundation.contract.protocol import WITHDRAWN
from foundation.contract.responses import FolioBlockAnswer, IngestAnswer
from foundation.credential.bounds import CARD_FOLIO_MAX
from station.context import Station
from station.core.folios import remaining
from station.store import ledger, sync_state
from station.store.ledger import now_iso
from station.sync import (
    offices,
    privacy_orders,
    reports_up,
    roster_pull,
    support_pull,
    trust_sync,
)
from station.sync.client import CentralClient, SyncError

EVENTS = "/api/v1/sync/events"
WITHDRAWN_ES = "Estación dada de baja: solo se envían los registros pendientes"



def _count(n: int, singular: str, plural: str) -> str:
    """``n`` and its noun in the right number (gettext's plural rule for Spanish)."""
    return ngettext("{n} " + singular, "{n} " + plural, n).format(n=n)

@dataclass(slots=True)
class SyncReport:
    pushed: int = 0
    acked_through: int = 0
    photos_up: int = 0
    photos_skipped: list[dict[str, str]] = field(default_factory=list)
    """Photos central refused one by one (``{photo, code, reason}``); the rest went up."""
    photos_down: int = 0
    photos_refused: list[dict[str, str]] = field(default_factory=list)
    """Photos from central not stored (``{photo, code, reason}``): bytes that did not match
    their hash, or a photo central lacks; asked again at the next sync."""
    students: int = 0
    trust: int = 0
    revocations: int = 0
    folio_blocks: list[tuple[int, int]] = field(default_factory=list)
    config_version: int = 0
    reports_up: int = 0
    reports_refused: int = 0
    events_refused: list[dict[str, object]] = field(default_factory=list)
    """Events central stored but did not apply, with its reason (``{seq, kind, code,
    message}``)."""
    moved_out: int = 0
    config_applied: list[str] = field(default_factory=list)
    config_refused: list[dict[str, str]] = field(default_factory=list)
    withdrawn: str | None = None
    """Central's words when the station was withdrawn (only pending records go up)."""
    offices: offices.OfficeSync = field(default_factory=offices.OfficeSync)
    """Oficios sent to the DRSE, requests whose state changed, new batches (issue 13)."""
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    support_answers: int = 0
    """New answers to the station's questions or escalated problem reports."""
    privacy: privacy_orders.OrdersPulled = field(default_factory=privacy_orders.OrdersPulled)
    """ARCO orders from central applied here (issue 18)."""

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "pushed": self.pushed, "acked_through": self.acked_through,
                "photos_up": self.photos_up, "photos_skipped": self.photos_skipped,
                "photos_down": self.photos_down, "photos_refused": self.photos_refused,
                "students": self.students, "trust": self.trust,
                "revocations": self.revocations,
                "folio_blocks": [list(b) for b in self.folio_blocks],
                "config_version": self.config_version, "reports_up": self.reports_up,
                "reports_refused": self.reports_refused, "moved_out": self.moved_out,
                "events_refused": self.events_refused,
                "config_applied": self.config_applied, "config_refused": self.config_refused,
                "withdrawn": self.withdrawn, "errors": self.errors,
                "support_answers": self.support_answers,
                "privacy_orders": {"cancelled": self.privacy.cancelled,
                                   "rectified": self.privacy.rectified,
                                   "refused": self.privacy.refused,
                                   "supported": self.privacy.supported},
                "oficios_sent": self.offices.sent,
                "office_news": [n.to_json() for n in self.offices.changed],
                "new_batches": self.offices.new_batches,
                "seconds": round(self.seconds, 3)}

    def describe(self) -> str:
        lines = ["Enviados {}; recibidos {}.".format(
            _count(self.pushed, "evento", "eventos") + " y "
            + _count(self.photos_up, "foto", "fotos"),
            ", ".join([_count(self.students, "alumno", "alumnos"),
                       _count(self.photos_down, "foto", "fotos"),
                       _count(self.revocations, "revocación", "revocaciones")]))]
        lines += [f"Nuevo bloque de folios: {a}–{b}." for a, b in self.folio_blocks]
        lines += [f"Foto {p['photo']} no enviada: {p['reason']}" for p in self.photos_skipped]
        lines += [f"Foto {p['photo']} no recibida: {p['reason']}" for p in self.photos_refused]
        lines += [f"El servicio central no aplicó el evento {r.get('seq')}: {r.get('message')}"
                  for r in self.events_refused]
        if self.reports_up or self.reports_refused:
            lines.append(f"Reportes de problemas enviados: {self.reports_up}"
                         + (f"; rechazados: {self.reports_refused}."
                            if self.reports_refused else "."))
        if self.moved_out:
            lines.append(ngettext(
                "{n} alumno cambió a una escuela que esta estación no atiende: ya no aparece "
                "como pendiente (su credencial se conserva).",
                "{n} alumnos cambiaron a una escuela que esta estación no atiende: ya no "
                "aparecen como pendientes (sus credenciales se conservan).",
                self.moved_out).format(n=self.moved_out))
        if self.config_applied:
            lines.append("Configuración aplicada: " + ", ".join(self.config_applied) + ".")
        lines += [f"Ajuste {r['key']} no aplicado: {r['reason']}." for r in self.config_refused]
        if self.support_answers:
            lines.append(f"Respuestas nuevas de soporte: {self.support_answers}.")
        p = self.privacy
        if p.cancelled or p.rectified or p.refused:
            done = [_count(p.cancelled, "cancelación aplicada", "cancelaciones aplicadas"),
                    _count(p.rectified, "rectificación aplicada", "rectificaciones aplicadas")]
            if p.refused:
                done.append(_count(p.refused, "no aplicada", "no aplicadas"))
            lines.append("Órdenes de protección de datos del servicio central: "
                         + ", ".join(done) + ".")
        lines += offices_lines(self.offices)
        if self.withdrawn:
            lines.append(WITHDRAWN_ES + ".")
        if self.errors:
            lines.append("No se completó la sincronización:")
            lines += [f"- {e}" for e in self.errors]
        else:
            lines.append(f"Sincronización completa en {self.seconds:.1f} s.")
        return "\n".join(lines)


def offices_lines(o: offices.OfficeSync) -> list[str]:
    """What the DRSE did with this station's requests, in the operator's words."""
    what = {"oficio": "Solicitud de credenciales", "material": "Solicitud de material"}
    lines = [f"Oficios enviados a la DRSE: {o.sent}."] if o.sent else []
    if o.acknowledgements:
        lines.append(f"Acuses de entrega firmados enviados: {o.acknowledgements}.")
    lines += [f"{what.get(n.procedure, n.procedure)} {n.ref}: {n.words}"
              + (f". Motivo: {n.reason}" if n.reason else ".") for n in o.changed]
    if o.new_batches:
        lines.append(f"Lotes nuevos para producir: {o.new_batches}.")
    return lines


def push_events(station: Station, client: CentralClient, *, batch_size: int,
                refused: list[dict[str, object]] | None = None) -> tuple[int, int]:
    """Upload unacknowledged events in order; (events sent, central's acknowledged seq).

    Events central stored but refused to apply (beyond this station's scope) are kept with
    central's reason (``station status``) and added to ``refused``.
    """
    sent = stalls = 0
    acked = 0
    while True:
        with station.db.read() as conn:
            batch = sync_state.pending_events(conn, limit=batch_size)
            acked = sync_state.get_int(conn, "acked_through")
        if not batch:
            return sent, acked
        answer = client.post_answer(IngestAnswer, EVENTS,
                                    {"events": [e.to_json() for e in batch]})
        central_acked = answer.acked_through
        said_no: list[dict[str, object]] = [r.model_dump() for r in answer.refused]
        if refused is not None:
            refused.extend(said_no)
        with station.db.write() as conn:
            sync_state.add_event_refusals(conn, said_no)
            if central_acked < acked:
                # Central holds less than we thought (restored from a backup): resend from there.
                sync_state.set_state(conn, "acked_through", central_acked)
            else:
                sync_state.acknowledge(conn, central_acked)
        sent += len(batch)
        stalls = stalls + 1 if central_acked <= acked else 0
        if stalls >= 3:
            raise SyncError("El servicio central no confirma los eventos enviados.",
                            code="no-progress", way_out="Se reintentará en la próxima "
                                                        "sincronización.")


def top_up_folios(station: Station, client: CentralClient) -> list[tuple[int, int]]:
    """Ask central for blocks while fewer folios than ``folios.request_when_below`` remain."""
    want = int(station.settings["folios.request_when_below"])
    got: list[tuple[int, int]] = []
    for _ in range(10):
        with station.db.read() as conn:
            left = remaining(ledger.folio_blocks(conn), ledger.used_per_block(conn))
            held = ledger.central_block_count(conn)
        if left >= want:
            break
        block = client.post_answer(FolioBlockAnswer, "/api/v1/sync/folio-blocks",
                                   {"ordinal": held + 1})
        first, last = block.first, block.last
        if last > CARD_FOLIO_MAX or first > last:
            raise SyncError(f"El servicio central envió un bloque de folios ({first}–{last}) que "
                            "no cabe en el código de las credenciales; no se guardó.",
                            code="bad-folio-block", way_out="Avise a soporte de su DRSE.")
        with station.db.write() as conn:
            now_held = ledger.central_block_count(conn)
            if now_held == held:  # another sync of this station did not store it already
                ledger.add_folio_block(conn, first, last, "central")
                got.append((first, last))
    return got


class _Withdrawn(Exception):
    pass


def _step(report: SyncReport, name: str, action: Callable[[], None]) -> bool:
    try:
        action()
        return True
    except SyncError as exc:
        if exc.code == WITHDRAWN:
            report.withdrawn = exc.message
            raise _Withdrawn from exc
        report.errors.append(f"{name}: {exc.user_message()}")
        return exc.code != "offline"
    except (KeyError, ValueError, TypeError) as exc:
        report.errors.append(f"{name}: respuesta inesperada del servicio central ({exc}).")
        return True


def run_sync(station: Station, client: CentralClient) -> SyncReport:
    """Every step of a sync; a failed step is reported and the others still run (unless
    central cannot be reached at all, or the station was withdrawn: then only pushes)."""
    started, t0 = now_iso(), time.perf_counter()
    report = SyncReport()
    batch_size = int(station.settings["sync.batch_size"])
    served: list[bool] = []

    def push() -> None:
        report.pushed, report.acked_through = push_events(
            station, client, batch_size=batch_size, refused=report.events_refused)

    def photos_up() -> None:
        report.photos_up = roster_pull.push_photos(station, client,
                                                   skipped=report.photos_skipped)

    def reports() -> None:
        report.reports_up, report.reports_refused = reports_up.push_reports(station, client)

    def privacy() -> None:
        report.privacy = privacy_orders.pull_privacy_orders(station, client)

    def roster() -> None:
        pulled = roster_pull.pull_roster(station, client)
        report.students, report.photos_down = pulled.students, pulled.photos
        report.moved_out = pulled.moved_out
        report.photos_refused = pulled.photos_refused
        served.append(True)  # central serves this station: it is not withdrawn

    def trust() -> None:
        report.trust = trust_sync.pull_trust(station, client)

    def revocations() -> None:
        report.revocations = trust_sync.pull_revocations(station, client)

    def config() -> None:
        outcome = trust_sync.pull_config(station, client)
        with station.db.read() as conn:
            report.config_version = sync_state.get_int(conn, "config_version")
        if outcome is not None:
            report.config_applied = sorted(outcome.applied)
            report.config_refused = outcome.refused

    def folios() -> None:
        report.folio_blocks = top_up_folios(station, client)

    def support() -> None:
        report.support_answers = support_pull.pull_support(station, client)

    def office() -> None:
        report.offices = offices.sync_offices(station, client)

    steps = [("envío de eventos", push), ("envío de fotos", photos_up),
             ("envío de reportes de problemas", reports),
             ("órdenes de protección de datos", privacy),
             ("plantilla y fotos", roster), ("lista de confianza", trust),
             ("revocaciones", revocations), ("configuración", config), ("folios", folios),
             ("respuestas de soporte", support), ("solicitudes a la DRSE", office)]
    try:
        for name, action in steps:
            if not _step(report, name, action):
                break
    except _Withdrawn:
        pass  # what could go up went up; central gives a withdrawn station nothing else
    report.seconds = time.perf_counter() - t0
    with station.db.write() as conn:
        if report.withdrawn or served:
            sync_state.set_state(conn, "withdrawn", report.withdrawn or "")
        sync_state.record_run(conn, started_at=started, ok=report.ok, pushed=report.pushed,
                              pulled=report.students + report.revocations,
                              error="; ".join(report.errors)[:2000] or None)
    return report


def client_for(station: Station, **options: Any) -> CentralClient:
    url = station.settings["sync.central_url"]
    if not url:
        raise SyncError("Esta estación no está conectada a un servicio central.",
                        code="not-enrolled",
                        way_out="Inscríbala en Ajustes > Sincronización con el código que "
                        "le dé su DRSE.",
                        command="station enroll --central URL --code CÓDIGO")
    return CentralClient(url, key=station.key, **options)

"""ARCO orders from central (issue 18): ``GET /api/v1/privacy-orders?after=<cursor>``.

Central passes the station the cancellations and rectifications its officers recorded for
students in the station's scope (``foundation.contract.responses.PrivacyOrder``). Each page is
applied in ONE write transaction together with its cursor, so the cursor moves only when the
page's orders are applied, and a crash re-applies the page (applying is idempotent). Then the
files the cancellations freed are deleted (``station.store.privacy_files``, the crash
protocol of ``station/services/privacy.py``).

- ``cancelacion``: the same purge as the retention's, reason ``cancelacion``, at once. A
  tombstone is kept even for a student this station does not hold, so no later roster pull
  or photo download brings them here.
- ``rectificacion``: the named fields are replaced; unknown fields are refused by name in the
  log (never with their values).

A student named by an event central has not acknowledged yet is not purged now (a pseudonym
would reach central in place of a card's student): the page waits for the next sync. An older
central without this route answers 404: logged once, and the sync carries on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from foundation.contract.responses import PrivacyOrder, PrivacyOrderPage
from station.context import Station
from station.core.privacy import CANCELLATION, rectification
from station.store import privacy_files, privacy_key, privacy_records, sync_state
from station.store.db import Connection
from station.sync.client import CentralClient, SyncError

PRIVACY_ORDERS = "/api/v1/privacy-orders"
CURSOR = "privacy_orders_cursor"
PAGE = 200
RECTIFICATION = "rectificacion"

log = logging.getLogger(__name__)
_said_unsupported = False


@dataclass(slots=True)
class OrdersPulled:
    cancelled: int = 0
    rectified: int = 0
    refused: int = 0
    """Orders (or fields of an order) this station could not apply; logged by order id."""
    supported: bool = True
    """False when central does not serve the orders yet (an older central)."""


class _Waiting(Exception):
    def __init__(self, order: int) -> None:
        super().__init__(order)
        self.order = order


def pull_privacy_orders(station: Station, client: CentralClient) -> OrdersPulled:
    """Every page after the stored cursor, applied; see the module docstring."""
    global _said_unsupported
    out = OrdersPulled()
    # Files a purge interrupted by a crash left listed (cheap when there are none).
    privacy_files.finish_pending(station.db, station.folder)
    while True:
        with station.db.read() as conn:
            cursor = sync_state.get_int(conn, CURSOR)
        try:
            page = client.get_answer(PrivacyOrderPage, PRIVACY_ORDERS, after=cursor, limit=PAGE)
        except SyncError as exc:
            if exc.status != 404:
                raise
            if not _said_unsupported:
                log.warning("el servicio central no ofrece órdenes de privacidad (404); "
                            "se seguirá sincronizando sin ellas")
                _said_unsupported = True
            out.supported = False
            return out
        if page.orders:
            key = privacy_key.load_or_create(station.folder.privacy_key)
            try:
                with station.db.write() as conn:
                    for order in page.orders:
                        _apply(conn, key, order, out, station)
                    sync_state.set_state(conn, CURSOR, page.cursor)
            except _Waiting as waiting:
                raise SyncError(
                    f"La orden de cancelación {waiting.order} del servicio central espera a "
                    "que se envíen los registros pendientes de ese alumno; se aplicará en la "
                    "próxima sincronización.", code="privacy-order-waiting") from None
            privacy_files.finish_pending(station.db, station.folder)
        else:
            with station.db.write() as conn:
                sync_state.set_state(conn, CURSOR, page.cursor)
        if not page.more:
            return out


def _apply(conn: Connection, key: bytes, order: PrivacyOrder, out: OrdersPulled,
           station: Station) -> None:
    if order.kind == CANCELLATION:
        if privacy_records.unsent_mentions(conn, order.curp):
            raise _Waiting(order.id)
        privacy_records.purge_student(
            conn, curp=order.curp, digest=privacy_key.digest(key, order.curp),
            reason=CANCELLATION, cct=order.cct, order_id=order.id, today=station.today())
        out.cancelled += 1
        return
    if order.kind == RECTIFICATION:
        fix = rectification(order.fields)
        if fix.refused:
            # Field names only: the values are the person's data.
            log.warning("orden de rectificación %d: campos no aplicados en la estación: %s",
                        order.id, ", ".join(fix.refused))
            out.refused += 1
        if privacy_records.rectify(conn, order.curp, fix.changes) and fix.changes:
            out.rectified += 1
        return
    log.warning("orden de privacidad %d de un tipo que esta estación no conoce (%s); "
                "no se aplicó", order.id, order.kind[:40])
    out.refused += 1

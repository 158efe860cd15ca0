"""Trust list and revocation list from central, kept by the station for offline checks.

Every trust entry carries central's certificate (an Ed25519 signature over the entry); the
station checks it with central's public key, pinned when the station enrolled, so a trust
list tampered with on the way (or on a USB stick) is refused.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from foundation.contract.protocol import trust_entry_message
from foundation.contract.responses import (
    ConfigAnswer,
    RevocationPage,
    TrustEntryAnswer,
    TrustPage,
)
from foundation.errors import DomainError
from station.context import Station
from station.core.holograms import parse_range
from station.store import central_notices, sync_state
from station.sync.client import CentralClient, SyncError
from station.sync.config_apply import ConfigOutcome, apply_config


def check_certificate(entry: TrustEntryAnswer, central_public_key: bytes) -> None:
    """Raise :class:`SyncError` unless central signed exactly this entry."""
    try:
        public_key = base64.b64decode(entry.public_key, validate=True)
        message = trust_entry_message(
            key_id=entry.key_id, public_key=public_key, station_id=entry.station_id,
            school=entry.school, valid_from=entry.valid_from, valid_until=entry.valid_until)
        Ed25519PublicKey.from_public_bytes(central_public_key).verify(
            base64.b64decode(entry.certificate, validate=True), message)
    except (InvalidSignature, ValueError):
        raise SyncError(
            f"Una llave de la lista de confianza ({entry.key_id}) no trae la firma del "
            "servicio central; no se aceptó.", code="bad-certificate",
            way_out="Pida ayuda a soporte: la conexión podría estar intervenida.") from None


def apply_trust_entries(station: Station, entries: Sequence[TrustEntryAnswer],
                        central_public_key: bytes) -> int:
    for entry in entries:
        check_certificate(entry, central_public_key)
    for entry in entries:
        until = entry.valid_until
        station.trust.add(base64.b64decode(entry.public_key),
                          station_id=entry.station_id, school=entry.school,
                          valid_from=date.fromisoformat(entry.valid_from),
                          valid_until=date.fromisoformat(until) if until else None,
                          key_id=bytes.fromhex(entry.key_id))
    if entries:
        station.trust.save(station.trust_path)
    return len(entries)


def pull_trust(station: Station, client: CentralClient) -> int:
    with station.db.read() as conn:
        cursor = int(sync_state.get_state(conn, "trust_cursor", "0") or 0)
        pinned = sync_state.get_state(conn, "central_public_key")
    if not pinned:
        raise SyncError("La estación no tiene la llave del servicio central.",
                        code="not-enrolled",
                        way_out="Inscriba la estación en Ajustes > Sincronización.",
                        command="station enroll")
    total = 0
    while True:
        page = client.get_answer(TrustPage, "/api/v1/sync/trust", cursor=cursor)
        if page.central_public_key != pinned:
            raise SyncError("El servicio central se presentó con otra llave; no se aceptó su "
                            "lista de confianza.", code="central-key-changed",
                            way_out="Pida ayuda a soporte antes de seguir.")
        total += apply_trust_entries(station, page.entries, base64.b64decode(pinned))
        cursor = page.cursor
        with station.db.write() as conn:
            sync_state.set_state(conn, "trust_cursor", cursor)
        if not page.more:
            return total


def pull_revocations(station: Station, client: CentralClient) -> int:
    own = station.key.key_id.hex()
    total = 0
    while True:
        with station.db.read() as conn:
            cursor = sync_state.get_int(conn, "revocations_cursor")
        page = client.get_answer(RevocationPage, "/api/v1/sync/revocations", cursor=cursor)
        rows = [sync_state.RevocationRow(r.key_id, r.folio, r.cause, r.reason, r.revoked_at)
                for r in page.revocations]
        with station.db.write() as conn:
            sync_state.add_revocations(conn, rows, own_key_id=own)
            sync_state.set_state(conn, "revocations_cursor", page.cursor)
        total += len(rows)
        if not page.more:
            return total


def pull_config(station: Station, client: CentralClient) -> ConfigOutcome | None:
    """Pull central's configuration and apply a version not applied yet (None: nothing new)."""
    with station.db.read() as conn:
        cursor = central_notices.last_notice_id(conn)
    page = client.get_answer(ConfigAnswer, "/api/v1/sync/config", notices_after=cursor)
    version = page.version
    items = dict(page.items)
    with station.db.write() as conn:
        if version != sync_state.get_int(conn, "config_version"):
            sync_state.save_config(conn, items, version)
        keep_holograms_and_notices(conn, page)
        applied = sync_state.get_int(conn, "config_applied_version")
    if version == applied:
        return None
    return apply_config(station, items, version)


def keep_holograms_and_notices(conn: Any, page: ConfigAnswer) -> None:
    """The hologram ranges central handed this station (issue 13), replacing the last list
    (an older central sends none: the list stays as it was), and central's new notices."""
    if page.hologram_ranges is not None:
        try:
            ranges = [replace(parse_range(r.first, r.last), cycle=r.cycle)
                      for r in page.hologram_ranges]
        except DomainError as exc:
            raise SyncError(f"El servicio central envió un rango de hologramas que no se "
                            f"entiende: {exc}", code="bad-answer") from None
        central_notices.set_assigned_ranges(conn, ranges)
    central_notices.add_notices(conn, [central_notices.Notice(n.id, n.kind, n.message,
                                                              n.created_at)
                                       for n in page.notices])

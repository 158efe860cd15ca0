"""Is a card revoked? The answer from central's revocation list, kept in the ledger.

>>> revocation_reason(station, folio=1000123, key_id=bytes(8))  # doctest: +SKIP
'reemplazada por la credencial con folio 1000900 (EST-00002, 03/09/2026)'
"""

from __future__ import annotations

from station.context import Station
from station.store import sync_state


def revocation_reason(station: Station, folio: int, key_id: bytes) -> str | None:
    """Why the card (``key_id``, ``folio``) no longer counts, per central; ``None`` if it does."""
    with station.db.read() as conn:
        return sync_state.revocation_of(conn, key_id.hex(), folio)

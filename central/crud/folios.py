"""Folio blocks: ranges central hands to stations. No two stations ever hold the same folio.

One counter row hands out ranges (``UPDATE … RETURNING``: atomic in SQLite and PostgreSQL),
and ``first_folio``/``last_folio`` are unique besides. A station asks for its block by ordinal
(1st, 2nd…): when the answer is lost and it asks again, it gets the same block, not a new one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from central.errors import ApiError
from central.models import Counter, FolioBlock, Station
from foundation.credential.bounds import CARD_FOLIO_MAX


def ensure_counter(session: Session, *, first_folio: int) -> None:
    """Create the folio counter once, so the first block starts at ``first_folio``."""
    if session.get(Counter, "folio") is None:
        session.execute(insert(Counter).values(name="folio", value=first_folio - 1))


def _take_range(session: Session, *, size: int) -> tuple[int, int]:
    end = int(session.execute(update(Counter).where(Counter.name == "folio")
                              .values(value=Counter.value + size)
                              .returning(Counter.value)).scalar_one())
    return end - size + 1, end


def block_for(session: Session, *, station: Station, ordinal: int, size: int,
              now: datetime) -> FolioBlock:
    """The station's block number ``ordinal``: the existing one, or a new one if next."""
    existing = session.scalar(select(FolioBlock).where(FolioBlock.station_id == station.id,
                                                       FolioBlock.ordinal == ordinal))
    if existing is not None:
        return existing
    held = session.scalar(select(func.count()).select_from(FolioBlock)
                          .where(FolioBlock.station_id == station.id)) or 0
    if ordinal != held + 1:
        raise ApiError(409, "folio-block-order",
                       f"La estación pidió su bloque de folios número {ordinal}, pero tiene "
                       f"{held}; debe pedir el {held + 1}.", held=held)
    first, last = _take_range(session, size=size)
    if last > CARD_FOLIO_MAX:
        # A card's QR carries the folio in 32 bits: a block past that could never be printed.
        # The counter's advance is rolled back with the request's transaction.
        raise ApiError(409, "folio-space-exhausted",
                       "Ya no quedan folios de credencial que el servicio central pueda "
                       "repartir; la oficina estatal debe abrir un nuevo espacio de folios.")
    block = FolioBlock(station_id=station.id, ordinal=ordinal, first_folio=first,
                       last_folio=last, allocated_at=now)
    session.add(block)
    session.flush()
    return block

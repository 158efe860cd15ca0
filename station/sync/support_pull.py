"""Pull where this station's questions and escalated problem reports stand (técnicos 10–12):
``GET /api/v1/sync/support?after=<cursor>``, pages until central has nothing newer.

>>> answered = pull_support(station, client)  # doctest: +SKIP
"""

from __future__ import annotations

from foundation.contract.responses import SupportPage
from station.context import Station
from station.store import support_records, sync_state
from station.sync.client import CentralClient

SUPPORT = "/api/v1/sync/support"


def pull_support(station: Station, client: CentralClient) -> int:
    """Store what changed; how many of the changes are answers."""
    answered = 0
    for _ in range(100):  # pages of 500; a station has a handful
        with station.db.read() as conn:
            cursor = sync_state.get_int(conn, support_records.CURSOR)
        page = client.get_answer(SupportPage, SUPPORT, after=cursor)
        if not page.messages:
            break
        with station.db.write() as conn:
            answered += support_records.store_messages(
                conn, [m.model_dump() for m in page.messages], page.cursor)
        if page.cursor <= cursor:
            break
    return answered

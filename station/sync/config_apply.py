"""Apply the configuration central publishes (fee, cycle, thresholds, card template…).

Every key of the settings table is centrally managed except the station's own (``own=True``
in the table: its identity, its hardware, its update channel). Each
value is checked with the settings table; an unknown key, a station-only key, a value of the
wrong type or a card template this station does not ship is refused, kept out and reported
in ``station status`` with its key and reason. The valid values are written together, in one
atomic write of ``station.toml``, and the applied configuration version is recorded. A key
central stops publishing returns to its factory value.

A new ``card.template`` counts for sheets produced after the change (each sheet records the
template it was printed with).

Which values are valid is decided by :func:`station.core.central_config.plan_config` (central
checks what staff publish with it too).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from foundation.card_templates import template_shipped
from foundation.contract.events import ConfigApplied
from foundation.errors import InputError
from station.core.central_config import TEMPLATE_KEY, plan_config
from station.services.settings_edit import update_settings
from station.services.station import Station
from station.store import sync_state
from station.store.ledger import append_event
from station.sync.client import SyncError


@dataclass(slots=True)
class ConfigOutcome:
    version: int
    applied: dict[str, Any] = field(default_factory=dict)
    refused: list[dict[str, str]] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)


def apply_config(station: Station, items: Mapping[str, Any], version: int) -> ConfigOutcome:
    """Apply central's configuration ``version``; see the module docstring."""
    valid, refused = plan_config(items, shipped=template_shipped,
                                 current_template=station.settings[TEMPLATE_KEY])
    changed = {k: v for k, v in valid.items() if station.settings.get(k) != v}
    with station.db.read() as conn:
        before = set(json.loads(sync_state.get_state(conn, "config_central_keys") or "[]"))
    # Keys central stopped publishing go back to their factory value, not the last one sent.
    # A key still published but refused now keeps the last good value it had.
    withdrawn = sorted(before - set(items))
    from_central = sorted((before | set(valid)) & set(items))
    if changed or withdrawn:
        try:  # one atomic write of station.toml
            update_settings(station, changed, reset=withdrawn)
        except InputError as exc:
            raise SyncError(f"No se aplicó la configuración del servicio central: {exc.message}",
                            code="config-not-applied", way_out=exc.way_out) from exc
    with station.db.write() as conn:
        sync_state.set_state(conn, "config_applied_version", version)
        sync_state.set_state(conn, "config_refused", json.dumps(refused, ensure_ascii=False))
        sync_state.set_state(conn, "config_central_keys", json.dumps(from_central))
        if changed or refused or withdrawn:
            append_event(conn, ConfigApplied(version=version, changed=sorted(changed),
                                             reset=withdrawn,
                                             refused=[r["key"] for r in refused]))
    return ConfigOutcome(version, changed, refused, withdrawn)


def config_refusals(conn: Any) -> list[dict[str, str]]:
    return list(json.loads(sync_state.get_state(conn, "config_refused") or "[]"))

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

>>> plan_config({"fees.replacement_mxn": 30, "printer.queue": "X"}, shipped=lambda t: True)
({'fees.replacement_mxn': 30}, [{'key': 'printer.queue', 'reason': 'es un ajuste propio de cada estación (su equipo o su identidad); no se cambia desde el servicio central'}])
"""  # noqa: E501

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from foundation.errors import InputError
from station.core.settings import SETTINGS_BY_KEY, centrally_managed, resolve
from station.printer import template as card_templates
from station.services.settings_edit import update_settings
from station.services.station import Station
from station.store import sync_state
from station.store.ledger import append_event
from station.sync.client import SyncError

TEMPLATE_KEY = "card.template"
_TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}/v[0-9]{1,4}$")


def template_missing_message(template_id: object, current: str) -> str:
    return (f"la plantilla {template_id} no está instalada en esta estación; actualice la "
            f"estación (se sigue usando {current})")


def template_shipped(template_id: str) -> bool:
    """Whether this station's software ships card template ``template_id`` (and it loads).

    >>> template_shipped("jalisco-basica/v1"), template_shipped("jalisco-basica/v99")
    (True, False)
    """
    if not _TEMPLATE_ID.match(template_id):
        return False
    path = card_templates.TEMPLATES_DIR / template_id / "template.json"
    if not path.is_file():
        return False
    try:
        card_templates.load_template(path)
    except InputError:
        return False
    return True


def plan_config(items: Mapping[str, Any], *, shipped: Callable[[str], bool] = template_shipped,
                current_template: str = "") -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Split central's items into values to apply and refusals ``{key, reason}``."""
    valid: dict[str, Any] = {}
    refused: list[dict[str, str]] = []
    for key in sorted(items):
        value = items[key]
        if key not in SETTINGS_BY_KEY:
            refused.append({"key": key, "reason": "este ajuste no existe en esta versión de la "
                                                  "estación; actualice la estación"})
            continue
        if not centrally_managed(key):
            refused.append({"key": key, "reason": "es un ajuste propio de cada estación (su "
                                                  "equipo o su identidad); no se cambia desde "
                                                  "el servicio central"})
            continue
        try:
            checked = resolve({key: value}, source="servicio central")[key]
        except InputError as exc:
            refused.append({"key": key, "reason": exc.message})
            continue
        if key == TEMPLATE_KEY and not shipped(checked):
            refused.append({"key": key, "reason": template_missing_message(
                checked, current_template or "la actual")})
            continue
        valid[key] = checked
    return valid, refused


@dataclass(slots=True)
class ConfigOutcome:
    version: int
    applied: dict[str, Any] = field(default_factory=dict)
    refused: list[dict[str, str]] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)


def apply_config(station: Station, items: Mapping[str, Any], version: int) -> ConfigOutcome:
    """Apply central's configuration ``version``; see the module docstring."""
    valid, refused = plan_config(items, current_template=station.settings[TEMPLATE_KEY])
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
            append_event(conn, "config_applied", {"version": version,
                                                   "changed": sorted(changed),
                                                   "reset": withdrawn,
                                                   "refused": [r["key"] for r in refused]})
    return ConfigOutcome(version, changed, refused, withdrawn)


def config_refusals(conn: Any) -> list[dict[str, str]]:
    return list(json.loads(sync_state.get_state(conn, "config_refused") or "[]"))

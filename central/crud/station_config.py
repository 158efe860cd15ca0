"""Configuration central publishes to stations (``config_items``), checked before it goes out.

A value is checked with the very rules a station applies (:func:`station.core.central_config.
plan_config`, which uses the station settings table): an unknown key, a station's own key
(printer, camera, identity), a wrong type or a card template this software does not ship is
refused here, with the key and the reason, instead of being refused by every station. Every
change takes the next ``config`` change number, so stations see a new version.

Clearing a key stops publishing it: the configuration version still changes, and stations
put the key back to its factory value (``station.sync.config_apply.apply_config``).

>>> parse_value("fees.replacement_mxn", " 35 ")
35
>>> parse_value("sync.interval_s", "1,5")
1.5
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.crud.staff import record
from central.db import next_rev
from central.errors import ApiError
from central.models import ConfigItem
from foundation.card_templates import shipped_templates, template_shipped
from station.core.central_config import TEMPLATE_KEY, plan_config
from station.core.settings import SETTINGS, SETTINGS_BY_KEY, Setting

_TRUE, _FALSE = ("sí", "si", "true", "1"), ("no", "false", "0")


def managed_settings() -> list[Setting]:
    """The settings central may publish: all but each station's own (identity, hardware)."""
    return [s for s in SETTINGS if not s.own]


def _refused(key: str, reason: str) -> ApiError:
    return ApiError(422, "config-refused", f"No se publicó «{key}»: {reason}.", key=key)


def parse_value(key: str, text: str) -> Any:
    """The typed value of what staff wrote for ``key`` (422 with the key and why otherwise)."""
    setting = SETTINGS_BY_KEY.get(key)
    if setting is None:
        raise _refused(key, "ese ajuste no existe en las estaciones")
    text = text.strip()
    if setting.type is str:
        return text
    if setting.type is bool:
        if text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        raise _refused(key, f"debe ser «sí» o «no», no «{text}»")
    try:
        value = setting.type(text.replace(",", ".") if setting.type is float else text)
    except ValueError:
        kind = "un número entero (sin decimales)" if setting.type is int else "un número"
        raise _refused(key, f"debe ser {kind}, no «{text}»") from None
    if value < 0:
        raise _refused(key, f"no puede ser negativo ({text})")
    return value


def check_value(key: str, value: Any) -> Any:
    """``value`` as stations would apply it, or 422 with the station's own reason."""
    valid, refused = plan_config({key: value}, shipped=template_shipped)
    if refused:
        reason = refused[0]["reason"]
        if key == TEMPLATE_KEY and key in SETTINGS_BY_KEY and isinstance(value, str):
            reason = (f"la plantilla {value} no está en este servicio central; plantillas "
                      f"disponibles: {', '.join(shipped_templates())}")
        raise _refused(key, reason)
    if key == TEMPLATE_KEY and not valid[key]:
        raise _refused(key, "falta el identificador de la plantilla")
    return valid[key]


@dataclass(frozen=True, slots=True)
class Published:
    key: str
    value: Any
    rev: int


def published(session: Session) -> dict[str, Published]:
    """What central publishes now, by key."""
    return {i.key: Published(i.key, json.loads(i.value), i.rev)
            for i in session.scalars(select(ConfigItem).order_by(ConfigItem.key))}


def publish(session: Session, *, key: str, value: Any, staff: str,
            now: datetime) -> Published:
    """Check and publish one value (a new change number); records ``set-config``."""
    value = check_value(key, value)
    rev = next_rev(session, "config")
    text = json.dumps(value, ensure_ascii=False)
    item = session.get(ConfigItem, key, with_for_update=True)
    if item is None:
        session.add(ConfigItem(key=key, value=text, rev=rev))
    else:
        item.value, item.rev = text, rev
    record(session, staff=staff, action="set-config", target=key, reason=text[:200], now=now)
    session.flush()
    return Published(key, value, rev)


def clear(session: Session, *, key: str, staff: str, now: datetime) -> int:
    """Stop publishing ``key`` (404 if it is not published); the change number taken."""
    item = session.get(ConfigItem, key, with_for_update=True)
    if item is None:
        raise ApiError(404, "config-not-published",
                       f"«{key}» no se está publicando; no hay nada que quitar.")
    rev = next_rev(session, "config")
    session.delete(item)
    record(session, staff=staff, action="clear-config", target=key, reason=item.value[:200],
           now=now)
    session.flush()
    return rev

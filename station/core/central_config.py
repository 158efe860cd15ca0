"""Which configuration values central may set on a station: one rule for both sides.

Central checks what staff publish with it before publishing, and the station checks what it
pulls before applying (``station.sync.config_apply``), so a value central accepts is never
one a station refuses. Pure: whether a card template is shipped is asked of the caller
(:func:`foundation.card_templates.template_shipped`).

>>> plan_config({"fees.replacement_mxn": 30, "printer.queue": "X"}, shipped=lambda t: True)
({'fees.replacement_mxn': 30}, [{'key': 'printer.queue', 'reason': 'es un ajuste propio de cada estación (su equipo o su identidad); no se cambia desde el servicio central'}])
"""  # noqa: E501

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from foundation.errors import InputError
from station.core.settings import SETTINGS_BY_KEY, centrally_managed, resolve

TEMPLATE_KEY = "card.template"


def template_missing_message(template_id: object, current: str) -> str:
    return (f"la plantilla {template_id} no está instalada en esta estación; actualice la "
            f"estación (se sigue usando {current})")


def plan_config(items: Mapping[str, Any], *, shipped: Callable[[str], bool],
                current_template: str = "") -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Split central's items into values to apply and refusals ``{key, reason}``.

    ``shipped`` says whether a card template id is one this software ships.
    """
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


def central_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the central service's address, or None (checked before any
    connection is tried: a typing mistake is not a network failure).

    >>> central_url_problem("https://credenciales.example.mx") is None
    True
    >>> central_url_problem("credenciales.example.mx")[:45]
    'La dirección del servicio central «credencial'
    """
    if _CENTRAL_URL.match((url or "").strip()):
        return None
    return (f"La dirección del servicio central «{url}» no es válida: debe empezar con "
            "https:// seguido del nombre del servidor (por ejemplo, "
            "https://credenciales.sej.jalisco.gob.mx).")


_CENTRAL_URL = re.compile(r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?"
                          r"(?:/\S*)?$")
"""http(s)://, a host name or address, maybe a port and a path: no spaces."""

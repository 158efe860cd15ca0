"""Changing settings from the touchscreen: checked against the settings table, written to
``station.toml`` atomically (0600), and applied to the running station.

Only the keys a person set are written (the rest keep their defaults); comments in a
hand-written ``station.toml`` are not kept.

>>> update_settings(station, {"printer.queue": "Credenciales"})   # doctest: +SKIP
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from foundation.atomic_files import write_atomic
from foundation.errors import InputError
from station.core.settings import resolve
from station.services.station import Station, _flatten


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(str(value), ensure_ascii=False)


def to_toml(values: Mapping[str, Any]) -> str:
    """Flat ``section.name`` keys as TOML tables.

    >>> print(to_toml({"printer.queue": "Credenciales", "kiosk.idle_timeout_s": 90.0}), end="")
    [kiosk]
    idle_timeout_s = 90.0
    <BLANKLINE>
    [printer]
    queue = "Credenciales"
    """
    sections: dict[str, list[str]] = {}
    for key in sorted(values):
        section, _, name = key.partition(".")
        sections.setdefault(section, []).append(f"{name} = {_toml_value(values[key])}")
    return "\n".join(f"[{s}]\n" + "\n".join(lines) + "\n" for s, lines in sections.items())


def update_settings(station: Station, changes: Mapping[str, Any],
                    *, reset: Iterable[str] = ()) -> dict[str, Any]:
    """Store ``changes`` in the station's ``station.toml`` and apply them; return all settings.

    Keys in ``reset`` leave the file, so they are back to their factory value. Raises
    InputError (nothing written) for an unknown key or a value of the wrong type.
    """
    path = station.data_dir / "station.toml"
    current: dict[str, Any] = {}
    if path.exists():
        try:
            current = _flatten(tomllib.loads(path.read_text("utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"El archivo de ajustes {path} no se puede leer: {exc}.",
                             way_out="Corríjalo o bórrelo para volver a los valores de "
                             "fábrica.") from exc
    resolve(changes, source="ajustes de la pantalla")  # a new key must be a known one
    dropped = set(reset)
    merged = {k: v for k, v in {**current, **changes}.items() if k not in dropped}
    # Keys this release does not know (a newer one wrote them) stay in the file, unused.
    settings = resolve(merged, source="ajustes de la pantalla", ignore_unknown=True)
    write_atomic(path, to_toml(merged).encode("utf-8"), mode=0o600)
    station.settings.clear()
    station.settings.update(settings)
    return dict(settings)

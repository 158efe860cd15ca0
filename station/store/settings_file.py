"""``station.toml``: the one reader and writer of the station's settings file.

Only the keys a person (or central, or enrollment) set are written; the rest keep their
defaults. Keys this release does not know (a newer one wrote them before a rollback) are kept
in the file and ignored, so a rollback never makes a dead kiosk. Comments in a hand-written
file are not kept.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tomli_w

from foundation.atomic_files import write_atomic
from foundation.errors import InputError
from station.core.settings import resolve, unknown_keys

log = logging.getLogger(__name__)


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``section.name`` keys as TOML tables.

    >>> _nest({"printer.queue": "Credenciales", "kiosk.idle_timeout_s": 90.0})
    {'kiosk': {'idle_timeout_s': 90.0}, 'printer': {'queue': 'Credenciales'}}
    """
    doc: dict[str, Any] = {}
    for key in sorted(flat):
        section, _, name = key.partition(".")
        doc.setdefault(section, {})[name] = flat[key]
    return doc


def read_values(path: Path) -> dict[str, Any]:
    """The keys set in the file (flat), nothing resolved; {} when there is no file."""
    if not path.exists():
        return {}
    try:
        return _flatten(tomllib.loads(path.read_text("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            f"El archivo de ajustes «{path.name}» no se puede leer: {exc}.",
            way_out="Corríjalo o bórrelo para volver a los valores de fábrica.") from exc


def load_settings(path: Path) -> dict[str, Any]:
    """Every setting: the file's values over the factory defaults."""
    values = read_values(path)
    ignored = unknown_keys(values)
    if ignored:  # a typo, or a setting of a newer release after a rollback: never a dead kiosk
        log.warning("%s: ajustes desconocidos ignorados: %s", path, ", ".join(ignored))
    return resolve(values, source=str(path), ignore_unknown=True)


def change_settings(path: Path, changes: Mapping[str, Any], *, source: str,
                    reset: Iterable[str] = ()) -> dict[str, Any]:
    """Write ``changes`` into the file atomically (0600); return every setting after it.

    Keys in ``reset`` leave the file, so they are back to their factory value. Raises
    InputError (nothing written) for an unknown key or a value of the wrong type.
    """
    current = read_values(path)
    resolve(changes, source=source)  # a new key must be a known one
    dropped = set(reset)
    merged = {k: v for k, v in {**current, **changes}.items() if k not in dropped}
    settings = resolve(merged, source=source, ignore_unknown=True)
    write_atomic(path, tomli_w.dumps(_nest(merged)).encode("utf-8"), mode=0o600)
    return settings

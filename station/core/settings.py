"""The station's settings table: one list drives the config file, the settings screen and docs.

Each :class:`Setting` names its TOML key (``section.name``), type, default, the developer's
description and the Spanish label the settings screen shows. ``docs/settings.md`` is generated
from this table (``python -m station.core.settings > docs/settings.md``) and a test fails when
the two differ.

>>> SETTINGS_BY_KEY["fees.replacement_mxn"].default
28
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from station.core.errors import InputError


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    type: type
    default: Any
    doc: str
    label_es: str


SETTINGS: tuple[Setting, ...] = (
    Setting("station.id", str, "ESTACION-LOCAL",
            "Identifier of this station; central assigns it at enrollment.",
            "Identificador de la estación"),
    Setting("station.kind", str, "escuela",
            "'escuela' (prints for its own school) or 'drse' (prints for a region's schools).",
            "Tipo de estación (escuela o DRSE)"),
    Setting("printer.queue", str, "",
            "CUPS queue used when a command names no printer.",
            "Impresora de credenciales"),
    Setting("printer.cups_server", str, "",
            "CUPS server host:port; empty means the system's default CUPS.",
            "Servidor de impresión (CUPS)"),
    Setting("printer.job_timeout_s", float, 300.0,
            "Seconds to follow a job before asking the operator to check the printer.",
            "Tiempo máximo de espera por planilla (segundos)"),
    Setting("folios.local_block_size", int, 10000,
            "Size of the local folio block a station without central creates for itself.",
            "Tamaño del bloque local de folios"),
    Setting("card.template", str, "jalisco-basica/v1",
            "Card template id (versioned; central publishes new versions).",
            "Plantilla de credencial"),
    Setting("sheet.layout", str, "letter-8up",
            "Sheet layout id: paper size and the 8 card positions of the Teslin stock.",
            "Formato de planilla"),
    Setting("fees.replacement_mxn", int, 28,
            "State fee for a replacement card (seed 004, normativo 9), in pesos.",
            "Costo de reposición (MXN)"),
    Setting("routing.primaria_min_students", int, 475,
            "Primarias with fewer students print at their DRSE (normativo 2).",
            "Matrícula mínima de primaria para imprimir en la escuela"),
    Setting("routing.secundaria_min_students", int, 222,
            "Secundarias with fewer students print at their DRSE (normativo 2).",
            "Matrícula mínima de secundaria para imprimir en la escuela"),
)

SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


def resolve(values: Mapping[str, Any], *, source: str) -> dict[str, Any]:
    """Defaults overlaid with ``values`` (flat ``section.name`` keys), checked against the table.

    >>> resolve({"fees.replacement_mxn": 30}, source="x")["fees.replacement_mxn"]
    30
    """
    out = {s.key: s.default for s in SETTINGS}
    for key, value in values.items():
        setting = SETTINGS_BY_KEY.get(key)
        if setting is None:
            raise InputError(f"{source}: el ajuste '{key}' no existe.",
                             way_out="Revise la lista de ajustes en docs/settings.md.")
        if setting.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, setting.type) or isinstance(value, bool) != (setting.type is bool):
            raise InputError(
                f"{source}: el ajuste '{key}' debe ser {_type_es(setting.type)}, "
                f"no {value!r}.")
        out[key] = value
    if out["station.kind"] not in ("escuela", "drse"):
        raise InputError(f"{source}: 'station.kind' debe ser 'escuela' o 'drse'.")
    return out


def _type_es(t: type) -> str:
    return {str: "un texto", int: "un número entero", float: "un número", bool: "sí/no"}[t]


def markdown() -> str:
    """The settings reference for docs/settings.md."""
    lines = [
        "# Station settings",
        "",
        "Generated from `station/core/settings.py` (`python -m station.core.settings`).",
        "Set them in `station.toml` inside the station's data folder, e.g.:",
        "",
        "```toml",
        "[printer]",
        'queue = "Credenciales"',
        "```",
        "",
        "| key | type | default | meaning | label on screen |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        lines.append(
            f"| `{s.key}` | {s.type.__name__} | `{s.default!r}` | {s.doc} | {s.label_es} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")

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

from foundation.errors import InputError
from station.core.privacy import MIN_RETENTION_DAYS


@dataclass(frozen=True, slots=True)
class Setting:
    """One row of the table. ``own=True``: the station's own (identity, hardware, its
    fleet channel); central's published configuration never changes it."""

    key: str
    type: type
    default: Any
    doc: str
    label_es: str
    own: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("station.id", str, "ESTACION-LOCAL",
            "Identifier of this station; central assigns it at enrollment.",
            "Identificador de la estación", own=True),
    Setting("station.kind", str, "escuela",
            "'escuela' (prints for its own school) or 'drse' (prints for a region's schools).",
            "Tipo de estación (escuela o DRSE)", own=True),
    Setting("printer.queue", str, "",
            "CUPS queue used when a command names no printer.",
            "Impresora de credenciales", own=True),
    Setting("printer.cups_server", str, "",
            "CUPS server host:port; empty means the system's default CUPS.",
            "Servidor de impresión (CUPS)", own=True),
    Setting("printer.job_timeout_s", float, 300.0,
            "Seconds to follow a job before asking the operator to check the printer.",
            "Tiempo máximo de espera por planilla (segundos)", own=True),
    Setting("folios.local_block_size", int, 10000,
            "Size of the local folio block a station without central creates for itself.",
            "Tamaño del bloque local de folios", own=True),
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
    Setting("station.school_cct", str, "",
            "For an 'escuela' station: the CCT of the school it serves.",
            "CCT de la escuela de esta estación", own=True),
    Setting("station.drse", str, "",
            "For a 'drse' station: the regional office (DRSE) it serves.",
            "DRSE de esta estación", own=True),
    Setting("cycle.current", str, "2026-2027",
            "Current school cycle (ciclo escolar); holograms are per cycle.",
            "Ciclo escolar vigente"),
    Setting("requests.unattended_days", int, 10,
            "A card request older than this many days without a card is reported (normativo 4).",
            "Días para considerar desatendida una solicitud"),
    Setting("privacy.retention_days", int, 365,
            "Days after a student left (BAJA) or no longer appears in their school's roster of "
            "the current cycle (finished) before the nightly purge erases their names, CURP, "
            "photo and notes (folios, dates and card states stay). One year covers the rest "
            "of the cycle and a student who returns the next one; at least 30. See "
            "docs/privacy-station.md.",
            "Días de conservación de datos de alumnos que se fueron"),
    Setting("supplies.low_teslin_sheets", int, 25,
            "Warn when fewer Teslin sheets than this remain.",
            "Aviso de pocas hojas Teslin"),
    Setting("supplies.low_pouches", int, 100,
            "Warn when fewer laminating pouches (micas) than this remain.",
            "Aviso de pocas micas"),
    Setting("supplies.low_holograms", int, 100,
            "Warn when fewer holograms than this remain.",
            "Aviso de pocos hologramas"),
    Setting("supplies.low_ink_percent", int, 15,
            "Warn when a cartridge reports less ink than this percentage.",
            "Aviso de tinta baja (%)"),
    Setting("sync.central_url", str, "",
            "Base URL of the central service; empty means the station works standalone.",
            "Dirección del servicio central", own=True),
    Setting("sync.interval_s", float, 300.0,
            "Seconds between syncs when 'station sync --watch' or the kiosk keeps syncing.",
            "Intervalo de sincronización (segundos)"),
    Setting("sync.batch_size", int, 500,
            "Ledger events uploaded per request.",
            "Eventos por envío"),
    Setting("folios.request_when_below", int, 400,
            "Ask central for a new folio block when fewer unused folios remain.",
            "Pedir folios cuando queden menos de"),
    Setting("camera.device", str, "auto",
            "Camera to use: 'auto', a V4L2 index or path (/dev/video0), 'picamera2', or a "
            "video file (tests, demo).",
            "Cámara", own=True),
    Setting("camera.width", int, 1280,
            "Capture width in pixels.",
            "Ancho de captura (px)", own=True),
    Setting("camera.height", int, 720,
            "Capture height in pixels.",
            "Alto de captura (px)", own=True),
    Setting("camera.auto_capture_s", float, 1.0,
            "Seconds every photo check must hold before the photo is taken by itself.",
            "Segundos para la foto automática"),
    Setting("kiosk.idle_timeout_s", float, 120.0,
            "Seconds without a touch before the kiosk signs out and returns home.",
            "Cierre de sesión por inactividad (segundos)"),
    Setting("kiosk.pin_max_attempts", int, 5,
            "Wrong PINs in a row before the user is locked out.",
            "Intentos de PIN antes de bloquear"),
    Setting("kiosk.lockout_s", float, 300.0,
            "Seconds a user stays locked out after too many wrong PINs.",
            "Bloqueo tras PIN incorrecto (segundos)"),
    Setting("kiosk.screen_inches", float, 7.0,
            "Diagonal of the touchscreen in inches; touch targets (9 mm) and text are sized "
            "from it. Left at 7.0, the usual panel for the resolution is assumed (800x480: 7, "
            "1280x800: 10.1), else the density the display reports. The environment variable "
            "STATION_SCREEN_INCHES overrides it.",
            "Tamaño de la pantalla táctil (pulgadas, diagonal)", own=True),
    Setting("update.channel", str, "stable",
            "Release channel this station follows ('stable'; a pilot station may follow "
            "'piloto'). See docs/fleet.md.",
            "Canal de actualizaciones", own=True),
    Setting("update.window", str, "22:00-05:00",
            "Maintenance window (local time, HH:MM-HH:MM, may wrap past midnight) in which a "
            "new release may be installed; empty means any time.",
            "Horario para instalar actualizaciones"),
    Setting("update.health_timeout_s", float, 120.0,
            "Seconds the new release has to confirm the kiosk and sync started fine before "
            "the station switches back to the previous release.",
            "Tiempo para confirmar una actualización (segundos)"),
)

SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


def resolve(values: Mapping[str, Any], *, source: str,
            ignore_unknown: bool = False) -> dict[str, Any]:
    """Defaults overlaid with ``values`` (flat ``section.name`` keys), checked against the table.

    ``ignore_unknown`` skips keys the table does not have (see :func:`unknown_keys`): a
    ``station.toml`` written by a newer release must not stop an older one after a rollback.

    >>> resolve({"fees.replacement_mxn": 30}, source="x")["fees.replacement_mxn"]
    30
    >>> resolve({"ajuste.futuro": 1}, source="x", ignore_unknown=True)["fees.replacement_mxn"]
    28
    """
    out = {s.key: s.default for s in SETTINGS}
    for key, value in values.items():
        setting = SETTINGS_BY_KEY.get(key)
        if setting is None and ignore_unknown:
            continue
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
    if out["privacy.retention_days"] < MIN_RETENTION_DAYS:
        # Shorter would erase a student whose BAJA is corrected days later (issue 18).
        raise InputError(f"{source}: los «Días de conservación de datos de alumnos que se "
                         f"fueron» deben ser al menos {MIN_RETENTION_DAYS}, no "
                         f"{out['privacy.retention_days']}.")
    return out


def centrally_managed(key: str) -> bool:
    """Whether central's published configuration may set ``key`` on a station.

    >>> centrally_managed("fees.replacement_mxn"), centrally_managed("printer.queue")
    (True, False)
    """
    setting = SETTINGS_BY_KEY.get(key)
    return setting is not None and not setting.own


def unknown_keys(values: Mapping[str, Any]) -> list[str]:
    """Keys of ``values`` the table does not have (a typo, or a newer release's setting).

    >>> unknown_keys({"fees.replacement_mxn": 1, "fees.reposicion": 2})
    ['fees.reposicion']
    """
    return sorted(k for k in values if k not in SETTINGS_BY_KEY)


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
        "| key | type | default | meaning | label on screen | set by |",
        "|---|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        who = "this station" if s.own else "central or this station"
        lines.append(f"| `{s.key}` | {s.type.__name__} | `{s.default!r}` | {s.doc} "
                     f"| {s.label_es} | {who} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")

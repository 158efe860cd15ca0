"""What the sync screen says, as plain data (no Kivy): each line an icon, a tone, a label and
a value, so colour is never alone and the words are testable in milliseconds.

>>> software_lines({"installed": "1.2.0", "offer": None, "last": None, "refused": {},
...                 "window": "02:00-05:00"})[0].value
'1.2.0'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from station.core.settings import SETTINGS_BY_KEY
from station.ui.i18n import _

if TYPE_CHECKING:
    from station.sync.status import SyncStatus

WITHDRAWN_BANNER = _("Esta estación fue dada de baja: solo se envían los registros pendientes")


@dataclass(frozen=True, slots=True)
class Line:
    """One fact: ``tone`` is ok, warn, bad, info or neutral (colour plus ``icon`` and words)."""

    kid: str
    icon: str
    tone: str
    label: str
    value: str


def report_lines(status: SyncStatus) -> list[Line]:
    """Problem reports waiting, sent and refused (each refused one with central's reason)."""
    out = [Line("reports_waiting", "clock" if status.reports_waiting else "check",
                "warn" if status.reports_waiting else "ok",
                _("Reportes de problemas por enviar"), str(status.reports_waiting)),
           Line("reports_sent", "check", "ok", _("Reportes de problemas enviados"),
                str(status.reports_sent))]
    for i, refused in enumerate(status.reports_refused):
        out.append(Line(f"report_refused_{i}", "bad_circle", "bad",
                        _("Reporte rechazado: {name}").format(name=refused["report"]),
                        _("{reason}. Entréguelo a la DRSE en una memoria USB.").format(
                            reason=refused["reason"] or _("sin motivo"))))
    return out


def setting_name(key: str) -> str:
    """A setting as the settings screen names it (issue 16: keys are not for the kiosk).

    >>> setting_name("camera.device"), setting_name("a.b")
    ('Cámara', 'uno que esta versión no conoce')
    """
    setting = SETTINGS_BY_KEY.get(key)
    return setting.label_es if setting is not None else _("uno que esta versión no conoce")


def config_lines(status: SyncStatus) -> list[Line]:
    """Central's settings kept out (by their Spanish name, never the key) and why; the
    version applied."""
    out = [Line(f"config_refused_{i}", "warning", "warn",
                _("Ajuste no aplicado: {name}").format(name=setting_name(r["key"])), r["reason"])
           for i, r in enumerate(status.config_refused)]
    if status.config_applied_version:
        out.append(Line("config_version", "check", "ok", _("Configuración central aplicada"),
                        _("versión {n}").format(n=status.config_applied_version)))
    return out


_RESULT_WORDS = {
    "installed": (_("Instalada"), "ok", "check"),
    "failed": (_("Falló"), "bad", "bad_circle"),
    "rolled_back": (_("No arrancó bien: se regresó a la anterior"), "bad", "back"),
    "refused": (_("Rechazada"), "bad", "cross"),
    "deferred": (_("En espera"), "warn", "clock"),
    "offered": (_("Disponible"), "info", "info"),
    "downloaded": (_("Descargada, lista para instalar"), "info", "info"),
    "up-to-date": (_("Al día"), "ok", "check"),
    "offline": (_("Sin conexión con el servicio central"), "warn", "warning"),
}


def software_lines(info: dict[str, Any]) -> list[Line]:
    """The "Software" block from ``station update status`` (engine.update_status): version in
    use, the update offered and why it waits, the last result with its reason.

    >>> lines = software_lines({"installed": "1.2.0", "offer": {"version": "1.3.0"},
    ...     "last": {"result": "deferred", "version": "1.3.0", "reason": "se está imprimiendo"},
    ...     "refused": {}, "window": "02:00-05:00"})
    >>> [line.value for line in lines][1:]
    ['1.3.0: en espera (se está imprimiendo)']
    """
    installed = str(info.get("installed") or "—")
    out = [Line("software_installed", "check", "neutral", _("Versión en uso"), installed)]
    last = info.get("last") or {}
    refused = info.get("refused") or {}
    offer = (info.get("offer") or {}).get("version")
    if offer and offer != installed and offer not in refused:
        if last.get("result") == "deferred" and last.get("version") == offer:
            value = _("{v}: en espera ({why})").format(v=offer, why=last.get("reason") or "")
        else:
            window = info.get("window") or _("cualquier hora")
            value = _("{v}: se instalará en el horario de mantenimiento ({window})").format(
                v=offer, window=window)
        out.append(Line("software_offer", "clock", "warn", _("Actualización ofrecida"),
                        value))
    if last and last.get("result") not in (None, "deferred", "offered", "downloaded"):
        word, tone, icon = _RESULT_WORDS.get(str(last["result"]),
                                             (str(last["result"]), "neutral", "info"))
        value = word + (f" {last['version']}" if last.get("version") else "")
        if last.get("reason"):
            value += f": {last['reason']}"
        out.append(Line("software_last", icon, tone, _("Último resultado"), value))
    for i, (version, reason) in enumerate(sorted(refused.items())[-2:]):
        if last.get("version") == version and last.get("result") != "deferred":
            continue  # already the last result
        out.append(Line(f"software_refused_{i}", "cross", "bad",
                        _("Versión {v} no instalada").format(v=version), reason))
    return out


def other_notices(status: SyncStatus) -> list[str]:
    """Notices not already said by the banner, the refused settings or the refused reports
    (``SyncStatus.notices`` repeats those for the CLI)."""
    said = {r["reason"] for r in status.config_refused}
    marks = [f"el ajuste {r['key']} " for r in status.config_refused] + \
        [f"el reporte {r['report']} " for r in status.reports_refused]
    return [n for n in status.notices if n not in said
            and not (status.withdrawn and "dada de baja" in n)
            and not any(n.startswith(m) for m in marks)]

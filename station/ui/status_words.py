"""The words, colours and icons for a student's status: the same everywhere on screen.

Colour is never alone: each status has a word and an icon too.
"""

from __future__ import annotations

from station.services.lookup import RosterEntry
from station.ui.i18n import _

FILTER_LABELS = {
    "all": _("Todos"),
    "pending": _("Pendientes"),
    "issued": _("Con credencial"),
    "no_photo": _("Sin foto"),
    "declined": _("No la desean"),
    "hologram_missing": _("Sin holograma"),
}

Badge = tuple[str, str, str]
"""(word, tone, icon) for :class:`station.ui.widgets.Badge`."""


def entry_badge(entry: RosterEntry) -> Badge:
    if entry.issued:
        return (_("Con credencial"), "ok", "check")
    if not entry.has_photo:
        return (_("Sin foto"), "bad", "camera")
    return (_("Pendiente"), "warn", "clock")


def student_line(entry: RosterEntry) -> str:
    """Grade and group, new student, and the folio when there is a card."""
    parts = [_("{grado}° {grupo}").format(grado=entry.grado, grupo=entry.grupo)]
    if entry.nuevo_ingreso:
        parts.append(_("nuevo ingreso"))
    if entry.folio is not None:
        parts.append(_("folio {folio:07d}").format(folio=entry.folio))
    return " · ".join(parts)


CARD_STATUS = {
    "active": (_("Vigente"), "ok", "check"),
    "spoiled": (_("Hoja dañada"), "bad", "cross"),
    "revoked": (_("Dada de baja"), "bad", "cross"),
}

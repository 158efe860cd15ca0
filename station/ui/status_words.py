"""The words, colours and icons for a student's status: the same everywhere on screen.

Colour is never alone: each status has a word and an icon too.
"""

from __future__ import annotations

from station.core.cycles import Need, need_words
from station.services.lookup import RosterEntry
from station.ui.i18n import _, ngettext

FILTER_LABELS = {
    "all": _("Todos"),
    "pending": _("Pendientes"),
    "issued": _("Con credencial"),
    "no_photo": _("Sin foto"),
    "declined": _("No la desean"),
    "hologram_missing": _("Sin holograma"),
}

_SMALL_WORDS = frozenset({"de", "del", "la", "las", "los", "el", "y", "e", "en", "a"})


def nice_name(upper: str) -> str:
    """A name from SCEJAL (upper case) as a title, with Spanish short words in lower case.

    >>> nice_name('ESCUELA PRIMARIA DE LA COMUNIDAD "JOSÉ MARÍA"')
    'Escuela Primaria de la Comunidad "José María"'
    """
    words = upper.lower().split()
    out = [w if (i and w in _SMALL_WORDS) else w[:1].upper() + w[1:] if not w.startswith('"')
           else '"' + w[1:2].upper() + w[2:] for i, w in enumerate(words)]
    return " ".join(out)


Badge = tuple[str, str, str]
"""(word, tone, icon) for :class:`station.ui.widgets.Badge`."""


MOVED_BADGE: Badge = (_("Cambió de escuela"), "warn", "school")
"""A student whose only card is of the school they left: needs one of the new school."""


def entry_badge(entry: RosterEntry) -> Badge:
    """The roster chip (a student whose card is of the former school says so).

    >>> from station.services.lookup import RosterEntry
    >>> from station.core.cycles import Need
    >>> entry = RosterEntry("X", "N", 1, "A", False, True, None, Need.CARD)
    >>> moved = RosterEntry("X", "N", 1, "A", False, True, None, Need.CARD, True)
    >>> entry_badge(moved)[0], entry_badge(entry)[0]
    ('Cambió de escuela', 'Pendiente')
    """
    if entry.card_other_school and entry.need is Need.CARD:
        return MOVED_BADGE
    if entry.need is Need.DECLINED:
        return (_("No la desea"), "neutral", "cross")
    if entry.need is Need.RECEIPT:
        return (_("Extraviada"), "bad", "warning")
    if entry.need is Need.HOLOGRAM:
        return (_("Falta holograma"), "warn", "hologram")
    if entry.issued:
        return (_("Completa") if entry.need is Need.COMPLETE else _("Con credencial"), "ok",
                "check")
    if not entry.has_photo:
        return (_("Sin foto"), "bad", "camera")
    return (_("Pendiente"), "warn", "clock")


def student_line(entry: RosterEntry) -> str:
    """Grade and group, new student, the folio when there is a card, and the shared words
    for a student who changed school (:func:`station.core.cycles.need_words`)."""
    parts = [_("{grado}° {grupo}").format(grado=entry.grado, grupo=entry.grupo)]
    if entry.nuevo_ingreso:
        parts.append(_("nuevo ingreso"))
    if entry.card_other_school and entry.need is Need.CARD:
        parts.append(need_words(Need.CARD, card_other_school=True))
    if entry.folio is not None:
        parts.append(_("folio {folio:07d}").format(folio=entry.folio))
    return " · ".join(parts)


CARD_STATUS = {
    "active": (_("Vigente"), "ok", "check"),
    "spoiled": (_("Hoja dañada"), "bad", "cross"),
    "revoked": (_("Dada de baja"), "bad", "cross"),
}


def idle_words(seconds: float | None) -> str:
    """Why home shows up signed out after inactivity (issue 16), or "".

    >>> idle_words(300.0)
    'Se cerró la sesión porque nadie usó la pantalla en 5 minutos.'
    >>> idle_words(1.0), idle_words(None)
    ('Se cerró la sesión porque nadie usó la pantalla en 1 segundo.', '')
    """
    if seconds is None:
        return ""
    if seconds >= 60:
        n = round(seconds / 60)
        return ngettext("Se cerró la sesión porque nadie usó la pantalla en {n} minuto.",
                        "Se cerró la sesión porque nadie usó la pantalla en {n} minutos.",
                        n).format(n=n)
    n = max(1, round(seconds))
    return ngettext("Se cerró la sesión porque nadie usó la pantalla en {n} segundo.",
                    "Se cerró la sesión porque nadie usó la pantalla en {n} segundos.",
                    n).format(n=n)


def stock_words(stock: int) -> str:
    """A stock count for the screen: a negative one (more used than recorded as received)
    is never shown as-is (issue 16).

    >>> stock_words(12), stock_words(-3)
    ('12', '0 (faltan 3 por registrar)')
    """
    if stock >= 0:
        return str(stock)
    return _("0 (faltan {n} por registrar)").format(n=-stock)

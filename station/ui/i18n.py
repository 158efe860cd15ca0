"""Translations of the kiosk's texts (GNU gettext, domain ``station-kiosk``).

The source texts (msgids) are Spanish, the station's language; ``locale/es_MX`` holds the
catalog the kiosk loads (see ``locale/update.sh`` to refresh it after changing texts).

>>> _("Volver al inicio")
'Volver al inicio'
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "station-kiosk"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGE = "es_MX"

_translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[LANGUAGE], fallback=True)


def _(text: str) -> str:
    """The text in the kiosk's language."""
    return _translation.gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Singular or plural form for ``n``.

    >>> ngettext("{n} hoja", "{n} hojas", 2).format(n=2)
    '2 hojas'
    """
    return _translation.ngettext(singular, plural, n)


def catalog_loaded() -> bool:
    """True when the compiled catalog was found (not the untranslated fallback)."""
    return isinstance(_translation, gettext.GNUTranslations)

"""The kiosk's texts go through gettext, and the compiled es_MX catalog has every one of them."""

from __future__ import annotations

import ast
import gettext
import shutil
import subprocess
from pathlib import Path

from conftest import require_part

from station.ui import i18n

UI = Path(i18n.__file__).resolve().parent
MESSAGES = i18n.LOCALE_DIR / "es_MX" / "LC_MESSAGES"


def _calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in ("_", "ngettext"):
                found.append((path.name, node.lineno, node))
    return found


def _catalog(mo: Path) -> dict[object, str]:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


def test_every_text_is_a_plain_literal() -> None:
    calls = _calls()
    assert len(calls) > 250
    bad = [f"{name}:{line}" for name, line, call in calls
           if not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                      for a in call.args[:2 if call.func.id == "ngettext" else 1])]
    assert bad == [], "gettext needs literal texts (format them after translating)"


def test_catalog_has_every_text() -> None:
    assert i18n.catalog_loaded()
    catalog = _catalog(MESSAGES / "station-kiosk.mo")
    missing = []
    for name, line, call in _calls():
        if call.func.id == "_":
            key: object = call.args[0].value  # type: ignore[attr-defined]
        else:
            key = (call.args[0].value, 0)  # type: ignore[attr-defined]
        if not catalog.get(key):
            missing.append(f"{name}:{line}")
    assert missing == [], "run: bash station/ui/locale/update.sh"


def test_compiled_catalog_matches_the_po(tmp_path: Path) -> None:
    require_part(shutil.which("msgfmt") is not None, "GNU gettext (msgfmt)")
    fresh = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(MESSAGES / "station-kiosk.po")],
                   check=True, capture_output=True)
    assert _catalog(fresh) == _catalog(MESSAGES / "station-kiosk.mo")


def test_plural_forms() -> None:
    assert i18n.ngettext("{n} hoja", "{n} hojas", 1).format(n=1) == "1 hoja"
    assert i18n.ngettext("{n} hoja", "{n} hojas", 0).format(n=0) == "0 hojas"

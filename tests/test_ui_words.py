"""Every text a kiosk user can read speaks to a school secretary (issue 16).

The texts come from two places: the kiosk's gettext catalog, and the messages the services,
rules, camera, printer and sync code write (errors and reasons the kiosk shows as they are).
None may name a terminal command, a file or device path, a setting key or an HTTP status, and
plurals go through ``ngettext`` instead of "alumno(s)". The terminal side of a way out travels
apart, in ``DomainError(command=…)`` (or ``Finding(command=…)``, or a function named
``*_command``), which only the command line prints; those texts are left out here on purpose.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.core.settings import SETTINGS
from station.ui import i18n

ROOT = Path(__file__).resolve().parent.parent
MO = i18n.LOCALE_DIR / "es_MX" / "LC_MESSAGES" / "station-kiosk.mo"

LEFT_OUT = {
    # station.toml's own checks: the reader is whoever edits that file, never the kiosk.
    "station/core/settings.py",
    # Reasons of the roster import (core/roster.py), which only the command line runs.
    "station/core/eligibility.py::other_cycle_reason",
    "station/core/eligibility.py::private_school_reason",
}
TERMINAL_ONLY = {"command"}  # keyword arguments only the command line prints

_sections = sorted({s.key.split(".")[0] for s in SETTINGS})
BAD = {
    "a terminal command": re.compile(
        r"\bstation [a-z][a-z-]+|\bcups(?:enable|accept|disable|reject)\b|\blpadmin\b"
        r"|\bapt(?:-get)? install\b|\braspi-config\b|\bsudo\b|--[a-z]"),
    "a device node or path": re.compile(
        r"/dev/|(?<![\w.<>:/])/(?:[\w.-]+/)+|\b[\w-]+\.(?:toml|txt|md|json|sh|py|log)\b"
        r"|\{(?:[\w.]*\.)?(?:path|folder|directory|config_file|\w+_path|\w+_dir)\}"),
    "a setting key": re.compile(r"\b(?:" + "|".join(_sections) + r")\.[a-z_]+\b"),
    "an HTTP status": re.compile(r"\(\d{3}\)|\(\{[^}]*(?:status_code|\bstatus)\}\)|\bHTTP\b"),
    "a plural in parentheses": re.compile(r"\w\((?:s|es)\)"),
    "office jargon or English": re.compile(
        r"\bnormativos? \d|\bauditoría|\bSoftware\b|\bXLSX\b|«reports»|\bEventos por enviar"),
}


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _offences(text: str) -> list[str]:
    """What ``text`` names that a secretary should not read (placeholders count only when
    they hold a path: ``{card.folio}`` is a number, not a setting key)."""
    words = _PLACEHOLDER.sub("…", text)
    return [what for what, pattern in BAD.items()
            if pattern.search(words) or (what == "a device node or path" and pattern.search(text))]


def catalog_texts() -> list[str]:
    with MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return sorted({text for key, text in catalog.items() if key and text})


def _joined(node: ast.JoinedStr) -> str:
    """An f-string with each placeholder written as ``{expression}``."""
    return "".join(v.value if isinstance(v, ast.Constant) else
                   "{" + ast.unparse(v.value) + "}"  # type: ignore[attr-defined]
                   for v in node.values)


def _is_log_call(node: ast.Call) -> bool:
    func = node.func
    return (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            and func.value.id in ("log", "logger", "_log", "LOG", "logging"))


def code_texts(path: Path) -> Iterator[tuple[int, str]]:
    """Message-like strings of a module: not docstrings, not log lines, not terminal-only."""
    tree = ast.parse(path.read_text("utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # docstrings and bare comments-as-strings
        elif isinstance(node, ast.Call) and _is_log_call(node):
            skip.update(id(n) for n in ast.walk(node))
        elif isinstance(node, ast.keyword) and node.arg in TERMINAL_ONLY:
            skip.update(id(n) for n in ast.walk(node.value))
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(n) for n in node.values)
        elif isinstance(node, ast.FunctionDef) and (
                node.name == "__repr__" or node.name.endswith("_command")
                or f"{path.relative_to(ROOT).as_posix()}::{node.name}" in LEFT_OUT):
            skip.update(id(n) for n in ast.walk(node))  # for developers / the terminal only
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            text = _joined(node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if " " in text.strip():  # a sentence, not a key or a format
            yield node.lineno, text


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _modules() -> list[Path]:
    """The station and foundation modules the kiosk imports, directly or through others: the
    code whose messages can reach a screen (a command-line-only service is left out)."""
    seen: set[Path] = set()
    todo = sorted((ROOT / "station" / "ui").rglob("*.py"))
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                found = _module_file(name) if name.split(".")[0] in ("station",
                                                                      "foundation") else None
                if found is not None and found not in seen:
                    todo.append(found)
    return sorted(p for p in seen if "station/ui" not in p.relative_to(ROOT).as_posix()
                  and p.relative_to(ROOT).as_posix() not in LEFT_OUT)


def test_catalog_speaks_to_the_secretary() -> None:
    texts = catalog_texts()
    assert len(texts) > 300
    bad = [f"{what}: {text!r}" for text in texts for what in _offences(text)]
    assert bad == []


def test_service_messages_speak_to_the_secretary() -> None:
    modules = _modules()
    assert len(modules) > 80
    bad = [f"{p.relative_to(ROOT)}:{line}: {what}: {text[:90]!r}"
           for p in modules for line, text in code_texts(p) for what in _offences(text)]
    assert bad == []


@pytest.mark.parametrize(("text", "what"), [
    ("Ejecute 'station camera test' para ver qué pasa.", "a terminal command"),
    ("luego reanude (o con: cupsenable Oficina && cupsaccept Oficina)", "a terminal command"),
    ("La cámara /dev/video9 no existe.", "a device node or path"),
    ("Está en /var/lib/credenciales/reports/x.zip", "a device node or path"),
    ("revise el ajuste camera.device", "a setting key"),
    ("El servicio central respondió con un error (413).", "an HTTP status"),
    ("1 alumno(s) no tienen foto", "a plural in parentheses"),
    ("1 bien, 1 dañada(s)", "a plural in parentheses"),
    ("Avance del ciclo; PDF o XLSX", "office jargon or English"),
    ("imprime en su DRSE (normativo 2).", "office jargon or English"),
])
def test_the_check_catches_each_kind(text: str, what: str) -> None:
    assert what in _offences(text)


@pytest.mark.parametrize("text", [
    "Revise la impresora en Ajustes > Impresora.", "Avance del ciclo en PDF o en hoja de cálculo",
    "Hoja 1 de 2 (8 credenciales)", "https://credenciales.sej.jalisco.gob.mx",
])
def test_the_check_lets_plain_words_pass(text: str) -> None:
    assert _offences(text) == []


def test_the_command_line_keeps_the_command() -> None:
    """The kiosk reads ``user_message()``; the command line also prints ``command``."""
    from click.testing import CliRunner

    from foundation.errors import RuleViolation
    from station.cli_common import friendly_errors

    error = RuleViolation("El holograma H9 no se recibió.", way_out="Registre el rollo.",
                          command="station hologram receive --first H… --last H…")
    assert _offences(error.user_message()) == []

    import click

    @click.command()
    @friendly_errors
    def fails() -> None:
        raise error

    result = CliRunner().invoke(fails, [])
    assert result.exit_code != 0
    assert "Registre el rollo." in result.output
    assert "station hologram receive --first H" in result.output

"""The examples in the docstrings run: a docstring that lies fails here.

Every module of ``foundation``, ``station``, ``central`` and ``conalep`` except Alembic's
migration scripts (they run inside Alembic), ``conalep.__main__`` (importing it runs the
command) and the kiosk modules that import Kivy, directly or through another station module,
when imported (importing Kivy's window starts a window system). The kiosk's pure modules (the
state machine, its words) run like any other.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import importlib.util
import pkgutil
from functools import cache

import pytest

import central
import conalep
import foundation
import station

SKIPPED = ("central.migrations", "conalep.migrations", "conalep.__main__")


def _module_imports(name: str) -> list[str]:
    """What a module imports when it is imported (not inside functions, not TYPE_CHECKING)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return []
    with open(spec.origin, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    found: list[str] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            pending += [*node.body, *node.orelse]
        elif isinstance(node, ast.Try):
            pending += [*node.body, *node.orelse, *node.finalbody]
    return found


@cache
def _pulls_kivy(name: str) -> bool:
    """Whether importing ``name`` imports Kivy, following station's own modules."""
    for imported in _module_imports(name):
        if imported.split(".")[0] == "kivy":
            return True
        if imported.startswith("station.") and _pulls_kivy(imported):
            return True
    return False


def _modules() -> list[str]:
    """Modules with at least one example (the others have nothing to check)."""
    finder, names = doctest.DocTestFinder(), []
    for package in (station, central, foundation, conalep):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.startswith(SKIPPED) or _pulls_kivy(info.name):
                continue
            module = importlib.import_module(info.name)
            if any(test.examples for test in finder.find(module)):
                names.append(info.name)
    return sorted(names)


def test_the_kiosk_state_machine_examples_are_collected() -> None:
    assert "station.ui.machine" in _modules()
    assert _pulls_kivy("station.ui.app")


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, report=True, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"

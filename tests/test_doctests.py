"""The examples in the docstrings run: a docstring that lies fails here.

Every module of ``station``, ``central``, ``foundation`` and ``conalep`` except the Kivy kiosk
(``station.ui``: importing it starts a window system), Alembic's migration scripts (they run
inside Alembic) and ``conalep.__main__`` (importing it runs the command).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import central
import conalep
import foundation
import station

SKIPPED = ("station.ui", "central.migrations", "conalep.migrations", "conalep.__main__")


def _modules() -> list[str]:
    """Modules with at least one example (the others have nothing to check)."""
    finder, names = doctest.DocTestFinder(), []
    for package in (station, central, foundation, conalep):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.startswith(SKIPPED):
                continue
            module = importlib.import_module(info.name)
            if any(test.examples for test in finder.find(module)):
                names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, report=True, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"

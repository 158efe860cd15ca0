"""The station's floors: who may import whom inside ``station``, and who may run SQL.

The package-level rules (station, central, conalep, foundation) are in
``test_architecture.py``; this file states the station's own layers (docs/architecture.md):

    cli, ui  →  services  →  context  →  adapters (store, printer, camera, importers, usb)  →  core
                    ↘ sync, update (adapters that talk to central / install releases)

Every subpackage may import ``station.core`` and ``foundation``. An import under
``if TYPE_CHECKING:`` names a type for annotations only and is not an arrow.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATION = ROOT / "station"

ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "store": set(),
    "printer": set(),
    "importers": set(),
    "usb": set(),
    "camera": {"printer"},
    "context": {"store"},
    "sync": {"context", "store", "printer"},
    "update": {"store", "sync", "station"},
    "services": {"context", "store", "printer", "camera", "importers", "sync", "update",
                 "station", "usb"},
    "ui": {"services", "context", "station"},
    "cli": {"services", "context", "ui", "station"},
}
"""Arrows allowed between station's subpackages (``station`` = the package's own
``__init__``: the version). ``cli`` = the ``station/cli*.py`` modules."""

EXCEPTIONS: dict[str, set[str]] = {
    # The kiosk draws live camera frames: the camera widget owns the device, as a screen's
    # picture; the camera settings screen lists the devices it may pick; the verify screen
    # resets the widget's "camera lost" notice with the camera's own event.
    "station/ui/camera_feed.py": {"camera"},
    "station/ui/screens/camera_settings.py": {"camera"},
    "station/ui/screens/verify.py": {"camera"},
    # Command-line tools of the devices themselves: camera diagnosis, and the updater's own
    # commands (run as root, they must not open the station, so no service stands between).
    "station/cli_camera.py": {"camera"},
    "station/cli_update.py": {"update"},
}
"""Arrows past the table, each with its reason. A stale entry fails too: the list shrinks."""


def _subpackage(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "station":
        return None
    if len(parts) == 1:
        return "station"
    return "cli" if parts[1].startswith("cli") else parts[1]


def _is_type_checking(test: ast.expr) -> bool:
    return "TYPE_CHECKING" in ast.unparse(test)


def _imports(tree: ast.AST) -> list[str]:
    """Modules imported anywhere (functions too), except under ``if TYPE_CHECKING``."""
    found: list[str] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending += node.orelse
            continue
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [node.module] + [f"{node.module}.{a.name}" for a in node.names
                                      if node.module == "station"]
        pending += list(ast.iter_child_nodes(node))
    return found


def _arrows() -> dict[tuple[str, str], set[str]]:
    """(from subpackage, to subpackage) → files, for every station module."""
    arrows: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in STATION.rglob("*.py"):
        rel = path.relative_to(ROOT)
        me = _subpackage(".".join(rel.with_suffix("").parts))
        for module in _imports(ast.parse(path.read_text("utf-8"))):
            target = _subpackage(module)
            if module == "station" or module == "station.__version__":
                target = "station"
            if me and target and target != me:
                arrows[(me, target)].add(str(rel))
    return arrows


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph, or None (depth-first search with colours)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_layer_table_has_no_circle() -> None:
    assert _cycle(ALLOWED) is None


def test_every_import_follows_the_layers() -> None:
    wrong: dict[str, list[str]] = {}
    used_exceptions: set[tuple[str, str]] = set()
    for (source, target), files in sorted(_arrows().items()):
        if target in ALLOWED.get(source, set()) | {"core"}:
            continue
        for f in sorted(files):
            if target in EXCEPTIONS.get(f, set()):
                used_exceptions.add((f, target))
            else:
                wrong.setdefault(f"{source} → {target}", []).append(f)
    assert wrong == {}, "imports against the layers (see docs/architecture.md)"
    stale = {(f, t) for f, targets in EXCEPTIONS.items() for t in targets} - used_exceptions
    assert stale == set(), "exceptions no longer needed: remove them from EXCEPTIONS"


def test_no_circle_between_subpackages() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in _arrows():
        graph[source].add(target)
    assert _cycle(graph) is None


def test_only_the_store_runs_sql() -> None:
    """No module outside ``station/store`` imports sqlite3 or calls ``execute``."""
    offenders: list[str] = []
    for path in STATION.rglob("*.py"):
        if path.is_relative_to(STATION / "store"):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            imported = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) else []
            if "sqlite3" in imported:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports sqlite3")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("execute", "executemany", "executescript"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} runs SQL")
    assert offenders == []


def test_the_checks_see_a_back_arrow_and_a_circle() -> None:
    """The checks above can fail: a made-up back-arrow and circle are caught."""
    tree = ast.parse("from station.services.audit import audit_station\n"
                     "if TYPE_CHECKING:\n    from station.ui.app import KioskApp\n")
    assert _imports(tree) == ["station.services.audit"]
    assert _cycle({**ALLOWED, "store": {"services"}}) is not None

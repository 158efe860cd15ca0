"""The house's layers and who may import whom (docs/architecture.md draws the same picture).

Every module belongs to the longest package named in :data:`MAY_IMPORT`; an import from one
package to another must be an arrow of the table, so a new back-arrow (a lower layer reaching
up) or a circle fails here with the file and the line. In-function imports count: a hidden
import is still an arrow.

Adding a layer or an arrow is one line of the table. The station's middle floor (services,
sync, update, the kiosk and the CLI) is one node here for now; splitting it into its own
nodes with their arrows refines the table without touching the checks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = ("foundation", "station", "central", "conalep")

STATION_FLOOR = "station"
"""The station's middle floor: station.services, .sync, .update, .ui and the CLI modules."""

MAY_IMPORT: dict[str, set[str]] = {
    # shared by every deployable; stands on nothing of ours
    "foundation": set(),
    # the station, bottom up
    "station.core": {"foundation"},
    "station.importers": {"foundation", "station.core"},
    "station.store": {"foundation", "station.core"},
    "station.printer": {"foundation", "station.core"},
    "station.camera": {"foundation", "station.core", "station.printer"},
    STATION_FLOOR: {"foundation", "station.core", "station.importers", "station.store",
                    "station.printer", "station.camera"},
    # central takes from the station's tree only what needs no kiosk
    "central": {"foundation", "station.core", "station.importers"},
    # conalep stands on the shared package alone
    "conalep": {"foundation"},
}

FORBIDDEN = {"kivy", "cv2", "cups", "requests", "httpx", "sqlite3", "sqlalchemy", "fastapi",
             "PIL", "reportlab", "zxingcpp", "pyzbar", "urllib", "socket", "subprocess"}
STATION_HARDWARE = {"kivy", "cv2", "cups", "zxingcpp", "pyzbar", "numpy", "requests"}
FOUNDATION_EXCEPTIONS = {"foundation/qr_draw.py": {"zxingcpp"}}
"""zxing-cpp's writer makes every printed QR (issue 17): a dependency-free C++ wheel that the
station and conalep extras install; it stays out of the rest of foundation."""


def node_of(module: str) -> str | None:
    """The package of the table ``module`` belongs to (None: not ours)."""
    if module.split(".")[0] not in TOP_LEVEL:
        return None
    best = max((n for n in MAY_IMPORT if module == n or module.startswith(n + ".")),
               key=len, default=None)
    return best


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> Iterator[Path]:
    for top in TOP_LEVEL:
        if (ROOT / top).is_dir():
            yield from (p for p in (ROOT / top).rglob("*.py")
                        if "migrations" not in p.relative_to(ROOT).parts[:3])


def _imports(path: Path) -> Iterator[tuple[str, int]]:
    """(absolute module, line) of every import in ``path``, relative ones resolved."""
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            yield module, node.lineno
            # ``from foundation import curp`` imports the module foundation.curp
            yield from ((f"{module}.{a.name}", node.lineno) for a in node.names)


def _arrows() -> dict[tuple[str, str], list[str]]:
    """(from package, to package) → where, for every import crossing packages."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in _sources():
        source = node_of(_module_name(path))
        assert source is not None, path
        for module, line in _imports(path):
            target = node_of(module)
            if target is None or target == source:
                continue
            found.setdefault((source, target), []).append(
                f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


def _cycle(edges: set[tuple[str, str]]) -> list[str] | None:
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_table_itself_has_no_circle() -> None:
    assert _cycle({(a, b) for a, targets in MAY_IMPORT.items() for b in targets}) is None
    assert all(t in MAY_IMPORT for targets in MAY_IMPORT.values() for t in targets)


def test_every_import_between_packages_is_an_allowed_arrow() -> None:
    arrows = _arrows()
    assert ("central", "foundation") in arrows  # the scan sees real arrows
    back = {f"{a} → {b}": where[:3] for (a, b), where in arrows.items()
            if b not in MAY_IMPORT[a]}
    assert back == {}, "imports against the layers (see docs/architecture.md)"


def test_no_circle_between_packages() -> None:
    assert _cycle(set(_arrows())) is None


def test_a_back_arrow_is_caught(tmp_path: Path) -> None:
    """The check can fail: foundation importing the station is refused."""
    assert node_of("foundation.scrub") == "foundation"
    assert node_of("station.services.issuance") == STATION_FLOOR
    assert node_of("station.core.curp_rules") == "station.core"
    assert node_of("kivy.app") is None
    assert "station.core" not in MAY_IMPORT["foundation"]
    assert "station.store" not in MAY_IMPORT["central"]
    assert _cycle({("a", "b"), ("b", "c"), ("c", "a")}) == ["a", "b", "c", "a"]


def _third_party(path: Path) -> set[str]:
    return {m.split(".")[0] for m, _ in _imports(path)}


def test_core_imports_no_io_frameworks() -> None:
    files = list((ROOT / "station/core").rglob("*.py"))
    assert len(files) >= 5
    offenders = {str(f.relative_to(ROOT)): sorted(_third_party(f) & FORBIDDEN) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_foundation_needs_no_station_hardware() -> None:
    """A central or conalep server installs foundation without the kiosk's stack."""
    files = list((ROOT / "foundation").rglob("*.py"))
    assert len(files) >= 10
    offenders = {str(f.relative_to(ROOT)): sorted(
        _third_party(f) & STATION_HARDWARE
        - FOUNDATION_EXCEPTIONS.get(str(f.relative_to(ROOT)), set())) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}


SERVER_ADAPTERS = ("foundation.web", "foundation.sqldb", "foundation.migrations_env",
                   "foundation.server_cli", "foundation.server_settings")
"""The parts of ``foundation`` only the servers (central, conalep) use: staff web pages
(FastAPI, Jinja2, reportlab), database engines and migrations (SQLAlchemy, Alembic), settings
sources and command errors."""


def test_the_station_does_not_use_the_server_adapters() -> None:
    """The appliance installs without FastAPI or SQLAlchemy: it never imports them."""
    files = list((ROOT / "station").rglob("*.py"))
    assert len(files) >= 20
    offenders = [f"{path.relative_to(ROOT)}:{line} imports {module}"
                 for path in files for module, line in _imports(path)
                 if any(module == m or module.startswith(m + ".") for m in SERVER_ADAPTERS)]
    assert offenders == []

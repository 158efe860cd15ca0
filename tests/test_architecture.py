"""Dependencies point inward: the domain core imports no framework, hardware or storage."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"kivy", "cv2", "cups", "requests", "httpx", "sqlite3", "sqlalchemy", "fastapi",
             "PIL", "reportlab", "zxingcpp", "pyzbar", "urllib", "socket", "subprocess"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


SERVER_ADAPTERS = ("foundation/web/", "foundation/sqldb.py", "foundation/migrations_env.py",
                   "foundation/server_cli.py", "foundation/server_settings.py")
"""The parts of ``foundation`` only the servers (central, conalep) use: the staff web pages
(FastAPI, Jinja2, openpyxl, reportlab), database engines and migrations (SQLAlchemy,
Alembic), settings sources and command errors."""


def _foundation_core() -> list[Path]:
    return [f for f in (ROOT / "foundation").rglob("*.py")
            if not str(f.relative_to(ROOT)).startswith(SERVER_ADAPTERS)]


def test_core_and_foundation_import_no_io_frameworks() -> None:
    files = [*(ROOT / "station/core").rglob("*.py"), *_foundation_core()]
    assert len(files) >= 5
    offenders = {str(f.relative_to(ROOT)): sorted(_imports(f) & FORBIDDEN) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_imports_nothing_outside_core() -> None:
    for path in (ROOT / "station/core").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("station."):
                assert node.module.startswith("station.core"), f"{path}: imports {node.module}"
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                top = node.module.split(".")[0]
                assert top in {"station", "foundation"} or top not in {"central", "conalep"}, (
                    f"{path}: imports {node.module}")


def test_the_station_does_not_use_the_server_adapters() -> None:
    """The appliance installs without FastAPI or SQLAlchemy: it never imports them."""
    modules = {"foundation.web", "foundation.sqldb", "foundation.migrations_env",
               "foundation.server_cli", "foundation.server_settings"}
    files = [*(ROOT / "station").rglob("*.py"), *_foundation_core()]
    assert len(files) >= 20
    for path in files:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not any(name == m or name.startswith(m + ".") for m in modules), (
                    f"{path.relative_to(ROOT)} imports {name}")

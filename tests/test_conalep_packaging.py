"""Conalep is its own deployable: it imports only ``foundation`` (never ``station`` or
``central``), ``foundation`` imports none of the three programs, and its migrations form one
base revision that the other wings branch from."""

from __future__ import annotations

import ast
from pathlib import Path

from alembic.script import ScriptDirectory

from conalep.db import MIGRATIONS
from foundation.migrations_env import alembic_config

ROOT = Path(__file__).resolve().parents[1]


def _imported_packages(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_conalep_imports_only_the_foundation() -> None:
    imports = _imported_packages(ROOT / "conalep")
    assert len(imports) >= 10
    offenders = {f: sorted(n & {"station", "central"}) for f, n in imports.items()}
    assert {f: n for f, n in offenders.items() if n} == {}


def test_foundation_imports_no_program() -> None:
    imports = _imported_packages(ROOT / "foundation")
    assert len(imports) >= 5
    offenders = {f: sorted(n & {"station", "central", "conalep"}) for f, n in imports.items()}
    assert {f: n for f, n in offenders.items() if n} == {}


def test_every_wing_branches_from_the_academic_base() -> None:
    script = ScriptDirectory.from_config(alembic_config(MIGRATIONS, "sqlite://"))
    bases = script.get_bases()
    assert bases == ["0001_academic"]
    for head in script.get_heads():
        chain = [rev.revision for rev in script.walk_revisions("base", head)]
        assert chain[-1] == "0001_academic"


def test_the_migrations_create_exactly_the_models(tmp_path: Path) -> None:
    """Every wing's models and its Alembic revisions agree (an autogenerate finds nothing)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from conalep.db import upgrade
    from conalep.models import Base

    url = f"sqlite:///{tmp_path / 'c.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []

"""Every seed rule cited in code is findable from one index, docs/seed-rules.md."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("seed_rules", ROOT / "scripts/seed_rules.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_citations_are_parsed_with_ranges_and_lists() -> None:
    script = _script()
    assert script._numbers("1–6") == [1, 2, 3, 4, 5, 6]
    assert script._numbers("5, 6 y 8") == [5, 6, 8]
    cited = script.citations()
    assert ("técnico", 9) in cited and "station/services/issuance.py" in cited[("técnico", 9)]
    assert ("normativo", 2) in cited


def test_every_citation_names_a_real_rule() -> None:
    script = _script()
    assert script.unknown(script.citations()) == []


def test_the_index_lists_every_citation() -> None:
    script = _script()
    committed = (ROOT / "docs/seed-rules.md").read_text("utf-8")
    assert committed == script.render(script.citations()), (
        "docs/seed-rules.md is out of date: run .venv/bin/python scripts/seed_rules.py")

"""Folio allocation and the audit, as pure rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station.core.errors import FolioExhausted
from station.core.folios import CardRecord, FolioBlock, FolioUse, audit, take_folios
from station.core.sheets import plan_sheets


def _sheet(sheet_id: int, folios: list[int], issued: int, block: int = 1) -> list[FolioUse]:
    return [FolioUse(f, block, "issued" if i < issued else "cancelled", sheet_id, i)
            for i, f in enumerate(folios)]


def test_take_folios_spans_blocks_in_order() -> None:
    blocks = [FolioBlock(2, 50, 52), FolioBlock(1, 10, 11)]
    assert take_folios(blocks, {1: 1}, 3) == [(1, 11), (2, 50), (2, 51)]


def test_take_folios_refuses_when_short_and_says_how_many_left() -> None:
    with pytest.raises(FolioExhausted, match="sólo le quedan 2"):
        take_folios([FolioBlock(1, 1, 10)], {1: 8}, 8)


def test_audit_counts_every_state() -> None:
    uses = _sheet(1, list(range(1, 9)), issued=5)
    uses[0] = FolioUse(1, 1, "spoiled", 1, 0, "atasco de papel")
    cards = [CardRecord(1, "spoiled")] + [CardRecord(f, "active") for f in range(2, 6)]
    report = audit([FolioBlock(1, 1, 100)], uses, cards)
    assert report.ok, report.problems
    assert (report.issued, report.cancelled, report.spoiled, report.unused) == (4, 3, 1, 92)


def test_audit_finds_gap_duplicate_orphan_and_missing_reason() -> None:
    uses = _sheet(1, [1, 2, 3, 4, 5, 6, 7, 9], issued=8)  # folio 8 skipped
    uses.append(FolioUse(3, 1, "issued", 2, 0))  # duplicate folio 3
    uses.append(FolioUse(500, 1, "spoiled", 2, 1))  # outside the block, no reason
    cards = [CardRecord(f, "active") for f in [1, 2, 3, 4, 5, 6, 7, 9]]
    report = audit([FolioBlock(1, 1, 100)], uses, cards)
    text = "\n".join(report.problems)
    assert not report.ok
    assert "Hueco en el bloque 1: folios sin destino 8" in text
    assert "El folio 3 aparece 2 veces" in text
    assert "El folio 500 no pertenece" in text
    assert "La planilla 2 no tiene sus 8 posiciones" in text


def test_audit_cross_checks_cards_and_folios() -> None:
    uses = _sheet(1, list(range(1, 9)), issued=2)
    cards = [CardRecord(1, "active"), CardRecord(3, "active")]  # 2 has no card, 3 is a blank
    text = "\n".join(audit([FolioBlock(1, 1, 8)], uses, cards).problems)
    assert "El folio 2 está 'issued' sin credencial" in text
    assert "El folio cancelado 3 tiene una credencial" in text


def test_audit_reports_overlapping_blocks() -> None:
    report = audit([FolioBlock(1, 1, 10), FolioBlock(2, 5, 20)], [], [])
    assert any("se enciman" in p for p in report.problems)


@given(st.integers(min_value=1, max_value=200))
def test_plan_sheets_covers_every_student_once(n: int) -> None:
    sheets = plan_sheets(list(range(n)))
    assert len(sheets) == -(-n // 8)
    assert [s for sheet in sheets for s in sheet.students] == list(range(n))
    assert all(not s.cancelled_positions for s in sheets[:-1])
    assert len(sheets[-1].cancelled_positions) == (8 - n % 8) % 8


@given(st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=5),
       st.integers(min_value=0, max_value=60))
def test_allocation_never_repeats_and_audit_holds(sizes: list[int], wanted: int) -> None:
    blocks, first = [], 1
    for i, size in enumerate(sizes, start=1):
        blocks.append(FolioBlock(i, first, first + size - 1))
        first += size + 7
    total = sum(sizes)
    if wanted > total:
        with pytest.raises(FolioExhausted):
            take_folios(blocks, {}, wanted)
        return
    taken = take_folios(blocks, {}, wanted)
    assert len({f for _, f in taken}) == wanted
    uses = [FolioUse(f, b, "cancelled", 1 + i // 8, i % 8) for i, (b, f) in enumerate(taken)]
    report = audit(blocks, uses, [])
    assert report.cancelled == wanted and report.unused == total - wanted
    assert all("Hueco" not in p for p in report.problems)

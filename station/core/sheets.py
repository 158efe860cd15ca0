"""Sheets of 8 (seed 004, técnico 7): how a batch of students fills sheets.

>>> [len(s.students) for s in plan_sheets(["A"] * 10)]
[8, 2]
>>> plan_sheets(["A"] * 10)[1].cancelled_positions
(2, 3, 4, 5, 6, 7)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from foundation.credential.card import SHEET_SIZE

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PlannedSheet(Generic[T]):
    """Students at positions 0..n-1; the positions after them are cancelled blanks."""

    students: tuple[T, ...]

    @property
    def cancelled_positions(self) -> tuple[int, ...]:
        return tuple(range(len(self.students), SHEET_SIZE))


def plan_sheets(students: Sequence[T]) -> list[PlannedSheet[T]]:
    """N students → ceil(N/8) sheets; only the last one may carry cancelled blanks."""
    return [
        PlannedSheet(tuple(students[i : i + SHEET_SIZE]))
        for i in range(0, len(students), SHEET_SIZE)
    ]

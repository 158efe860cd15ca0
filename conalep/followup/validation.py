"""Form input checks shared by the follow-up wing: every problem names its field in Spanish,
and all problems of a form are reported together (nothing is written unless none remain)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from foundation.errors import InputError


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    """The form field's name as the page labels it (Spanish)."""
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class FollowupInputError(InputError):
    """Bad input to a follow-up form or command; carries every :class:`Problem` found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class Checker:
    """Collects problems while reading a form; :meth:`done` raises if any were found."""

    form: Mapping[str, str]
    problems: list[Problem] = field(default_factory=list)

    def fail(self, label: str, message: str) -> None:
        self.problems.append(Problem(label, message))

    def text(self, key: str, label: str, *, required: bool = True, limit: int = 200) -> str:
        value = " ".join(str(self.form.get(key, "") or "").split())
        if required and not value:
            self.fail(label, "es obligatorio.")
        elif len(value) > limit:
            self.fail(label, f"admite a lo más {limit} caracteres (tiene {len(value)}).")
        return value

    def long_text(self, key: str, label: str, *, required: bool = True,
                  limit: int = 2000) -> str:
        value = str(self.form.get(key, "") or "").strip().replace("\r\n", "\n")
        if required and not value:
            self.fail(label, "es obligatorio.")
        elif len(value) > limit:
            self.fail(label, f"admite a lo más {limit} caracteres (tiene {len(value)}).")
        return value

    def date(self, key: str, label: str, *, not_after: dt.date | None = None,
             not_before: dt.date | None = None) -> dt.date | None:
        raw = str(self.form.get(key, "") or "").strip()
        if not raw:
            self.fail(label, "es obligatoria (AAAA-MM-DD).")
            return None
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            self.fail(label, f"«{raw[:20]}» no es una fecha válida (AAAA-MM-DD).")
            return None
        if not_after is not None and value > not_after:
            self.fail(label, f"no puede ser posterior al {not_after.isoformat()}.")
        if not_before is not None and value < not_before:
            self.fail(label, f"no puede ser anterior al {not_before.isoformat()}.")
        return value

    def time(self, key: str, label: str) -> dt.time | None:
        raw = str(self.form.get(key, "") or "").strip()
        if not raw:
            self.fail(label, "es obligatoria (HH:MM).")
            return None
        try:
            return dt.time.fromisoformat(raw)
        except ValueError:
            self.fail(label, f"«{raw[:10]}» no es una hora válida (HH:MM).")
            return None

    def choice(self, key: str, label: str, options: Mapping[str, str]) -> str:
        value = str(self.form.get(key, "") or "").strip()
        if value not in options:
            shown = f"«{value[:30]}» no" if value else "Elija una opción; vacío no"
            self.fail(label, f"{shown} está en el catálogo.")
        return value

    def matriculas(self, key: str, label: str, *, required: bool = True) -> list[str]:
        """A list of matrículas separated by commas, spaces or new lines, without repeats."""
        raw = str(self.form.get(key, "") or "")
        out: list[str] = []
        for token in re.split(r"[\s,;]+", raw.strip()):
            if not token:
                continue
            if not MATRICULA.fullmatch(token):
                self.fail(label, f"«{token[:20]}» no es una matrícula (solo dígitos).")
            elif token in out:
                self.fail(label, f"la matrícula {token} está repetida.")
            else:
                out.append(token)
        if required and not out and not any(p.field == label for p in self.problems):
            self.fail(label, "indique al menos una matrícula.")
        return out

    def done(self) -> None:
        if self.problems:
            raise FollowupInputError(self.problems)


MATRICULA = re.compile(r"\d{6,15}")
PERIODO = re.compile(r"(\d{4})-(\d{4})-([12])")


def periodo_years(checker: Checker, key: str = "periodo") -> tuple[str, dt.date | None,
                                                                    dt.date | None]:
    """The SAE periodo (``2025-2026-1``) and the span of its school year (1 Jan of the first
    year to 31 Dec of the second): dates of a semester's activities must fall in it."""
    periodo = checker.text(key, "Periodo", limit=11)
    found = PERIODO.fullmatch(periodo) if periodo else None
    if periodo and (found is None or int(found.group(2)) != int(found.group(1)) + 1):
        checker.fail("Periodo", f"«{periodo}» no tiene la forma AAAA-AAAA-1 o AAAA-AAAA-2 "
                                "(años consecutivos).")
        return periodo, None, None
    if found is None:
        return periodo, None, None
    return (periodo, dt.date(int(found.group(1)), 1, 1),
            dt.date(int(found.group(2)), 12, 31))

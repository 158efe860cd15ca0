"""``station selftest``: may THIS version of the software run on this station's data?

Run by the updater with the NEW release's own program, before switching to it:

1. the settings file parses with this version's settings table;
2. the station key loads (permissions, format);
3. the ledger opens read-only and answers (integrity check);
4. this version's ledger migrations apply — on a COPY of the ledger made with SQLite's
   backup API (a consistent snapshot even while the kiosk writes), never on the ledger itself.

Nothing in the data folder changes; the copy lives in a temporary folder and is deleted.

>>> result = selftest(Path("/nonexistent-station"))  # doctest: +SKIP
>>> result.ok  # doctest: +SKIP
False
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foundation.errors import DomainError
from station import __version__


@dataclass(slots=True)
class SelftestResult:
    version: str = __version__
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c["ok"] for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append({"check": name, "ok": ok, "detail": detail})

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "version": self.version, "checks": self.checks}

    def describe(self) -> str:
        lines = [f"Autoprueba de la versión {self.version}: "
                 + ("todo bien." if self.ok else "FALLÓ.")]
        lines += [f"- {'bien' if c['ok'] else 'FALLA'}: {c['check']}: {c['detail']}"
                  for c in self.checks]
        return "\n".join(lines)


def _settings(data_dir: Path, result: SelftestResult) -> None:
    from station.services.station import load_settings

    try:
        load_settings(data_dir / "station.toml")
        result.add("ajustes", True, "station.toml se lee con esta versión")
    except DomainError as exc:
        result.add("ajustes", False, exc.message)


def _key(data_dir: Path, result: SelftestResult) -> None:
    from foundation.credential.keys import StationKey

    path = data_dir / "keys" / "station.key"
    if not path.exists():
        result.add("llave", True, "la estación aún no tiene llave (se crea al primer uso)")
        return
    try:
        key = StationKey.load(path)
        result.add("llave", True, f"llave {key.key_id.hex()} legible")
    except DomainError as exc:
        result.add("llave", False, exc.message)


def _ledger(data_dir: Path, result: SelftestResult) -> None:
    from station.store.db import Database

    path = data_dir / "ledger.sqlite3"
    if not path.exists():
        result.add("registro", True, "todavía no hay registro (estación nueva)")
        return
    try:
        source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            verdict = source.execute("PRAGMA quick_check").fetchone()[0]
            with tempfile.TemporaryDirectory(prefix="selftest-") as tmp:
                copy_path = Path(tmp) / "ledger-copy.sqlite3"
                copy = sqlite3.connect(copy_path)
                try:
                    source.backup(copy)
                finally:
                    copy.close()
                before = _migrations(copy_path)
                Database(copy_path).close()
                after = _migrations(copy_path)
        finally:
            source.close()
    except (sqlite3.Error, DomainError) as exc:
        result.add("registro", False, f"el registro no se pudo abrir o migrar: {exc}")
        return
    if verdict != "ok":
        result.add("registro", False, f"el registro está dañado: {verdict}")
        return
    new = sorted(after - before)
    result.add("registro", True, "se abre en solo lectura; migraciones probadas en una copia"
               + (f" ({', '.join(new)})" if new else " (ninguna nueva)"))


def _migrations(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
    except sqlite3.Error:
        return set()
    finally:
        conn.close()


def selftest(data_dir: Path) -> SelftestResult:
    """Every check; a failing check never stops the others (the report shows them all)."""
    result = SelftestResult()
    _settings(data_dir, result)
    _key(data_dir, result)
    _ledger(data_dir, result)
    return result

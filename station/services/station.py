"""The station as a whole: its data folder, ledger, photo store, key, trust list and settings.

Everything a command or the touchscreen does starts with :func:`open_station`.

Data folder layout (mode 0700; files 0600 where they hold minors' data or keys)::

    station.toml        settings (see docs/settings.md); optional
    ledger.sqlite3      the ledger (SQLite, WAL)
    photos/             photos by content hash
    keys/station.key    the station's signing key
    trust.json          trusted station keys (own key from first run; central's later)
    sheets/             print files, one per sheet
    documents/          resupply requests and reports (PDF/XLSX)
    deliveries/         acknowledgements of receipt for DRSE deliveries (and their signed scans)
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from foundation.credential.keys import StationKey
from foundation.credential.trust import TrustList
from foundation.errors import InputError
from foundation.photostore import PhotoStore
from station.core.settings import resolve, unknown_keys
from station.store.db import Database

log = logging.getLogger(__name__)
DEFAULT_DATA_DIR = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share")) / "station"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def load_settings(path: Path) -> dict[str, Any]:
    if not path.exists():
        return resolve({}, source=str(path))
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            f"El archivo de ajustes {path} no se puede leer: {exc}.",
            way_out="Corríjalo o bórrelo para volver a los valores de fábrica.") from exc
    values = _flatten(raw)
    ignored = unknown_keys(values)
    if ignored:  # a typo, or a setting of a newer release after a rollback: never a dead kiosk
        log.warning("%s: ajustes desconocidos ignorados: %s", path, ", ".join(ignored))
    return resolve(values, source=str(path), ignore_unknown=True)


@dataclass
class Station:
    data_dir: Path
    settings: dict[str, Any]
    db: Database
    photos: PhotoStore
    key: StationKey
    trust: TrustList
    today: Callable[[], date] = field(default=date.today)

    @property
    def sheets_dir(self) -> Path:
        return self.data_dir / "sheets"

    @property
    def trust_path(self) -> Path:
        return self.data_dir / "trust.json"

    def close(self) -> None:
        self.db.close()


def open_station(data_dir: Path | None = None) -> Station:
    """Open (creating on first run) the station whose data lives in ``data_dir``."""
    data_dir = Path(data_dir or os.environ.get("STATION_DATA") or DEFAULT_DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    settings = load_settings(data_dir / "station.toml")
    (data_dir / "sheets").mkdir(exist_ok=True, mode=0o700)
    db = Database(data_dir / "ledger.sqlite3")
    key = StationKey.load_or_create(data_dir / "keys" / "station.key")
    trust_path = data_dir / "trust.json"
    trust = TrustList.load(trust_path) if trust_path.exists() else TrustList()
    # Only a key never seen is added: a key central withdrew must stay withdrawn here too.
    if trust.get(key.key_id) is None:
        trust.add(key_id=key.key_id, public_key=key.public_bytes(),
                  station_id=settings["station.id"], valid_from=date.today(), valid_until=None)
        trust.save(trust_path)
    station = Station(data_dir=data_dir, settings=settings, db=db,
                      photos=PhotoStore(data_dir / "photos"), key=key, trust=trust)
    from station.services.issuance import recover_print_files

    recover_print_files(station)
    return station

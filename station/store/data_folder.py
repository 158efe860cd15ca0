"""The station's data folder: where each file lives, spelled once.

Layout (folder mode 0700; files 0600 where they hold minors' data or keys)::

    station.toml        settings (see docs/settings.md); optional
    ledger.sqlite3      the ledger (SQLite, WAL)
    photos/             photos by content hash
    keys/station.key    the station's signing key
    keys/privacy.key    the secret of the digests that replace purged students' CURPs (0600)
    trust.json          trusted station keys (own key from first run; central's later)
    sheets/             print files, one per sheet
    documents/          resupply requests and reports (PDF/XLSX)
    deliveries/         acknowledgements of receipt for DRSE deliveries (and their signed scans)
    exports/            exports when no USB drive is plugged in
    reports/            problem reports (reporte-*.zip) waiting to go to central
    logs/kiosk.log      the kiosk's log (scrubbed of CURPs)
    updates/            the fleet updater's status and health markers
    printing.lock       held while sheets go to the printer (the updater waits for it)

>>> folder = DataFolder(Path("/srv/estacion"))
>>> folder.ledger, folder.key
(PosixPath('/srv/estacion/ledger.sqlite3'), PosixPath('/srv/estacion/keys/station.key'))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share")) / "station"


@dataclass(frozen=True, slots=True)
class DataFolder:
    root: Path

    @classmethod
    def resolve(cls, given: Path | str | None = None, *,
                default: Path = DEFAULT_DATA_DIR) -> DataFolder:
        """The folder named on the command line, else ``STATION_DATA``, else ``default``.

        The only place that reads ``STATION_DATA``.
        """
        # Made absolute here, once: SQLite's read-only URIs, the print files and the kiosk
        # all need a path that still means the same folder after a chdir.
        folder = Path(given or os.environ.get("STATION_DATA") or default)
        return cls(Path(os.path.abspath(folder.expanduser())))

    @property
    def settings_file(self) -> Path:
        return self.root / "station.toml"

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.sqlite3"

    @property
    def photos(self) -> Path:
        return self.root / "photos"

    @property
    def key(self) -> Path:
        return self.root / "keys" / "station.key"

    @property
    def privacy_key(self) -> Path:
        return self.root / "keys" / "privacy.key"

    @property
    def trust(self) -> Path:
        return self.root / "trust.json"

    @property
    def sheets(self) -> Path:
        return self.root / "sheets"

    @property
    def documents(self) -> Path:
        return self.root / "documents"

    @property
    def deliveries(self) -> Path:
        return self.root / "deliveries"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def kiosk_log(self) -> Path:
        return self.root / "logs" / "kiosk.log"

    @property
    def updates(self) -> Path:
        return self.root / "updates"

    @property
    def print_lock(self) -> Path:
        return self.root / "printing.lock"

    def problem_reports(self) -> list[Path]:
        """The problem reports written so far, oldest first (their names sort by time)."""
        return sorted(self.reports.glob("reporte-*.zip"))

    @staticmethod
    def private(folder: Path) -> Path:
        """``folder`` created if missing, private to the station's user (0700)."""
        folder.mkdir(exist_ok=True, mode=0o700)
        return folder

    def create(self) -> None:
        """The folder and its print-file folder, private to the station's user."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.sheets.mkdir(exist_ok=True, mode=0o700)

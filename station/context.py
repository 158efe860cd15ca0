"""The station as a whole: its data folder, ledger, photo store, key, trust list and settings.

Everything a command, the touchscreen, a sync or the updater does on a station starts with
:func:`open_station`. Where each file lives is :class:`station.store.data_folder.DataFolder`;
the settings file is read and written only by ``station.store.settings_file``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from foundation.credential.keys import StationKey
from foundation.credential.trust import TrustList
from foundation.photostore import PhotoStore
from station.store.data_folder import DataFolder
from station.store.db import Database
from station.store.print_files import recover_print_files
from station.store.settings_file import change_settings, load_settings


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
    def folder(self) -> DataFolder:
        return DataFolder(self.data_dir)

    @property
    def sheets_dir(self) -> Path:
        return self.folder.sheets

    @property
    def trust_path(self) -> Path:
        return self.folder.trust

    def close(self) -> None:
        self.db.close()


def resolve_data_dir(given: Path | None, *, default: Path | None = None) -> Path:
    """The data folder a command names, else ``STATION_DATA``, else ``default`` (the user's
    data folder when not given)."""
    if default is None:
        return DataFolder.resolve(given).root
    return DataFolder.resolve(given, default=default).root


def open_station(data_dir: Path | None = None) -> Station:
    """Open (creating on first run) the station whose data lives in ``data_dir``.

    Print files a crash left half-way are finished or discarded before anything else runs.
    """
    folder = DataFolder.resolve(data_dir)
    folder.create()
    settings = load_settings(folder.settings_file)
    db = Database(folder.ledger)
    key = StationKey.load_or_create(folder.key)
    trust = TrustList.load(folder.trust) if folder.trust.exists() else TrustList()
    # Only a key never seen is added: a key central withdrew must stay withdrawn here too.
    if trust.get(key.key_id) is None:
        trust.add(key_id=key.key_id, public_key=key.public_bytes(),
                  station_id=settings["station.id"], valid_from=date.today(), valid_until=None)
        trust.save(folder.trust)
    station = Station(data_dir=folder.root, settings=settings, db=db,
                      photos=PhotoStore(folder.photos), key=key, trust=trust)
    recover_print_files(db, folder.sheets)
    return station


def update_settings(station: Station, changes: Mapping[str, Any], *,
                    reset: Iterable[str] = (), source: str = "ajustes de la pantalla"
                    ) -> dict[str, Any]:
    """Store ``changes`` in the station's ``station.toml`` and apply them; return all settings.

    Keys in ``reset`` go back to their factory value. Raises InputError (nothing written) for
    an unknown key or a value of the wrong type.
    """
    settings = change_settings(station.folder.settings_file, changes, source=source,
                               reset=reset)
    station.settings.clear()
    station.settings.update(settings)
    return dict(settings)

"""Release versions and the release manifest: what a signed bundle says it contains.

Shared by whoever builds and signs a release, central that stores and offers it, and the
station that installs it (:mod:`foundation.releases.bundle` frames and signs it).

>>> parse_version("1.10.0") > parse_version("1.9.3")
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from foundation.errors import InputError

MANIFEST_FORMAT = "sc-release-1"
_VERSION = re.compile(r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$")
_FILE = re.compile(r"^wheels/[A-Za-z0-9_.+-]{1,200}\.whl$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def is_version(text: str) -> bool:
    """Whether ``text`` is a release version (dotted numbers only).

    >>> is_version("1.4.0"), is_version("1.4.0rc1"), is_version("current")
    (True, False, False)
    """
    return isinstance(text, str) and bool(_VERSION.match(text))


def parse_version(text: str) -> tuple[int, ...]:
    """``"1.2.3"`` → ``(1, 2, 3)``; release versions are dotted numbers only (no suffixes).

    >>> parse_version("0.2")
    (0, 2)
    """
    if not is_version(text):
        raise InputError(f"La versión «{text}» no es válida: se esperan números separados por "
                         "puntos (por ejemplo 1.4.0).")
    return tuple(int(p) for p in text.split("."))


def version_key(text: str) -> tuple[int, ...]:
    """Comparable key that ignores trailing zeros (``1.2`` == ``1.2.0``)."""
    parts = list(parse_version(text))
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def is_newer(candidate: str, installed: str) -> bool:
    """Whether ``candidate`` is a later version than ``installed``.

    >>> is_newer("0.2.0", "0.1.9"), is_newer("0.1.0", "0.1")
    (True, False)
    """
    return version_key(candidate) > version_key(installed)


def canonical_json(data: Mapping[str, Any]) -> bytes:
    """The exact bytes a manifest signature covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class ManifestFile:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a signed release contains (``manifest.json`` in the bundle)."""

    version: str
    min_upgrade_from: str
    created: str
    project_wheel: str
    ledger_migrations: tuple[str, ...]
    files: tuple[ManifestFile, ...]

    def to_json(self) -> dict[str, Any]:
        return {"format": MANIFEST_FORMAT, "version": self.version,
                "min_upgrade_from": self.min_upgrade_from, "created": self.created,
                "project_wheel": self.project_wheel,
                "ledger_migrations": list(self.ledger_migrations),
                "files": [{"name": f.name, "sha256": f.sha256, "size": f.size}
                          for f in self.files]}

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """Checked parse: anything off is an :class:`InputError` naming the field."""
        bad = "El manifiesto de la actualización no es válido"
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            raise InputError(f"{bad}: formato desconocido.")
        try:
            files = tuple(ManifestFile(str(f["name"]), str(f["sha256"]), int(f["size"]))
                          for f in data["files"])
            manifest = cls(str(data["version"]), str(data["min_upgrade_from"]),
                           str(data["created"]), str(data["project_wheel"]),
                           tuple(str(m) for m in data["ledger_migrations"]), files)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{bad}: falta o sobra el campo {exc}.") from None
        if version_key(manifest.min_upgrade_from) > version_key(manifest.version):
            raise InputError(f"{bad}: la versión mínima de la que actualiza "
                             f"({manifest.min_upgrade_from}) es mayor que la versión "
                             f"({manifest.version}).")
        names = [f.name for f in files]
        if len(set(names)) != len(names) or manifest.project_wheel not in names:
            raise InputError(f"{bad}: la lista de archivos está repetida o incompleta.")
        for f in files:
            if not _FILE.match(f.name) or not _DIGEST.match(f.sha256) or f.size < 0:
                raise InputError(f"{bad}: el archivo «{f.name}» no es válido.")
        return manifest

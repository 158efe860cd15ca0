"""The trust list: which station keys this station accepts when it verifies a QR.

Central certifies every station key and will distribute the list; until then the only
source is a local JSON file (:class:`LocalTrustFile`), and the station's service layer adds
the station's own key on first run. The file looks like::

    {"version": 1,
     "keys": {"66687aadf862bd77": {"public_key": "<base64 of 32 raw bytes>",
                                   "station_id": "EST-0001", "school": "14DPR2207Z",
                                   "valid_from": "2026-08-01", "valid_until": "2031-07-31"}}}

``valid_until`` may be ``null`` (no end). A key is trusted on a day ``d`` when
``valid_from <= d <= valid_until``; :func:`foundation.credential.verify.verify_qr_text` asks
about the card's *issue date*, so when central withdraws a station it keeps the key listed
with ``valid_until`` = the day of withdrawal: cards issued up to then stay valid, and a card
dated later under that key is refused.

>>> from datetime import date
>>> trust = TrustList()
>>> entry = trust.add(bytes(32), station_id="EST-1", school="14DPR2207Z",
...                   valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31))
>>> trust.lookup(entry.key_id, on=date(2026, 6, 1)) is entry
True
>>> trust.lookup(entry.key_id, on=date(2027, 1, 1)) is None
True
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from foundation.atomic_files import write_atomic
from foundation.credential.keys import KEY_ID_LEN, key_id_for
from foundation.errors import CredentialError

FORMAT_VERSION = 1
_WAY_OUT = "Sincronice la estación para descargarla de nuevo o pida ayuda a soporte de su DRSE."


@dataclass(frozen=True, slots=True)
class TrustEntry:
    """One trusted station key and the window in which it is trusted."""

    key_id: bytes
    public_key: bytes
    station_id: str
    school: str
    valid_from: date
    valid_until: date | None = None

    @property
    def key_id_hex(self) -> str:
        return self.key_id.hex()

    def valid_on(self, day: date) -> bool:
        """True when ``day`` lies inside ``[valid_from, valid_until]`` (both inclusive)."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def _key_id_bytes(key_id: bytes | str) -> bytes:
    if isinstance(key_id, str):
        try:
            return bytes.fromhex(key_id)
        except ValueError:
            return b""
    return bytes(key_id)


class TrustList:
    """Trusted station keys by key id. Mutable; :meth:`save` writes it atomically."""

    def __init__(self, entries: list[TrustEntry] | None = None) -> None:
        self._entries: dict[bytes, TrustEntry] = {}
        for entry in entries or []:
            self._entries[entry.key_id] = entry

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[TrustEntry]:
        return iter(self._entries.values())

    def __contains__(self, key_id: object) -> bool:
        return isinstance(key_id, bytes | str) and _key_id_bytes(key_id) in self._entries

    def get(self, key_id: bytes | str) -> TrustEntry | None:
        """The entry for ``key_id`` (bytes or hex) whatever its validity, or ``None``."""
        return self._entries.get(_key_id_bytes(key_id))

    def lookup(self, key_id: bytes | str, on: date) -> TrustEntry | None:
        """The entry for ``key_id`` if it is trusted on day ``on``, else ``None``."""
        entry = self.get(key_id)
        return entry if entry is not None and entry.valid_on(on) else None

    def add(
        self,
        public_key: bytes,
        *,
        station_id: str,
        school: str = "",
        valid_from: date,
        valid_until: date | None = None,
        key_id: bytes | None = None,
    ) -> TrustEntry:
        """Trust ``public_key`` (raw 32 bytes); re-adding the same key updates its data.

        ``key_id`` is optional and only checked: the id is always computed from the key.
        A different key with an already listed key id is refused (CredentialError): it is
        either corruption or an attempt to take over that id.
        """
        if len(public_key) != 32:
            raise CredentialError(
                "La clave pública para la lista de confianza debe medir 32 bytes.",
                way_out="Revise que sea una clave Ed25519 de estación.",
            )
        if valid_until is not None and valid_until < valid_from:
            raise CredentialError(
                f"La fecha final de confianza ({valid_until:%d/%m/%Y}) es anterior a la "
                f"inicial ({valid_from:%d/%m/%Y}) para la estación {station_id}.",
                way_out="Corrija las fechas.",
            )
        computed = key_id_for(public_key)
        if key_id is not None and bytes(key_id) != computed:
            raise CredentialError(
                f"El identificador {bytes(key_id).hex()} no corresponde a la clave pública de "
                f"la estación {station_id}.",
                way_out="Pida ayuda a soporte de su DRSE.",
            )
        key_id = computed
        old = self._entries.get(key_id)
        if old is not None and old.public_key != public_key:
            raise CredentialError(
                f"Ya hay otra clave con el identificador {key_id.hex()} en la lista de "
                "confianza; no se reemplaza.",
                way_out="Pida ayuda a soporte de su DRSE.",
            )
        entry = TrustEntry(key_id, bytes(public_key), station_id, school, valid_from, valid_until)
        self._entries[key_id] = entry
        return entry

    def to_json(self) -> dict[str, Any]:
        """The JSON document :meth:`save` writes (see the module docstring)."""
        keys = {
            e.key_id_hex: {
                "public_key": base64.b64encode(e.public_key).decode("ascii"),
                "station_id": e.station_id,
                "school": e.school,
                "valid_from": e.valid_from.isoformat(),
                "valid_until": e.valid_until.isoformat() if e.valid_until else None,
            }
            for e in sorted(self._entries.values(), key=lambda e: e.key_id)
        }
        return {"version": FORMAT_VERSION, "keys": keys}

    def save(self, path: Path) -> None:
        """Write the list to ``path`` atomically (a power cut leaves the old or new file)."""
        path = Path(path)
        data = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data.encode("utf-8"), mode=0o644)
        except OSError as exc:
            raise CredentialError(
                f"No se pudo guardar la lista de confianza «{path.name}»: {exc.strerror}.",
                way_out="Revise que haya espacio en el disco de la estación.",
            ) from exc

    @classmethod
    def load(cls, path: Path, *, missing_ok: bool = False) -> TrustList:
        """Read the list at ``path``; a missing file gives an empty list if ``missing_ok``.

        A malformed file raises CredentialError naming the file and what is wrong in it.
        """
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            if missing_ok:
                return cls()
            raise CredentialError(
                f"No se encontró la lista de confianza «{path.name}».", way_out=_WAY_OUT
            ) from None
        except OSError as exc:
            raise CredentialError(
                f"No se pudo leer la lista de confianza «{path.name}»: {exc.strerror}.",
                way_out=_WAY_OUT,
            ) from exc
        try:
            return cls.from_json(json.loads(raw.decode("utf-8")))
        except UnicodeDecodeError:
            why = "no es texto UTF-8"
        except json.JSONDecodeError as exc:
            why = f"no es JSON válido (línea {exc.lineno}, columna {exc.colno})"
        except _Malformed as exc:
            why = str(exc)
        raise CredentialError(
            f"La lista de confianza «{path.name}» está dañada: {why}.", way_out=_WAY_OUT
        )

    @classmethod
    def from_json(cls, doc: object) -> TrustList:
        """Build a list from its JSON document; raises ``_Malformed`` with a Spanish reason."""
        if not isinstance(doc, dict) or not isinstance(doc.get("keys"), dict):
            raise _Malformed("le falta la sección «keys»")
        if doc.get("version") != FORMAT_VERSION:
            raise _Malformed(f"su versión es {doc.get('version')!r} y se esperaba 1")
        trust = cls()
        for kid_hex, item in doc["keys"].items():
            entry = _entry_from_json(kid_hex, item)
            trust._entries[entry.key_id] = entry
        return trust


class _Malformed(ValueError):
    """A trust-list document is wrong; the message says where, in Spanish."""


def _date_field(kid: str, item: dict[str, Any], name: str, *, optional: bool) -> date | None:
    value = item.get(name)
    if value is None and optional:
        return None
    try:
        return date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _Malformed(f"la clave {kid} tiene «{name}» inválida: {value!r}") from None


def _entry_from_json(kid: str, item: object) -> TrustEntry:
    if not isinstance(item, dict):
        raise _Malformed(f"la clave {kid} no es un objeto")
    key_id = _key_id_bytes(kid)
    if len(key_id) != KEY_ID_LEN:
        raise _Malformed(f"el identificador {kid!r} no son 16 dígitos hexadecimales")
    try:
        public_key = base64.b64decode(item.get("public_key", ""), validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise _Malformed(f"la clave pública de {kid} no es base64 válido") from None
    if len(public_key) != 32 or key_id_for(public_key) != key_id:
        raise _Malformed(f"la clave pública de {kid} no corresponde a su identificador")
    for name in ("station_id", "school"):
        if not isinstance(item.get(name), str):
            raise _Malformed(f"a la clave {kid} le falta «{name}»")
    valid_from = _date_field(kid, item, "valid_from", optional=False)
    valid_until = _date_field(kid, item, "valid_until", optional=True)
    assert valid_from is not None
    if valid_until is not None and valid_until < valid_from:
        raise _Malformed(f"la clave {kid} vence antes de empezar")
    return TrustEntry(
        key_id, public_key, item["station_id"], item["school"], valid_from, valid_until
    )


class TrustSource(Protocol):
    """Where the station gets its trust list. Today a local file; later central's sync."""

    def load(self) -> TrustList: ...


@dataclass(frozen=True, slots=True)
class LocalTrustFile:
    """The trust list kept in a local JSON file (empty until the first key is added)."""

    path: Path

    def load(self) -> TrustList:
        return TrustList.load(self.path, missing_ok=True)

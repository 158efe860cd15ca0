"""CONALEP certificates on the station: the issuers it trusts and the folios they revoked.

The conalep server publishes one public JSON file (``/certificados/publico/llaves.json``):
the issuing key as a trust list, the signers' keys and the revoked certificate folios. An
operator imports it with ``station certificates import FILE``; from then on ``station verify``
checks a certificate's QR offline, the same way as a card's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from foundation.atomic_files import write_atomic
from foundation.credential.trust import TrustList
from foundation.errors import InputError

FILE_NAME = "certificate-issuers.json"
FORMAT = "conalep-llaves-publicadas/1"


def issuers_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def _parse(doc: Any, source: str) -> tuple[TrustList, dict[int, str]]:
    if not isinstance(doc, dict) or doc.get("formato") != FORMAT:
        raise InputError(f"«{source}» no es el archivo de llaves publicadas de CONALEP "
                         f"(formato {FORMAT}).")
    try:
        trust = TrustList.from_json(doc["emisor"])
        revoked = {int(folio): str(why) for folio, why in dict(doc.get("revocados", {})).items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"«{source}» está dañado: {exc}.") from None
    return trust, revoked


def import_issuers(data_dir: Path, source: Path) -> int:
    """Validate and keep the published file; returns how many issuing keys it trusts."""
    try:
        raw = Path(source).read_bytes()
        doc = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise InputError(f"No se pudo leer «{source}»: {exc}.") from None
    trust, _ = _parse(doc, str(source))
    write_atomic(issuers_path(data_dir), raw, mode=0o644)
    return len(trust)


def load_issuers(data_dir: Path) -> tuple[TrustList, dict[int, str]]:
    """The imported issuers (empty when none was imported)."""
    path = issuers_path(data_dir)
    if not path.exists():
        return TrustList(), {}
    return _parse(json.loads(path.read_bytes()), str(path))

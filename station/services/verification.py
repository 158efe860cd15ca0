"""Verifying a card from an image: every QR found, checked offline against the trust list."""

from __future__ import annotations

from pathlib import Path

from foundation.credential.card import STUDENT_CARD
from foundation.credential.certificate import CONALEP_CERTIFICATE
from foundation.credential.trust import TrustList
from foundation.credential.verify import Verification, verify_qr_text
from station.camera.qr_reader import read_qr_texts
from station.context import Station
from station.services.certificate_issuers import load_issuers
from station.services.lifecycle_verify import enrich
from station.store import ledger
from station.sync.revocations import revocation_reason


def revocation_check(station: Station):
    """A callback telling why a card this station issued no longer counts, or None."""
    own = station.key.key_id

    def check(folio: int, key_id: bytes) -> str | None:
        # Central's revocation list (synced) covers every station's cards, this one's too:
        # staff revocations and cards superseded by a newer card issued elsewhere.
        central = revocation_reason(station, folio, key_id)
        if key_id != own:
            return central
        with station.db.read() as conn:
            status = ledger.card_status(conn, folio)
        if status is None:
            return (f"El folio {folio} no está registrado como expedido en esta estación; "
                    "la credencial no debe usarse.")
        state, reason, _key = status
        if state == "spoiled":
            return f"La planilla de este folio se marcó como dañada ({reason})."
        if state == "revoked":
            return f"La credencial fue dada de baja: {reason}."
        return central

    return check


def verify_texts(station: Station, texts: list[str]) -> list[Verification]:
    """Each text verified, with the cycle's hologram and the revocation kind added
    (:class:`station.services.lifecycle_verify.CardVerification`, a Verification)."""
    card_check = revocation_check(station)
    issuers, revoked_certificates = load_issuers(station.data_dir)

    def check(folio: int, key_id: bytes) -> str | None:
        # A CONALEP issuer's key id: the folio is a certificate's, revoked per its issuer.
        if key_id in issuers:
            return revoked_certificates.get(folio)
        return card_check(folio, key_id)

    trust = TrustList([*station.trust, *issuers])
    results: list[Verification] = []
    for t in texts:
        v = verify_qr_text(t, trust=trust, today=station.today(), revocation=check,
                           documents=(STUDENT_CARD, CONALEP_CERTIFICATE))
        results.append(v if v.document is CONALEP_CERTIFICATE else enrich(station, v))
    return results


def verify_image(station: Station, image: Path) -> list[Verification]:
    """One verification per QR found in the image (a card, or a whole sheet of 8)."""
    return verify_texts(station, [d.text for d in read_qr_texts(image)])

"""Verify a signed QR offline: one verdict and a sentence in Spanish for the screen.

The caller says which document types it accepts (the student card by default); the steps are
the same for every type.

Checks run in this order; the first that fails decides the verdict:

1. the text is ours (prefix, Base45, COSE_Sign1 shape, alg EdDSA) ..... else ``not-a-credential``
2. the key id is in the trust list ..................................... else ``unknown-key``
3. the Ed25519 signature matches the exact signed bytes ................ else ``bad-signature``
4. the signed payload is one of the accepted document types, within the bounds issuing
   enforces and written exactly as issuing writes it ................... else ``not-a-credential``
5. the key was trusted on the card's *issue date* ...................... else ``unknown-key``
   (the reason says the key had expired, or was not valid yet, on that day)
6. the revocation callback has no reason for (folio, key id) ........... else ``revoked``

Step 5 judges the key on the day the card was issued, not today: when central withdraws a
station, its key stops being trusted from that day on, and the cards it issued before stay
valid (issue 4). The issue date is inside the signed payload, so it is read only after the
signature checked out.

So a changed byte inside the signed data (payload or signature) gives ``bad-signature``; a
changed key id gives ``unknown-key``; a changed byte in the framing (tags, lengths, header
structure, algorithm) gives ``not-a-credential``, and so does the same signed content framed
in another CBOR form (``d8 12`` for the tag, ``98 04`` for the array, ``59 00 NN`` for a
length): only canonical CBOR is accepted, so a card has exactly one QR text. Claims issuing
never produces (a folio of any size beyond the issuer's, a date in the year 9999, a line break
in a name) are ``not-a-credential`` too, and never reach the revocation callback. No input
text raises an exception; only an exception raised by the revocation callback itself
propagates.

>>> v = verify_qr_text("https://example.com", trust=TrustList(), today=date(2026, 1, 1))
>>> v.verdict, v.claims
(<Verdict.NOT_A_CREDENTIAL: 'not-a-credential'>, None)
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import base45
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from foundation.credential.card import STUDENT_CARD
from foundation.credential.cose import EnvelopeError, Sign1, decode_sign1
from foundation.credential.documents import DocumentType, PayloadError
from foundation.credential.payload import PREFIX, SPECIMEN_QR_TEXT, decode_typed
from foundation.credential.trust import TrustEntry, TrustList

RevocationCheck = Callable[[int, bytes], str | None]
"""Called with (folio, key id); returns the Spanish reason when the card is revoked."""

_MAX_TEXT = 4296  # the most characters a QR code can hold; longer text is not from a QR


class Verdict(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    BAD_SIGNATURE = "bad-signature"
    UNKNOWN_KEY = "unknown-key"
    NOT_A_CREDENTIAL = "not-a-credential"


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome. ``claims`` is set only when the signature was checked (valid, revoked).

    ``claims`` are of ``document``'s type: a
    :class:`~foundation.credential.card.CredentialClaims` for the student card.
    """

    verdict: Verdict
    claims: Any
    key_id: str | None
    reason_es: str
    document: DocumentType[Any] = STUDENT_CARD

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.VALID

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict: verdict, the document's fields (None when unread), reason.

        For the student card: verdict, folio, name, cct, issued_on (ISO), reason.
        """
        fields = (self.document.to_json(self.claims) if self.claims is not None
                  else dict.fromkeys(self.document.json_fields))
        return {"verdict": self.verdict.value, **fields, "reason": self.reason_es}


def _not_ours(reason: str, key_id: str | None = None) -> Verification:
    return Verification(Verdict.NOT_A_CREDENTIAL, None, key_id, reason)


def _parse(text: object) -> Sign1 | Verification:
    if not isinstance(text, str):
        return _not_ours("No se recibió texto de un código QR.")
    # Keyboard-wedge scanners append a line end; a space is a Base45 symbol, so keep spaces.
    text = text.strip("\r\n\t")
    if text == SPECIMEN_QR_TEXT:
        return _not_ours("Este código es de una credencial de muestra (espécimen): no es válida.")
    if not text.startswith(PREFIX):
        if text.lower().startswith(("http://", "https://", "www.")):
            return _not_ours("Este código QR lleva una dirección de internet, no una credencial.")
        return _not_ours("Este código QR no es una credencial escolar.")
    if len(text) > _MAX_TEXT:
        return _not_ours("Este código QR es demasiado largo para ser una credencial escolar.")
    try:
        data = base45.b45decode(text[len(PREFIX) :])
    except ValueError:
        return _not_ours(
            "El código QR parece una credencial, pero está incompleto o dañado. "
            "Intente leerlo de nuevo."
        )
    try:
        return decode_sign1(data)
    except EnvelopeError as exc:
        return _not_ours(f"El código QR parece una credencial, pero {exc}.")


def _untrusted(entry: TrustEntry | None, kid: str, issued_on: date | None) -> Verification:
    if entry is None:
        why = (
            f"La credencial fue firmada por una estación que no está en la lista de confianza "
            f"(clave {kid}). Si es una estación nueva, sincronice esta estación y vuelva a leerla."
        )
    elif entry.valid_until is not None and issued_on is not None and issued_on > entry.valid_until:
        why = (
            f"La credencial fue firmada con una clave vencida de la estación {entry.station_id} "
            f"({entry.school}): dejó de ser de confianza el {entry.valid_until:%d/%m/%Y} y la "
            f"credencial dice expedida el {issued_on:%d/%m/%Y}. "
            "Sincronice esta estación por si la lista de confianza cambió."
        )
    else:
        day = f" y la credencial dice expedida el {issued_on:%d/%m/%Y}" if issued_on else ""
        why = (
            f"La credencial fue firmada con una clave de la estación {entry.station_id} "
            f"({entry.school}) que es de confianza a partir del {entry.valid_from:%d/%m/%Y}"
            f"{day}. Revise que la fecha de la estación que la expidió fuera correcta."
        )
    return Verification(Verdict.UNKNOWN_KEY, None, kid, why)


def verify_qr_text(
    text: str,
    *,
    trust: TrustList,
    today: date,
    revocation: RevocationCheck | None = None,
    documents: Sequence[DocumentType[Any]] = (STUDENT_CARD,),
) -> Verification:
    """Verify the text read from a QR against the trust list.

    ``documents`` are the types this verifier accepts; a signed payload of another type is
    ``not-a-credential`` (a card reader shown a certificate says so, and the other way round).

    The key's validity is judged on the card's issue date (see the module docstring);
    ``today`` is kept for callers and for future date checks.

    >>> verify_qr_text("ESPECIMEN SIN VALOR", trust=TrustList(), today=date(2026, 1, 1)).reason_es
    'Este código es de una credencial de muestra (espécimen): no es válida.'
    """
    parsed = _parse(text)
    if isinstance(parsed, Verification):
        return parsed
    kid = parsed.key_id.hex()
    entry = trust.get(parsed.key_id)
    if entry is None:
        return _untrusted(entry, kid, None)
    try:
        Ed25519PublicKey.from_public_bytes(entry.public_key).verify(
            parsed.signature, parsed.signed_bytes()
        )
    except InvalidSignature:
        return Verification(
            Verdict.BAD_SIGNATURE,
            None,
            kid,
            "La firma del código QR no corresponde a sus datos: la credencial fue alterada o es "
            "falsa. No la acepte como identificación.",
        )
    try:
        document, claims = decode_typed(parsed.payload, documents)
    except PayloadError as exc:
        return _not_ours(f"El código QR lo firmó una estación de confianza, pero {exc}.", kid)
    if not entry.valid_on(claims.issued_on):
        return _untrusted(entry, kid, claims.issued_on)
    if revocation is not None:
        why = revocation(claims.folio, parsed.key_id)
        if why is not None:
            why = why.strip().rstrip(".") or "sin motivo registrado"
            return Verification(
                Verdict.REVOKED,
                claims,
                kid,
                f"{document.revoked_es}: {document.describe_es(claims)}. Motivo: {why}. "
                "No la acepte como identificación.",
                document,
            )
    return Verification(Verdict.VALID, claims, kid,
                        f"{document.valid_es}: {document.describe_es(claims)}.", document)

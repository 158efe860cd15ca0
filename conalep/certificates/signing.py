"""Signatures in norm 17's order, with keys only the signers hold.

DG registers each signer's *public* key. A signer signs either in the browser (WebCrypto reads
the signer's own key file locally; the page sends only signatures) or offline with
``conalep sign`` over a package downloaded from the signing page. The server checks each
signature with :func:`conalep.certificates.chain.accept_signature` and never holds a private key.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conalep.certificates import folios
from conalep.certificates.actors import Actor, Refused, require_plantel, require_role
from conalep.certificates.chain import (
    OFFICES,
    ChainError,
    ChainSignature,
    SignerKey,
    accept_signature,
    algorithm_of,
    key_id_of,
    load_public_pem,
    to_be_signed,
)
from conalep.certificates.workflow import State, get, signatures_of
from conalep.models.certificates import Certificate, CertSignature, SignerKeyRecord

SIGNING_WINDOW = timedelta(days=2)
"""How old a signature's own time may be when it arrives (an offline package signed today
is uploaded tomorrow); a time in the future beyond a few minutes of clock skew is refused."""
_SKEW = timedelta(minutes=5)
_KEYS_CACHE = "certificates.signer_keys"


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def register_key(session: Session, actor: Actor, *, username: str, office: str,
                 signer_name: str, public_pem: str, plantel: str | None,
                 now: datetime) -> SignerKeyRecord:
    require_role(actor, "dg_escolares")
    if office not in OFFICES:
        raise Refused("bad-office", "El cargo debe ser uno de los tres firmantes de la norma 17.",
                      422)
    if office == "plantel_director" and not plantel:
        raise Refused("missing-plantel", "Indique el plantel del director(a).", 422)
    if not signer_name.strip() or not username.strip():
        raise Refused("missing-name", "Escriba la cuenta y el nombre de quien firma.", 422)
    try:
        key = load_public_pem(public_pem)
    except ChainError as exc:
        raise Refused("bad-key", str(exc), 422) from None
    kid = key_id_of(key)
    if session.get(SignerKeyRecord, kid) is not None:
        raise Refused("key-registered", f"La llave {kid} ya está registrada.")
    record = SignerKeyRecord(
        key_id=kid, office=office, username=username.strip(), signer_name=signer_name.strip(),
        plantel=plantel if office == "plantel_director" else None,
        public_pem=public_pem.strip() + "\n", algorithm=algorithm_of(key),
        registered_by=actor.username, registered_at=now)
    session.add(record)
    session.info.pop(_KEYS_CACHE, None)
    folios.log(session, actor, "llave-registrada", now, llave=kid, cargo=office,
               cuenta=username)
    return record


def withdraw_key(session: Session, actor: Actor, *, key_id: str, now: datetime) -> None:
    require_role(actor, "dg_escolares")
    record = session.get(SignerKeyRecord, key_id)
    if record is None or record.withdrawn_at is not None:
        raise Refused("unknown-key", f"La llave {key_id} no está vigente.", 404)
    record.withdrawn_at = now
    session.info.pop(_KEYS_CACHE, None)
    folios.log(session, actor, "llave-retirada", now, llave=key_id)


def registered_keys(session: Session, *, include_withdrawn: bool = True
                    ) -> dict[str, SignerKey]:
    """Keys by id. Withdrawn keys still verify what they signed before (the chain file).

    Kept on the session (one request) so releasing a whole generation reads them once;
    registering or withdrawing a key forgets them."""
    cache = session.info.setdefault(_KEYS_CACHE, {})
    if include_withdrawn not in cache:
        query = select(SignerKeyRecord)
        if not include_withdrawn:
            query = query.where(SignerKeyRecord.withdrawn_at.is_(None))
        cache[include_withdrawn] = {
            r.key_id: SignerKey(r.key_id, r.office, load_public_pem(r.public_pem), r.signer_name)
            for r in session.scalars(query)}
    return cache[include_withdrawn]


def chain_of(session: Session, cert: Certificate) -> list[ChainSignature]:
    return [ChainSignature(s.position, s.office, s.key_id, s.signed_at, s.signature)
            for s in signatures_of(session, cert)]


def _awaiting(session: Session, actor: Actor) -> list[Certificate]:
    """Certificates whose next signature belongs to the actor's office (and plantel)."""
    position = OFFICES.index(actor.role) if actor.role in OFFICES else -1
    if position < 0:
        return []
    query = select(Certificate).where(
        Certificate.state.in_([State.TO_SIGN.value, State.SIGNING.value])
    ).order_by(Certificate.folio)
    if actor.role == "plantel_director":
        query = query.where(Certificate.plantel == actor.plantel)
    certs = list(session.scalars(query))
    done: dict[int, int] = {}
    if certs:
        for (cid,) in session.execute(select(CertSignature.certificate_id).where(
                CertSignature.certificate_id.in_([c.id for c in certs]))):
            done[cid] = done.get(cid, 0) + 1
    return [c for c in certs if done.get(c.id, 0) == position]


def awaiting(session: Session, actor: Actor) -> list[Certificate]:
    require_role(actor, *OFFICES)
    return _awaiting(session, actor)


def package(session: Session, actor: Actor) -> dict[str, Any]:
    """What ``conalep sign`` needs offline: each document and the signatures before it."""
    certs = awaiting(session, actor)
    return {
        "formato": "conalep-paquete-firmas/1",
        "cargo": actor.role,
        "cuenta": actor.username,
        "certificados": [
            {"certificado_id": c.id, "folio": c.folio, "orden": OFFICES.index(actor.role) + 1,
             "documento": json.loads(c.document_json or "{}"),
             "firmas_anteriores": [s.record() for s in chain_of(session, c)]}
            for c in certs
        ],
    }


def own_key(session: Session, actor: Actor) -> SignerKeyRecord:
    keys = list(session.scalars(select(SignerKeyRecord).where(
        SignerKeyRecord.username == actor.username, SignerKeyRecord.withdrawn_at.is_(None),
        SignerKeyRecord.office == actor.role)))
    if len(keys) != 1:
        raise Refused("no-key",
                      "No tiene una llave de firma vigente registrada para su cargo; pida a la "
                      "Jefatura de Servicios Escolares de la Dirección General que la registre.")
    return keys[0]


def browser_requests(session: Session, actor: Actor, *, now: datetime) -> list[dict[str, Any]]:
    """For in-browser signing: the exact bytes to sign for each awaiting certificate."""
    key = own_key(session, actor)
    signed_at = iso_utc(now)
    out = []
    for cert in awaiting(session, actor):
        previous = chain_of(session, cert)
        tbs = to_be_signed((cert.document_json or "").encode("utf-8"), previous, actor.role,
                           key.key_id, signed_at)
        out.append({"certificado_id": cert.id, "folio": cert.folio, "orden": len(previous) + 1,
                    "cargo": actor.role, "llave": key.key_id, "fecha": signed_at,
                    "por_firmar": base64.b64encode(tbs).decode("ascii"),
                    "nombre": " ".join((cert.nombre, cert.primer_apellido,
                                        cert.segundo_apellido)).strip(),
                    "carrera": cert.career})
    return out


def submit(session: Session, actor: Actor, records: Sequence[Mapping[str, Any]], *,
           now: datetime) -> int:
    """Accept signatures for several certificates, all or nothing; returns how many."""
    require_role(actor, *OFFICES)
    keys = registered_keys(session, include_withdrawn=False)
    if not records:
        raise Refused("no-signatures", "El archivo no trae firmas.", 422)
    for rec in records:
        try:
            cert_id = int(rec["certificado_id"])
            sig = ChainSignature.from_record(rec)
        except (KeyError, TypeError, ValueError, ChainError):
            raise Refused("bad-signature-record",
                          "Cada firma debe traer certificado_id, orden, cargo, llave, fecha y "
                          "firma.", 422) from None
        cert = get(session, actor, cert_id, lock=True)
        require_plantel(actor, cert.plantel)
        _accept_one(session, actor, cert, sig, keys, now)
    return len(records)


def _accept_one(session: Session, actor: Actor, cert: Certificate, sig: ChainSignature,
                keys: Mapping[str, SignerKey], now: datetime) -> None:
    if State(cert.state) not in (State.TO_SIGN, State.SIGNING) or cert.document_json is None:
        raise Refused("wrong-state",
                      f"El certificado con folio {cert.folio} no está listo para firmas.")
    if sig.office != actor.role:
        raise Refused("wrong-office",
                      f"Usted firma como {actor.role}; la firma dice {sig.office}.", 403)
    record = session.get(SignerKeyRecord, sig.key_id)
    if record is None or record.username != actor.username:
        raise Refused("not-your-key", f"La llave {sig.key_id} no es de su cuenta.", 403)
    if actor.role == "plantel_director" and record.plantel != cert.plantel:
        raise Refused("other-plantel",
                      f"La llave {sig.key_id} es del director(a) del plantel {record.plantel}.",
                      403)
    try:
        moment = parse_iso_utc(sig.signed_at)
    except ValueError:
        raise Refused("bad-time", "La fecha de la firma no tiene la forma 2026-07-01T10:00:00Z.",
                      422) from None
    if not now - SIGNING_WINDOW <= moment <= now + _SKEW:
        raise Refused("stale-signature",
                      f"La firma del folio {cert.folio} tiene fecha {sig.signed_at}, fuera del "
                      "plazo para recibirla; vuelva a firmar.", 422)
    previous = chain_of(session, cert)
    try:
        accept_signature(cert.document_json.encode("utf-8"), previous, keys, sig)
    except ChainError as exc:
        raise Refused("chain-refused", f"Folio {cert.folio}: {exc}", 409) from None
    # The certificate row is locked (``get(lock=True)``), so the place is free; the unique
    # key is the backstop. No savepoint: a refusal rolls the whole upload back anyway.
    try:
        session.add(CertSignature(certificate_id=cert.id, position=sig.position,
                                  office=sig.office, key_id=sig.key_id,
                                  signed_at=sig.signed_at, signature=sig.signature,
                                  received_at=now))
        session.flush()
    except IntegrityError:
        raise Refused("already-signed",
                      f"El certificado con folio {cert.folio} ya recibió la firma número "
                      f"{sig.position}.") from None
    cert.state = (State.SIGNED if sig.position == len(OFFICES) else State.SIGNING).value
    cert.updated_at = now
    folios.log(session, actor, "firma", now, certificate_id=cert.id, folio=cert.folio,
               orden=sig.position, cargo=sig.office, llave=sig.key_id)

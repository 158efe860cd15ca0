"""A released certificate's QR, read from the rendered PDF page, verifies with ``station
verify`` once the station imported CONALEP's published keys; tampered QRs and revoked or
unknown folios do not."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import base45
import qrcode
from click.testing import CliRunner

from conalep.certificates import release
from foundation.credential.cose import decode_sign1
from station.cli import main as station_main
from tests.test_conalep_cert_service import (  # noqa: F401  (fixtures)
    COSFAC,
    DG,
    NOW,
    OFFICES,
    P165,
    ListSource,
    db,
    keys,
    run,
    sae_graduates,
    sign,
    to_signing,
)


def station_verify(data: Path, image: Path) -> list[dict]:
    result = CliRunner().invoke(station_main, ["--data", str(data), "verify", str(image),
                                               "--json"], catch_exceptions=False)
    return json.loads(result.output)


def released(db, keys, tmp_path: Path):  # noqa: F811
    ids = to_signing(db, ListSource(sae_graduates()))
    for office in OFFICES:
        sign(db, office, keys[office], ids[0])
    issuer = release.Issuer.load_or_create(tmp_path / "conalep")
    cert = run(db, release.release, COSFAC, ids[0], issuer, now=NOW)
    return ids, issuer, cert


def test_rendered_certificate_verifies_with_station(db, keys, tmp_path: Path) -> None:  # noqa: F811
    ids, issuer, cert = released(db, keys, tmp_path)
    with db() as s:
        _, pdf = release.certificate_pdf(s, P165, ids[0], "https://conalep.example/verificar")
        (tmp_path / "llaves.json").write_text(json.dumps(release.published_keys(s, issuer)))
    (tmp_path / "cert.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(tmp_path / "cert.pdf"),
                    str(tmp_path / "page")], check=True)
    page = tmp_path / "page.png"
    data = tmp_path / "station"
    before = station_verify(data, page)
    assert before[0]["verdict"] == "unknown-key"  # the station does not trust CONALEP yet
    result = CliRunner().invoke(station_main, ["--data", str(data), "certificates", "import",
                                               str(tmp_path / "llaves.json")])
    assert result.exit_code == 0, result.output
    [answer] = station_verify(data, page)
    assert answer["verdict"] == "valid", answer
    assert answer["folio"] == cert.folio and answer["matricula"] == cert.matricula
    assert answer["chain_sha256"] == cert.chain_sha256 and "curp" not in answer
    assert answer["reason"].startswith("Certificado válido")

    # A tampered QR: one byte of the signed payload changed, re-encoded, re-rendered.
    raw = bytearray(base45.b45decode(cert.qr_text[4:]))
    sign1 = decode_sign1(bytes(raw))
    # Inside the name's text: the CBOR stays well-formed, only the signature can tell.
    at = bytes(raw).index(sign1.payload) + sign1.payload.index(cert.nombre.encode()) + 1
    raw[at] ^= 0x01
    forged = cert.qr_text[:4] + base45.b45encode(bytes(raw)).decode()
    qrcode.make(forged).save(tmp_path / "forged.png")
    [bad] = station_verify(data, tmp_path / "forged.png")
    assert bad["verdict"] == "bad-signature", bad
    with db() as s:  # the public page says the same
        assert release.verify_text(s, issuer, forged, today=date(2026, 7, 2))["estado"] \
            == "firma_invalida"

    # Revoked by a replacement: the republished file tells the station.
    run(db, release.replace, DG, ids[0], reason="Extravío", now=NOW)
    with db() as s:
        (tmp_path / "llaves.json").write_text(json.dumps(release.published_keys(s, issuer)))
        assert release.verify_text(s, issuer, cert.qr_text,
                                   today=date(2026, 7, 2))["estado"] == "revocado"
    CliRunner().invoke(station_main, ["--data", str(data), "certificates", "import",
                                      str(tmp_path / "llaves.json")])
    [revoked] = station_verify(data, page)
    assert revoked["verdict"] == "revoked" and "Extravío" in revoked["reason"]

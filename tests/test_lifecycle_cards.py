"""Cycles, holograms, loss and replacement through the `station` command line.

A real SQLite ledger, real print files, and verification of the printed cards from their
rendered pages (the QR read back by zxing): what a person scanning the card would see.
"""

from __future__ import annotations

from pathlib import Path

from plugin_lifecycle import cli, cli_json, day, ledger_snapshot, pdf_pngs, refused


def _print(data: Path, cct: str, curps: list[str], out: Path) -> list[int]:
    args = ["print", "--school", cct, "--pdf", str(out)]
    for curp in curps:
        args += ["--curp", curp]
    answer = cli_json(data, *args)
    return [f for s in answer["sheets"] for f in s["folios"]]


def _verify(data: Path, png: Path) -> list[dict]:
    return cli_json(data, "verify", str(png))


def test_cycle_lists_holograms_and_verification_words(station_data, tmp_path: Path) -> None:
    data, cct, curps = station_data
    lists = cli_json(data, "pending", "--school", cct)
    assert lists["cycle"] == "2026-2027"
    assert [s["curp"] for s in lists["needs_card"]] == curps and lists["hologram_only"] == []

    folios = _print(data, cct, curps[:2], tmp_path / "a.pdf")
    png = pdf_pngs(tmp_path / "a.pdf", tmp_path / "a")[0]
    lists = cli_json(data, "pending", "--school", cct)
    assert {s["curp"] for s in lists["hologram_only"]} == set(curps[:2])
    assert len(lists["needs_card"]) == len(curps) - 2

    before = _verify(data, png)
    assert [v["verdict"] for v in before] == ["valid", "valid"]
    assert all(v["hologram_cycle"] is None and v["valid_for_cycle"] is False for v in before)
    assert "sin holograma del ciclo vigente (2026-2027)" in before[0]["reason"]

    received = cli_json(data, "hologram", "receive", "--first", "H000100", "--last", "H000149",
                        "--reference", "Oficio DRSE 45/2026")
    assert received["count"] == 50 and received["cycle"] == "2026-2027"
    applied = cli_json(data, "hologram", "apply", "--serial", "h000100", "--curp", curps[0])
    assert applied == {"serial": "H000100", "curp": curps[0], "name": applied["name"],
                       "folio": folios[0], "cycle": "2026-2027"}
    after = {v["folio"]: v for v in _verify(data, png)}
    assert after[folios[0]]["reason"].startswith("Credencial válida, holograma 2026-2027 "
                                                 "registrado")
    assert (after[folios[0]]["hologram_cycle"], after[folios[0]]["hologram_serial"],
            after[folios[0]]["valid_for_cycle"]) == ("2026-2027", "H000100", True)
    assert after[folios[1]]["valid_for_cycle"] is False
    lists = cli_json(data, "pending", "--school", cct)
    assert [s["curp"] for s in lists["complete"]] == [curps[0]]
    assert lists["complete"][0]["hologram"] == "H000100"

    # Bad input: each refusal leaves the ledger exactly as it was.
    snapshot = ledger_snapshot(data)
    assert "ya se usó" in refused(data, "hologram", "apply", "--serial", "H000100",
                                  "--curp", curps[1])
    assert "ya tiene el holograma H000100" in refused(
        data, "hologram", "apply", "--serial", "H000101", "--curp", curps[0])
    assert "no tiene credencial vigente" in refused(
        data, "hologram", "apply", "--serial", "H000101", "--curp", curps[5])
    assert "no pertenece a ningún rango" in refused(
        data, "hologram", "apply", "--serial", "H000500", "--curp", curps[1])
    assert "se enciman" in refused(data, "hologram", "receive", "--first", "H000140",
                                   "--last", "H000160")
    assert "el siguiente ciclo es 2027-2028" in refused(
        data, "cycle", "advance", "--to", "2028-2029", "--by", "Ana Pérez")
    assert ledger_snapshot(data) == snapshot

    # A damaged hologram is spoiled; the rest are assigned in one go, in name order.
    cli(data, "hologram", "spoil", "--serial", "H000101", "--reason", "se rasgó al pegarlo")
    assigned = cli_json(data, "hologram", "assign", "--school", cct, "--first-serial", "H000102")
    assert [a["curp"] for a in assigned] == [curps[1]] and assigned[0]["serial"] == "H000102"
    stock = cli_json(data, "hologram", "stock")
    assert stock == [{"cycle": "2026-2027", "received": 50, "applied": 2, "spoiled": 1,
                      "stock": 47, "next_free": "H000103"}]
    audit = cli_json(data, "audit")
    assert audit["ok"] and audit["holograms"]["stock"] == 47 == audit["holograms"][
        "stock_in_supplies"]

    # Next cycle: everyone with a card needs only the new hologram; old rolls do not fit.
    cli(data, "cycle", "advance", "--to", "2027-2028", "--by", "Ana Pérez")
    assert cli_json(data, "cycle", "show")["cycle"] == "2027-2028"
    lists = cli_json(data, "pending", "--school", cct)
    assert {s["curp"] for s in lists["hologram_only"]} == set(curps[:2])
    assert "es del ciclo 2026-2027" in refused(data, "hologram", "apply", "--serial", "H000103",
                                               "--curp", curps[0])
    renewed = {v["folio"]: v for v in _verify(data, png)}
    assert renewed[folios[0]]["valid_for_cycle"] is False
    assert "sin holograma del ciclo vigente (2027-2028)" in renewed[folios[0]]["reason"]

    # The setting (central publishes it) is behind the station's own advance: it never takes
    # the station back; once it moves past the advance, the station follows it.
    shown = cli_json(data, "cycle", "show")
    assert shown == {"cycle": "2027-2028", "setting": "2026-2027"}
    (data / "station.toml").write_text('[cycle]\ncurrent = "2028-2029"\n', "utf-8")
    assert cli_json(data, "cycle", "show") == {"cycle": "2028-2029", "setting": "2028-2029"}
    assert cli_json(data, "pending", "--school", cct)["cycle"] == "2028-2029"


def test_loss_revokes_at_once_and_replacement_needs_a_receipt(station_data, tmp_path) -> None:
    data, cct, curps = station_data
    folios = _print(data, cct, curps[:2], tmp_path / "a.pdf")
    png = pdf_pngs(tmp_path / "a.pdf", tmp_path / "a")[0]

    # A loss cannot predate the card (issue 14): a day before its issue is refused.
    assert "anterior a la expedición" in refused(data, "card", "lost", "--folio",
                                                  str(folios[0]), "--date", day(-2),
                                                  "--by", "Ana Pérez")
    lost = cli_json(data, "card", "lost", "--folio", str(folios[0]), "--date", day(0),
                    "--by", "Ana Pérez")
    assert lost["status"] == "revoked"
    verdicts = {v["folio"]: v for v in _verify(data, png)}
    assert verdicts[folios[0]]["verdict"] == "revoked"
    assert f"reportada como extraviada el {day(0)}" in verdicts[folios[0]]["reason"]
    assert (verdicts[folios[0]]["revocation"], verdicts[folios[1]]["verdict"]) == ("lost",
                                                                                  "valid")
    lists = cli_json(data, "pending", "--school", cct)
    assert [s["curp"] for s in lists["needs_receipt"]] == [curps[0]]
    assert curps[0] not in {s["curp"] for s in lists["needs_card"]}

    snapshot = ledger_snapshot(data)
    assert "requiere el recibo" in refused(data, "print", "--school", cct, "--curp", curps[0],
                                           "--pdf", str(tmp_path / "x.pdf"))
    assert "requiere el recibo original" in refused(
        data, "replacement", "request", "--curp", curps[0], "--reason", "extravio",
        "--by", "Ana Pérez")
    assert "ya está dada de baja" in refused(data, "card", "lost", "--folio", str(folios[0]),
                                              "--by", "Ana Pérez")
    assert "posterior a hoy" in refused(
        data, "replacement", "request", "--curp", curps[0], "--reason", "extravio",
        "--receipt", "REC-2026-0001", "--receipt-date", day(1), "--by", "Ana Pérez")
    assert ledger_snapshot(data) == snapshot

    rep = cli_json(data, "replacement", "request", "--curp", curps[0], "--reason", "extravio",
                   "--receipt", "rec 2026 0001", "--receipt-date", day(0), "--by", "Ana Pérez",
                   "--pdf", str(tmp_path / "r.pdf"))
    assert rep["replacement"]["receipt"] == "REC20260001" and rep["replacement"]["fee_mxn"] == 28
    new_folio = rep["sheets"][0]["folios"][0]
    assert new_folio > max(folios)
    old = {v["folio"]: v for v in _verify(data, png)}[folios[0]]
    assert old["replaced_by"] == new_folio and old["revocation"] == "lost"
    assert f"reemplazada por el folio {new_folio}" in old["reason"]
    new = _verify(data, pdf_pngs(tmp_path / "r.pdf", tmp_path / "r")[0])
    assert [(v["verdict"], v["folio"]) for v in new] == [("valid", new_folio)]

    # The same receipt is accepted once, whatever its spelling.
    snapshot = ledger_snapshot(data)
    assert "ya se usó para otra reposición" in refused(
        data, "replacement", "request", "--curp", curps[1], "--reason", "dano",
        "--receipt", "REC-2026-0001", "--receipt-date", day(0),
        "--by", "Ana Pérez")
    assert ledger_snapshot(data) == snapshot

    # Damage without loss: the old card stays valid until the new one issues.
    cli(data, "replacement", "request", "--curp", curps[1], "--reason", "daño",
        "--receipt", "REC-2026-0002", "--receipt-date", day(0), "--by", "Ana Pérez")
    assert {v["folio"]: v["verdict"] for v in _verify(data, png)}[folios[1]] == "valid"
    assert curps[1] in [s["curp"] for s in cli_json(data, "pending", "--school", cct)[
        "needs_card"]]
    batch = cli_json(data, "print", "--school", cct, "--all-pending", "--pdf",
                     str(tmp_path / "b.pdf"))
    issued = [f for s in batch["sheets"] for f in s["folios"]]
    assert len(issued) == len(curps) - 1  # every pending student, the damaged card's owner too
    damaged = {v["folio"]: v for v in _verify(data, png)}[folios[1]]
    assert damaged["verdict"] == "revoked" and damaged["revocation"] == "replaced"
    assert "reposición por daño" in damaged["reason"]
    reps = cli_json(data, "replacement", "list")
    assert [r["awaiting_print"] for r in reps] == [False, False]
    audit = cli_json(data, "audit")
    assert audit["ok"] and audit["receipts"] == {"count": 2, "problems": []}


def test_audit_finds_tampered_holograms_and_receipts(station_data, tmp_path: Path) -> None:
    import sqlite3

    data, cct, curps = station_data
    _print(data, cct, curps[:2], tmp_path / "a.pdf")
    cli(data, "hologram", "receive", "--first", "H0001", "--last", "H0010")
    cli(data, "hologram", "apply", "--serial", "H0001", "--curp", curps[0])
    cli(data, "replacement", "request", "--curp", curps[1], "--reason", "dano",
        "--receipt", "REC0001", "--receipt-date", day(0), "--by", "Ana Pérez")
    assert cli_json(data, "audit")["ok"]

    # Someone edits the file behind the station's back.
    conn = sqlite3.connect(data / "ledger.sqlite3")
    with conn:
        conn.execute("DELETE FROM supply_movements WHERE item = 'hologramas'")
        conn.execute("UPDATE hologram_uses SET serial = 'H0999' WHERE serial = 'H0001'")
        conn.execute("UPDATE replacements SET receipt_ref = 'rec-0001'")
        conn.execute("INSERT INTO replacements (curp, old_folio, reason, receipt_ref,"
                     " receipt_date, fee_mxn, taken_by, at) SELECT curp, folio, 'damaged',"
                     " 'REC0001', '2026-01-01', 28, 'x', 't' FROM cards WHERE curp = ?",
                     (curps[0],))
    conn.close()
    result = cli(data, "audit", ok=False)
    assert result.exit_code == 1 and "LA AUDITORÍA ENCONTRÓ PROBLEMAS" in result.output
    for problem in ("H0999 no pertenece a un rango recibido", "registró 0 de entrada",
                    "REC0001 está registrado 2 veces", "«rec-0001» no está escrito",
                    "Existencia de hologramas: por número de serie 9, en el inventario -1"):
        assert problem in result.output, problem

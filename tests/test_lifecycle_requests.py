"""Declines and requests of a card (normativo 4) through the `station` command line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from plugin_lifecycle import TODAY, cli, cli_json, day, ledger_snapshot, refused


def _needs_card(data: Path, cct: str) -> list[str]:
    return [s["curp"] for s in cli_json(data, "pending", "--school", cct)["needs_card"]]


def test_a_decline_removes_the_student_until_withdrawn(station_data, tmp_path: Path) -> None:
    data, cct, curps = station_data
    who = curps[3]
    answer = cli_json(data, "decline", "record", "--curp", who, "--declared-by", "madre",
                      "--date", day(-1), "--by", "Laura Méndez (secretaria)")
    assert answer["declared_by"] == "tutor" and answer["taken_by"] == "Laura Méndez (secretaria)"
    assert who not in _needs_card(data, cct)
    lists = cli_json(data, "pending", "--school", cct)
    assert [s["curp"] for s in lists["declined"]] == [who]
    declines = cli_json(data, "decline", "list", "--school", cct)
    assert [(d["curp"], d["declined_on"]) for d in declines] == [
        (who, (TODAY - timedelta(days=1)).isoformat())]

    snapshot = ledger_snapshot(data)
    text = refused(data, "print", "--school", cct, "--curp", who, "--pdf", str(tmp_path / "x"))
    assert "renunció a la credencial" in text and "decline withdraw" in text
    assert "ya tiene registrada la renuncia" in refused(
        data, "decline", "record", "--curp", who, "--declared-by", "alumno", "--by", "Laura M")
    assert "Falta quién recibió la renuncia" in refused(
        data, "decline", "record", "--curp", curps[4], "--declared-by", "alumno")
    assert "retire primero la renuncia" in refused(
        data, "request", "record", "--curp", who, "--requested-by", "tutor", "--by", "Laura M")
    assert "no está en la plantilla" in refused(
        data, "decline", "record", "--curp", "XAXX010101HJCXXXA1", "--declared-by", "tutor",
        "--by", "Laura M")
    assert ledger_snapshot(data) == snapshot

    batch = cli_json(data, "print", "--school", cct, "--all-pending", "--pdf",
                     str(tmp_path / "a.pdf"))
    assert sum(len(s["folios"]) for s in batch["sheets"]) == len(curps) - 1
    assert _needs_card(data, cct) == []

    cli(data, "decline", "withdraw", "--curp", who, "--by", "Laura M")
    assert _needs_card(data, cct) == [who]
    assert "no tiene una renuncia" in refused(data, "decline", "withdraw", "--curp", who,
                                              "--by", "Laura M")
    history = cli_json(data, "decline", "list", "--all")
    assert history[0]["withdrawn_by"] == "Laura M"


def test_requests_unattended_after_n_days_are_reported(station_data, tmp_path: Path) -> None:
    data, cct, curps = station_data
    old, recent = curps[0], curps[1]
    cli(data, "request", "record", "--curp", old, "--requested-by", "tutor",
        "--date", day(-20), "--by", "Laura M")
    cli(data, "request", "record", "--curp", recent, "--requested-by", "alumno",
        "--date", day(-5), "--by", "Laura M")
    assert "solicitud de credencial pendiente" in refused(
        data, "request", "record", "--curp", old, "--requested-by", "tutor", "--by", "Laura M")

    late = cli_json(data, "request", "unattended")
    assert late["days"] == 10
    assert [(r["curp"], r["days_waiting"]) for r in late["requests"]] == [(old, 20)]
    wider = cli_json(data, "request", "unattended", "--days", "3")
    assert [r["curp"] for r in wider["requests"]] == [old, recent]
    words = cli(data, "request", "unattended").output
    assert f"solicitada el {day(-20)}, 20 días sin atender" in words

    # Printing the card attends the request; the report no longer lists it.
    cli(data, "print", "--school", cct, "--curp", old, "--pdf", str(tmp_path / "a.pdf"))
    assert cli_json(data, "request", "unattended")["requests"] == []
    assert [r["curp"] for r in cli_json(data, "request", "unattended", "--days", "3")[
        "requests"]] == [recent]
    # A student with card and hologram of the cycle has nothing left to ask for.
    cli(data, "hologram", "receive", "--first", "A0001", "--last", "A0010")
    cli(data, "hologram", "apply", "--serial", "A0001", "--curp", old)
    assert "ya tiene credencial" in refused(data, "request", "record", "--curp", old,
                                            "--requested-by", "tutor", "--by", "Laura M")

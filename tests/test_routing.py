"""Who prints (normativo 2): the rule, and the refusals of school and DRSE stations."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_lifecycle import cli_json, ledger_snapshot, refused, write_settings

from foundation.errors import RuleViolation
from station.core.model import Nivel, School, Turno
from station.core.routing import Thresholds, check_station_may_print, route, route_school

T = Thresholds(primaria=475, secundaria=222)


@pytest.mark.parametrize(("nivel", "matricula", "internet", "where"), [
    (Nivel.PRIMARIA, 474, True, "drse"),
    (Nivel.PRIMARIA, 475, True, "escuela"),
    (Nivel.PRIMARIA, 900, False, "drse"),
    (Nivel.SECUNDARIA, 221, True, "drse"),
    (Nivel.SECUNDARIA, 222, True, "escuela"),
    (Nivel.SECUNDARIA, 100, False, "drse"),
])
def test_route(nivel: Nivel, matricula: int, internet: bool, where: str) -> None:
    assert route(nivel, matricula, internet, T).where == where


def test_route_gives_every_reason() -> None:
    r = route(Nivel.SECUNDARIA, 58, False, T)
    assert r.reasons == ("su matrícula (58) es menor que 222, el mínimo de una secundaria "
                         "para imprimir en el plantel", "no cuenta con internet")
    assert route(Nivel.PRIMARIA, 300, True, Thresholds(primaria=250, secundaria=222)).where \
        == "escuela"


def _school(cct: str, matricula: int, drse: str = "VALLES (AMECA)") -> School:
    return School(cct, "ESCUELA", Nivel.PRIMARIA, Turno.MATUTINO, "D", "M", "1", drse,
                  matricula, True)


def test_station_refusals() -> None:
    big, small = _school("14DPR0001A", 600), _school("14DPR0002B", 100)
    ok = {"station_cct": "", "station_drse": ""}
    check_station_may_print(kind="escuela", school=big, routing=route_school(big, T), **ok)
    with pytest.raises(RuleViolation, match="imprime sus credenciales en su DRSE"):
        check_station_may_print(kind="escuela", school=small, routing=route_school(small, T),
                                **ok)
    with pytest.raises(RuleViolation, match="Esta estación es de la escuela 14DPR0009Z"):
        check_station_may_print(kind="escuela", school=big, routing=route_school(big, T),
                                station_cct="14DPR0009Z", station_drse="")
    drse = {"station_cct": "", "station_drse": "valles (ameca)"}
    check_station_may_print(kind="drse", school=small, routing=route_school(small, T), **drse)
    with pytest.raises(RuleViolation, match="imprime sus credenciales en su propio plantel"):
        check_station_may_print(kind="drse", school=big, routing=route_school(big, T), **drse)
    other = _school("14DPR0003C", 100, drse="SUR (CD. GUZMÁN)")
    with pytest.raises(RuleViolation, match="pertenece a la DRSE SUR"):
        check_station_may_print(kind="drse", school=other, routing=route_school(other, T),
                                **drse)
    with pytest.raises(RuleViolation, match="no tiene configurada su DRSE"):
        check_station_may_print(kind="drse", school=small, routing=route_school(small, T),
                                station_cct="", station_drse=" ")


def test_route_command_with_school_data_and_thresholds(station_data) -> None:
    data, _cct, _ = station_data
    assert cli_json(data, "route", "--nivel", "primaria", "--matricula", "474",
                    "--internet", "si")["where"] == "drse"
    assert cli_json(data, "route", "--nivel", "PRIMARIA", "--matricula", "475",
                    "--internet", "si")["where"] == "escuela"
    write_settings(data, routing__primaria_min_students=100)
    assert cli_json(data, "route", "--nivel", "PRIMARIA", "--matricula", "143",
                    "--internet", "si")["where"] == "escuela"
    rows = {r["cct"]: r for r in cli_json(data, "route")}
    assert rows["14EPR9902E"]["where"] == "escuela"  # 143 ≥ 100 now
    assert rows["14ETV9903F"]["where"] == "drse" and not rows["14ETV9903F"]["served_here"]
    assert "no cuenta con internet" in rows["14ETV9903F"]["reasons"]


def test_school_station_refuses_a_school_routed_to_its_drse(station_data, tmp_path) -> None:
    data, cct, _curps = station_data
    snapshot = ledger_snapshot(data)
    text = refused(data, "print", "--school", "14EPR9902E", "--all-pending", "--pdf",
                   str(tmp_path / "x.pdf"))
    assert "imprime sus credenciales en su DRSE (ALTOS SUR (TEPATITLÁN))" in text
    assert "su matrícula (143) es menor que 475" in text
    write_settings(data, station__school_cct="14EPR9902E")
    assert "Esta estación es de la escuela 14EPR9902E" in refused(
        data, "print", "--school", cct, "--all-pending", "--pdf", str(tmp_path / "x.pdf"))
    assert ledger_snapshot(data) == snapshot
    assert not Path(tmp_path / "x.pdf").exists()


def test_drse_station_serves_its_region_only(drse_station, tmp_path) -> None:
    data, cct, curps = drse_station
    answer = cli_json(data, "print", "--school", cct, "--all-pending", "--pdf",
                      str(tmp_path / "a.pdf"))
    assert sum(len(s["folios"]) for s in answer["sheets"]) == len(curps) > 0
    snapshot = ledger_snapshot(data)
    assert "pertenece a la DRSE CENTRO 2 ZAPOPAN" in refused(
        data, "print", "--school", "14DPR9901D", "--all-pending", "--pdf", str(tmp_path / "b"))
    assert "pertenece a la DRSE COSTA SIERRA OCCIDENTAL" in refused(
        data, "print", "--school", "14ETV9903F", "--all-pending", "--pdf", str(tmp_path / "c"))
    # With a lower threshold the small primaria prints on its own: the DRSE refuses it.
    write_settings(data, station__kind="drse", station__drse="Altos Sur (Tepatitlán)",
                   routing__primaria_min_students=100)
    text = refused(data, "print", "--school", cct, "--curp", curps[0], "--pdf",
                   str(tmp_path / "d"))
    assert "imprime sus credenciales en su propio plantel" in text
    assert ledger_snapshot(data) == snapshot

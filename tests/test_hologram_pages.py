"""«Hologramas» (issue 13) in a real headless Chromium against central on SQLite and
PostgreSQL: the state registers a roll and hands a range to a DRSE, the DRSE hands part of it
to a school; overlaps and ranges outside the one held are refused with the reason; another
DRSE sees none of it and its request for the range answers 403 with nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from plugin_central import import_demo
from sqlalchemy import func, select

from central.crud.staff import create_account
from central.models import HologramLot, StaffAction
from central.settings import CentralSettings
from foundation.sqldb import make_engine, make_sessionmaker

PASSWORD = "contraseña de pruebas"
ZAPOPAN, TEPA = "CENTRO 2 ZAPOPAN", "ALTOS SUR (TEPATITLÁN)"


@pytest.fixture
def sessions(central_settings: CentralSettings, tmp_path: Path) -> Iterator[Any]:
    import_demo(central_settings, tmp_path / "export", students=10)
    engine = make_engine(central_settings.database_url)
    factory = make_sessionmaker(engine)
    with factory() as session, session.begin():
        for user, role, region in (("ana", "estatal", None), ("zoe", "drse", ZAPOPAN),
                                   ("beto", "drse", TEPA)):
            create_account(session, username=user, password=PASSWORD, role=role,
                           region=region, display_name=user.title(), now=datetime.now(UTC))
    yield factory
    engine.dispose()


def _signed_in(chromium: Any, url: str, user: str) -> Any:
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="es-MX")
    page = context.new_page()
    page.goto(f"{url}/staff")
    page.fill("#usuario", user)
    page.fill("#contrasena", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=Hologramas")
    return page


def _counts(sessions: Any) -> tuple[int, int]:
    with sessions() as session:
        return (int(session.scalar(select(func.count()).select_from(HologramLot)) or 0),
                int(session.scalar(select(func.count()).select_from(StaffAction)) or 0))


def _hand_out(page: Any, row: str, first: str, last: str, to: str) -> None:
    form = page.locator(f"#{row} form")
    form.locator("[name=primero]").fill(first)
    form.locator("[name=ultimo]").fill(last)
    form.locator("[name=para]").select_option(to)
    form.locator("button").click()


def test_state_and_drse_hand_out_ranges_within_their_scope(
        live_central: Any, sessions: Any, chromium: Any) -> None:
    url = live_central.url
    ana = _signed_in(chromium, url, "ana")
    assert "Todavía no hay rollos registrados" in ana.inner_text("main")
    ana.fill("#primero", "h000100")
    ana.fill("#ultimo", "H000299")
    ana.fill("#ciclo", "2026-2027")
    ana.fill("#referencia", "Remisión 12/2026")
    ana.click("#registrar button")
    assert "Rollo H000100–H000299 del ciclo 2026-2027 registrado: 200 hologramas" in \
        ana.inner_text(".hecho")
    ana.fill("#primero", "H000250")
    ana.fill("#ultimo", "H000400")
    ana.fill("#ciclo", "2026-2027")
    with ana.expect_response(lambda r: r.url.endswith("/rollos")) as answer:
        ana.click("#registrar button")
    assert answer.value.status == 409
    assert ("Los hologramas H000250–H000400 se enciman con el rollo H000100–H000299 "
            "(ciclo 2026-2027) ya registrado") in ana.inner_text("[role=alert]")
    with sessions() as session:
        roll = session.scalars(select(HologramLot)).one()
    _hand_out(ana, f"rango-{roll.id}", "H000100", "H000199", ZAPOPAN)
    assert f"entregados a la DRSE {ZAPOPAN}" in ana.inner_text(".hecho")
    assert "H000100–H000199 → la DRSE CENTRO 2 ZAPOPAN" in ana.inner_text(f"#rango-{roll.id}")

    zoe = _signed_in(chromium, url, "zoe")
    with sessions() as session:
        part = session.scalars(select(HologramLot).where(HologramLot.holder == ZAPOPAN)).one()
    assert zoe.locator(f"#rango-{roll.id}").count() == 0  # the state's roll is not hers
    _hand_out(zoe, f"rango-{part.id}", "H000100", "H000149", "14DPR9901D")
    assert "entregados a la escuela 14DPR9901D" in zoe.inner_text(".hecho")
    _hand_out(zoe, f"rango-{part.id}", "H000140", "H000160", "14DPR9901D")
    assert ("Los hologramas H000140–H000160 se enciman con H000100–H000149, que ya se "
            "entregó a la escuela 14DPR9901D") in zoe.inner_text("[role=alert]")
    _hand_out(zoe, f"rango-{part.id}", "H000190", "H000210", "14DPR9901D")
    assert ("Los hologramas H000190–H000210 no están dentro del rango H000100–H000199"
            in zoe.inner_text("[role=alert]"))
    assert "50" in zoe.inner_text(f"#rango-{part.id} td:nth-child(5)")  # still to hand out

    beto = _signed_in(chromium, url, "beto")
    assert ("La oficina estatal todavía no entregó hologramas a la DRSE ALTOS SUR"
            in beto.inner_text("main"))
    before = _counts(sessions)
    csrf = beto.locator("input[name=csrf]").first.input_value()
    answer = beto.request.post(f"{url}/staff/hologramas/{part.id}/entregar", form={
        "csrf": csrf, "primero": "H000150", "ultimo": "H000160", "para": "14EPR9902E"})
    assert answer.status == 403 and "no le corresponde" in answer.text()
    answer = beto.request.post(f"{url}/staff/hologramas/rollos", form={
        "csrf": csrf, "primero": "H000900", "ultimo": "H000999", "ciclo": "2026-2027"})
    assert answer.status == 403 and "Sólo el personal estatal" in answer.text()
    assert _counts(sessions) == before
    for page in (ana, zoe, beto):
        page.context.close()

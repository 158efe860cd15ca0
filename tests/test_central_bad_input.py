"""Every bad input of issue 10 (finding 9) is a clean refusal on one kept-alive connection.

Central runs under uvicorn on loopback; one ``http.client`` connection carries every request
(signed station pushes, the staff pages after sign-in, the staff API). Each bad input answers
4xx, JSON for the API and a Spanish page for the staff pages, writes nothing, and the very
same socket serves the next request (a plain-text 500 used to leave, or a re-raised
exception used to close, the connection).
"""

from __future__ import annotations

import http.client
import json
import re
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from plugin_central import ADMIN_TOKEN, enroll_key
from test_central_web import PASSWORD, ZAPOPAN, Db, accounts, db  # noqa: F401  (fixtures)

from central.models import Card, StationEvent
from foundation.contract import protocol
from foundation.credential.keys import StationKey

HUGE = "99999999999999999999999"
SURROGATE_BODY = (b'{"events": [{"seq": 1, "prev_seq": 0, "at": "x", "kind": "sheet_spoiled",'
                  b' "payload": {"sheet": 1, "reason": "\\ud800"}}]}')


class OneConnection:
    """A single HTTP/1.1 connection; fails the test if central ever had to reconnect it."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.conn.connect()
        self.sock = self.conn.sock
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=h)
        response = self.conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("set-cookie") or []:
            cookie = SimpleCookie(value)
            self.cookies.update({k: m.value for k, m in cookie.items() if m.value})
        assert self.conn.sock is self.sock, "central closed the connection"
        assert response.headers.get("connection", "").lower() != "close", (path, data[:300])
        return response.status, {k.lower(): v for k, v in response.headers.items()}, data

    def signed(self, key: StationKey, method: str, path: str,
               body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        h = protocol.signed_headers(method, path, body, key_id=key.key_id, sign=key.sign,
                                    timestamp=int(time.time()))
        h["Content-Type"] = "application/json"
        return self.request(method, path, body, h)

    def sign_in(self, user: str) -> str:
        _s, _h, form = self.request("GET", "/staff/ingresar")
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', form.decode()).group(1)
        status, _h, _b = self.request(
            "POST", "/staff/ingresar",
            urlencode({"csrf": csrf, "usuario": user, "contrasena": PASSWORD}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 303
        _s, _h, home = self.request("GET", "/staff")
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', home.decode()).group(1)


def event(seq: int, kind: str, payload: dict[str, Any], prev: int | None = None) -> bytes:
    return json.dumps({"events": [{"seq": seq, "prev_seq": seq - 1 if prev is None else prev,
                                   "at": "2026-09-01T10:00:00+00:00", "kind": kind,
                                   "payload": payload}]}).encode()


def sheet(cards: list[dict[str, Any]], **extra: Any) -> bytes:
    return event(1, "sheet_issued", {"sheet": 1, "cct": ZAPOPAN, "issued_on": "2026-09-01",
                                     "cards": cards, **extra})


CURP = "GOXL150826HJCNXNC2"
STATION_BODIES = [
    ("seq 2^63", event(2**63, "sheet_spoiled", {"sheet": 1}, prev=0)),
    ("seq 2^70", event(2**70, "sheet_spoiled", {"sheet": 1}, prev=0)),
    ("folio 2^80", sheet([{"folio": 2**80, "curp": CURP}])),
    ("lone surrogate", SURROGATE_BODY),
    ("duplicate folio", sheet([{"folio": 1_000_000, "curp": CURP},
                               {"folio": 1_000_000, "curp": "GAGA131004MJCRMNH3"}])),
    ("NUL", event(1, "card_revoked", {"folio": 1_000_000, "reason": "a\u0000b"})),
    ("NUL in cct", sheet([{"folio": 1_000_000, "curp": CURP}], cct="14DPR\u00009901D")),
    ("CURP over 18", sheet([{"folio": 1_000_000, "curp": CURP + "XY"}])),
    ("serial over 40", event(1, "hologram_applied", {"serial": "S" * 41, "cycle": "2026-2027",
                                                     "curp": CURP})),
]


@pytest.fixture
def station_key(api: Any, accounts: None, tmp_path: Path) -> StationKey:  # noqa: F811
    key = StationKey.generate(tmp_path / "k" / "station.key")
    enroll_key(api, key, school=ZAPOPAN)
    return key


def test_every_bad_input_is_a_clean_refusal_on_the_same_connection(
        live_central: Any, station_key: StationKey, db: Db, api: Any) -> None:  # noqa: F811
    one = OneConnection(live_central.port)
    for name, body in STATION_BODIES:
        status, headers, data = one.signed(station_key, "POST", "/api/v1/sync/events", body)
        assert status == 422, (name, data[:300])
        assert headers["content-type"] == "application/json", name
        error = json.loads(data)["error"]
        assert error["code"] in {"invalid-body", "bad-event"}, (name, error)
        words = r"[áéíóúñ]|no es|debe|demasiado|dos veces"
        assert re.search(words, error["message"]), (name, error)
    staff_api = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    for path in (f"/api/v1/admin/cards?folio={HUGE}",
                 f"/api/v1/admin/stations/EST-00001/events?after={HUGE}",
                 f"/api/v1/admin/cards/{HUGE}/revoke"):
        method = "POST" if path.endswith("revoke") else "GET"
        status, headers, data = one.request(
            method, path, b'{"staff": "Ana", "reason": "prueba"}' if method == "POST" else None,
            {**staff_api, "Content-Type": "application/json"})
        assert status == 422 and headers["content-type"] == "application/json", (path, data)
        assert json.loads(data)["error"]["code"] == "invalid-body"
    csrf = one.sign_in("ana")
    for path in (f"/staff/credenciales?folio={HUGE}", "/staff/credenciales?folio=%C2%B2",
                 f"/staff/credenciales/{HUGE}", f"/staff/reportes/{HUGE}/descargar"):
        status, headers, data = one.request("GET", path)
        assert 400 <= status < 500, (path, status, data[:300])
        assert headers["content-type"].startswith("text/html"), path
        assert "<html" in data.decode() and re.search(r"(no es válido|son sólo números|"
                                                      r"no cabe)", data.decode()), path
        assert headers["x-frame-options"] == "DENY", path
    status, _h, data = one.request("GET", "/staff/credenciales?nombre=a%00b")
    assert status == 200 and "Credenciales" in data.decode()  # a NUL matches no name
    upload = requests.Request("POST", "http://x/staff/importar", data={"csrf": csrf}, files={
        "escuelas": ("..", b"cct,nombre\n", "text/csv"),
        "alumnos": (".", b"curp\n", "text/csv")}).prepare()
    status, headers, data = one.request("POST", "/staff/importar", upload.body,
                                        {"Content-Type": upload.headers["Content-Type"]})
    assert status == 422 and headers["content-type"].startswith("text/html"), data[:500]
    assert "escuelas.csv" in data.decode()  # named by its field, not by ".."
    # Nothing was written by any of them, and the connection still serves a good request.
    status, _h, _d = one.signed(station_key, "GET", "/api/v1/sync/hello")
    assert status == 200
    assert db.count(StationEvent) == 0 and db.count(Card) == 0
    assert db.actions("ana") == ["sign-in"]


def test_an_unexpected_error_is_a_complete_500_and_the_connection_survives(
        central_app: Any, central_settings: Any) -> None:
    """The catch-all: JSON for the API, a Spanish page for the staff pages, no traceback to
    the client and no CURP in the log, and the keep-alive connection serves the next one."""
    import logging

    from plugin_central import LiveCentral

    def boom() -> None:
        raise RuntimeError("fila con GOXL150826HJCNXNC2")

    central_app.add_api_route("/api/v1/boom", boom)
    central_app.add_api_route("/staff/boom", boom)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    from central.logs import ScrubFilter

    keep = Keep()
    keep.addFilter(ScrubFilter())
    logging.getLogger("central").addHandler(keep)
    try:
        with LiveCentral(central_app) as live:
            one = OneConnection(live.port)
            status, headers, data = one.request("GET", "/api/v1/boom")
            assert status == 500 and json.loads(data)["error"]["code"] == "internal-error"
            status, headers, data = one.request("GET", "/staff/boom")
            assert status == 500 and "error inesperado" in data.decode()
            assert headers["content-type"].startswith("text/html")
            assert "Traceback" not in data.decode() and "GOXL" not in data.decode()
            status, _h, _d = one.request("GET", "/staff/ingresar")
            assert status == 200
    finally:
        logging.getLogger("central").removeHandler(keep)
    lines = [r.getMessage() for r in records]
    assert any("RuntimeError" in line and "[CURP]" in line for line in lines), lines
    assert not any("GOXL150826" in line for line in lines)


def test_staff_pages_send_security_headers(api: Any) -> None:
    page = api.get("/staff/ingresar")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"

"""The whole certificate flow in a real headless Chromium, on SQLite and PostgreSQL, with the
sample SAE data: folios → request → authorisation → review → three signatures (in the browser
with WebCrypto and offline with ``conalep sign``) → COSFAC release → download → delivery →
listing → replacement; the PDFs read back with pdftotext and the QR of the rendered page
verified with ``station verify``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner
from conalep_cert_setup import add_all_staff, load_sae
from openpyxl import load_workbook
from plugin_conalep import PASSWORD
from sqlalchemy import select

from conalep.cli import main as conalep_main
from conalep.models.certificates import Certificate
from station.cli import main as station_main


class Office:
    """One person's browser context, signed in."""

    def __init__(self, browser: Any, base: str, username: str, downloads: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1366, "height": 768},
                                           accept_downloads=True, locale="es-MX")
        self.page = self.context.new_page()
        self.base, self.downloads = base, downloads
        self.page.goto(f"{base}/staff/ingresar")
        self.page.fill("#usuario", username)
        self.page.fill("#contrasena", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{base}/staff")

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def download(self, selector: str, name: str) -> Path:
        with self.page.expect_download() as info:
            self.page.click(selector)
        target = self.downloads / name
        info.value.save_as(target)
        return target

    def click_all(self, path: str, button: str) -> int:
        """Press every ``button`` on the page at ``path`` (each press reloads the list)."""
        pressed = 0
        page = self.go(path)
        while page.locator(f"button:has-text('{button}')").count():
            page.locator(f"button:has-text('{button}')").first.click()
            page.wait_for_selector(".hecho")
            pressed += 1
        return pressed

    def close(self) -> None:
        self.context.close()


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def keygen(path: Path, *extra: str) -> None:
    result = CliRunner().invoke(conalep_main, ["keygen", str(path), *extra])
    assert result.exit_code == 0, result.output
    assert path.stat().st_mode & 0o777 == 0o600


def test_whole_flow_in_chromium(live_conalep: Any, conalep_sessions: Any, chromium: Any,
                                tmp_path: Path) -> None:
    graduates = load_sae(conalep_sessions)
    add_all_staff(conalep_sessions)
    base = live_conalep.url
    keys = {"director.165": tmp_path / "director.pem",
            "director.general": tmp_path / "dg.pem",
            "dg.nacional": tmp_path / "nacional.pem"}
    keygen(keys["director.165"])
    keygen(keys["director.general"])
    keygen(keys["dg.nacional"], "--ecdsa")  # ES256 in WebCrypto too
    public = {u: subprocess.run(["openssl", "pkey", "-in", str(k), "-pubout"],
                                capture_output=True, text=True, check=True).stdout
              for u, k in keys.items()}

    def office(username: str) -> Office:
        return Office(chromium, base, username, tmp_path)

    # 2.1 The national office grants the state a block, with its reference.
    on = office("on.folios")
    page = on.go("/staff/certificados/folios")
    page.fill("#referencia", "ON/DSE/0417/2026")
    page.fill("#bloque", "1000001-1000100")
    page.click("button:has-text('Registrar otorgamiento')")
    assert "Otorgamiento registrado" in page.inner_text(".hecho")
    on.close()

    # 2.2 DG assigns a sub-block to plantel 165 and registers the signers' public keys.
    dg = office("dg.escolares")
    page = dg.go("/staff/certificados/folios")
    page.select_option("#plantel", "165")
    page.fill("#bloque-plantel", "1000001-1000040")
    page.click("button:has-text('Asignar al plantel')")
    assert "40 folios asignados" in page.inner_text(".hecho")
    for username, office_key, plantel in (("director.165", "plantel_director", "165"),
                                          ("director.general", "dg_director_general", ""),
                                          ("dg.nacional", "director_general_nacional", "")):
        page = dg.go("/staff/certificados/llaves")
        page.fill("#cuenta", username)
        page.fill("#nombre", f"TITULAR {username.upper()}")
        page.select_option("#cargo", office_key)
        page.fill("#plantel", plantel)
        page.fill("#pem", public[username])
        page.click("button:has-text('Registrar llave')")
        assert "registrada" in page.inner_text(".hecho")

    # 2.3 The plantel assigns one folio per regular graduate; asks for more with F01.
    plantel = office("escolares.165")
    page = plantel.go("/staff/certificados/folios")
    page.click("button:has-text('Asignar folios a los egresados')")
    assert f"{graduates} folios asignados" in page.inner_text(".hecho")
    page.select_option("#tipo", "folios")
    page.fill("#cantidad", "60")
    page.fill("#justificacion", "Generación 2023-2026")
    page.click("button:has-text('Enviar solicitud F01')")
    f01 = text_of(plantel.download("text=PDF", "f01.pdf"))
    assert "30-524-PO-04-F01" in f01 and "Generación 2023-2026" in f01

    # 2.2 (plantel) request through CENTRES; norm 19: DG authorises.
    assert plantel.click_all("/staff/certificados", "Solicitar") == graduates
    assert dg.click_all("/staff/certificados", "Autorizar") == graduates
    # 2.4 The plantel's review, then DG's spelling check (norms 21, 24).
    listing = plantel.go("/staff/certificados")
    ids = [a.get_attribute("href").rsplit("/", 1)[1]
           for a in listing.locator("#certificados tbody a").all()]
    ids = sorted(set(i for i in ids if i.isdigit()), key=int)
    assert len(ids) == graduates
    for cid in ids:
        page = plantel.go(f"/staff/certificados/{cid}")
        assert "corresponde a la CURP" in page.inner_text("#problemas")
        page.click("button:has-text('Notificar revisión')")
        page.wait_for_selector(".hecho")
        page = dg.go(f"/staff/certificados/{cid}")
        page.click("button:has-text('Validar revisión')")
        assert "listo para firmas" in page.inner_text(".hecho")

    # 4 Signatures in norm 17's order: the director in the browser (WebCrypto, Ed25519)…
    director = office("director.165")
    page = director.go("/staff/certificados/firmar")
    assert page.locator("#pendientes tbody tr").count() == graduates
    page.set_input_files("#llave", str(keys["director.165"]))
    page.click("#firmar-navegador")
    page.wait_for_selector("#resultado-firma.hecho")
    assert f"{graduates} firmas recibidas" in page.inner_text("#resultado-firma")
    # … the state director general offline with `conalep sign` …
    dgen = office("director.general")
    page = dgen.go("/staff/certificados/firmar")
    package = dgen.download("#paquete", "paquete.json")
    signed = CliRunner().invoke(conalep_main, ["sign", str(package), "--llave",
                                               str(keys["director.general"]), "--salida",
                                               str(tmp_path / "firmas.json")])
    assert signed.exit_code == 0, signed.output
    page.set_input_files("#firmas", str(tmp_path / "firmas.json"))
    page.click("button:has-text('Subir firmas')")
    assert f"{graduates} firmas recibidas" in page.inner_text(".hecho")
    # … and the national director general in the browser with an ECDSA P-256 key.
    nat = office("dg.nacional")
    page = nat.go("/staff/certificados/firmar")
    page.set_input_files("#llave", str(keys["dg.nacional"]))
    page.click("#firmar-navegador")
    page.wait_for_selector("#resultado-firma.hecho")

    # Download before release is refused.
    early = plantel.go(f"/staff/certificados/{ids[0]}/certificado.pdf")
    assert "no ha sido liberado" in early.content()

    # 6.1 COSFAC validates and releases.
    cosfac = office("cosfac")
    assert cosfac.click_all("/staff/certificados", "Validar y liberar") == graduates

    # The certificate PDF and its chain file.
    page = plantel.go(f"/staff/certificados/{ids[0]}")
    pdf = plantel.download("#descargar-pdf", "certificado.pdf")
    chain = plantel.download("#descargar-cadena", "cadena.json")
    text = text_of(pdf)
    assert "CERTIFICADO DE TERMINACIÓN DE ESTUDIOS" in text and "Profesional Técnico-Bachiller" \
        in text and text.count("firmado el") == 3
    published = tmp_path / "llaves.json"
    published.write_bytes(requests.get(f"{base}/certificados/llaves.json", timeout=10).content)
    checked = CliRunner().invoke(conalep_main, ["verify-chain", str(chain), "--llaves",
                                                str(published)])
    assert checked.exit_code == 0 and "Cadena válida: 3 firmas" in checked.output
    tampered = json.loads(chain.read_text())
    tampered["documento"]["carrera"] = "MEDICINA"
    (tmp_path / "alterada.json").write_text(json.dumps(tampered))
    bad = CliRunner().invoke(conalep_main, ["verify-chain", str(tmp_path / "alterada.json"),
                                            "--llaves", str(published)])
    assert bad.exit_code == 1 and "NO válida" in bad.output

    # The QR of the rendered page verifies with `station verify`.
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "pagina")], check=True)
    station = tmp_path / "estacion"
    imported = CliRunner().invoke(station_main, ["--data", str(station), "certificates",
                                                 "import", str(published)])
    assert imported.exit_code == 0, imported.output
    verdict = CliRunner().invoke(station_main, ["--data", str(station), "verify",
                                                str(tmp_path / "pagina.png"), "--json"])
    [answer] = json.loads(verdict.output)
    assert answer["verdict"] == "valid" and answer["reason"].startswith("Certificado válido")
    folio = answer["folio"]
    assert str(folio) in text and answer["matricula"] in text

    # 7 DG instructs the delivery (7.1); the plantel delivers with F02 (3.1) and the listing
    # (consecutivo, folio, nombre, matrícula, carrera).
    page = dg.go("/staff/certificados/entregas")
    page.select_option("#i-plantel", "165")
    page.fill("#i-oficio", "DG/SE/120/2026")
    page.click("button:has-text('Instruir entrega')")
    assert "Instrucción de entrega" in page.inner_text(".hecho")
    page = plantel.go("/staff/certificados/entregas")
    assert "DG/SE/120/2026" in page.inner_text(".aviso")
    page.fill("#oficio", "165/SE/031/2026")
    for box in page.locator("input[name=certificado]").all():
        box.check()
    page.click("button:has-text('Registrar entregas')")
    assert f"{graduates} entregas registradas" in page.inner_text(".hecho")
    listing_pdf = text_of(plantel.download("#listado-pdf", "listado.pdf"))
    assert "165/SE/031/2026" in listing_pdf and str(folio) in listing_pdf
    book = load_workbook(plantel.download("#listado-xlsx", "listado.xlsx"))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("Consecutivo", "Folio", "Nombre", "Matrícula", "Carrera")
    assert [r[0] for r in rows[1:]] == list(range(1, graduates + 1))
    ack = text_of(plantel.download("text=F02", "f02.pdf"))
    assert "30-524-PO-04-F02" in ack

    # Public verification, no sign-in: only name, career, date and state.
    public_page = chromium.new_page()
    public_page.goto(f"{base}/certificados/verificar?folio={folio}")
    assert public_page.get_attribute("#respuesta", "data-estado") == "valido"
    shown = public_page.inner_text("#respuesta")
    assert "GONZÁLEZ" in shown or "SANTIAGO" in shown or answer["name"] in shown
    assert answer["matricula"] not in shown
    # The graduate downloads the released certificate to print, QR included.
    with conalep_sessions() as s:
        curp = s.scalar(select(Certificate.curp).where(Certificate.folio == folio))
    public_page.goto(f"{base}/certificados/mi-certificado")
    public_page.fill("#folio", str(folio))
    public_page.fill("#curp", curp.lower())
    with public_page.expect_download() as got:
        public_page.click("#mi-certificado button[type=submit]")
    own = tmp_path / "mi-certificado.pdf"
    got.value.save_as(own)
    own_text = text_of(own)
    assert str(folio) in own_text and answer["matricula"] in own_text
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(own),
                    str(tmp_path / "mia")], check=True)
    [mine] = json.loads(CliRunner().invoke(station_main, [
        "--data", str(station), "verify", str(tmp_path / "mia.png"), "--json"]).output)
    assert mine["verdict"] == "valid" and mine["folio"] == folio

    # 18, 28 Replacement: a new folio, the old one revoked (the station learns it too).
    page = dg.go(f"/staff/certificados/{ids[0]}")
    page.fill("#motivo-reponer", "Extravío reportado por la persona egresada")
    page.click("button:has-text('Reponer')")
    assert "folio nuevo" in page.inner_text(".hecho")
    public_page.goto(f"{base}/certificados/verificar?folio={folio}")
    assert public_page.get_attribute("#respuesta", "data-estado") == "revocado"
    published.write_bytes(requests.get(f"{base}/certificados/llaves.json", timeout=10).content)
    CliRunner().invoke(station_main, ["--data", str(station), "certificates", "import",
                                      str(published)])
    [again] = json.loads(CliRunner().invoke(station_main, [
        "--data", str(station), "verify", str(tmp_path / "pagina.png"), "--json"]).output)
    assert again["verdict"] == "revoked"
    audit = CliRunner().invoke(conalep_main, ["audit", "--json"],
                               env=live_conalep_env(live_conalep))
    assert json.loads(audit.output)["ok"], audit.output
    public_page.close()
    for o in (dg, plantel, director, dgen, nat, cosfac):
        o.close()


def live_conalep_env(live: Any) -> dict[str, str]:
    settings = live.server.config.app.state.ctx.settings
    return {"CONALEP_DATA_DIR": str(settings.data_dir),
            "CONALEP_DATABASE_URL": settings.database_url,
            "CONALEP_SECRET_KEY": settings.secret_key.get_secret_value()}

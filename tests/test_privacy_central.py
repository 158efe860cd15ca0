"""Issue 18 on central: ARCO requests (export, rectification, cancellation reaching the
stations), the access record, and the retention purge — on SQLite and PostgreSQL, through the
staff pages (TestClient), the signed station API and the crud functions.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from plugin_central import enroll_key, import_demo, signed
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    func,
    insert,
    or_,
    select,
    update,
)
from test_central_web import issue_cards, signed_in, students_of

from central.crud import privacy_arco
from central.crud.privacy_digest import privacy_key, student_digest
from central.crud.privacy_export import export_student
from central.crud.privacy_purge import purge
from central.crud.staff import create_account
from central.crud.stations import now_utc
from central.models import (
    AccessRecord,
    Base,
    Card,
    Photo,
    PrivacyErasure,
    PrivacyOrderRecord,
    PrivacyRequest,
    StationEvent,
    Student,
)
from central.settings import CentralSettings
from foundation.credential.keys import StationKey
from foundation.photostore import PhotoStore
from foundation.sqldb import make_engine, make_sessionmaker
from station.services.demo_data import write_demo_export

PASSWORD = "contraseña de pruebas"
ZAPOPAN, TEPA = "14DPR9901D", "14EPR9902E"
CENTRO_2, ALTOS_SUR = "CENTRO 2 ZAPOPAN", "ALTOS SUR (TEPATITLÁN)"
ACCOUNTS = (("ana", "estatal", None, None), ("cesc", "drse", CENTRO_2, "control_escolar"),
            ("plan", "drse", CENTRO_2, "planeacion"), ("beto", "drse", ALTOS_SUR, None))


@pytest.fixture
def sessions(central_settings: CentralSettings) -> Any:
    engine = make_engine(central_settings.database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def roster(central_settings: CentralSettings, sessions: Any, tmp_path: Path) -> None:
    """The demo roster and one account per role that matters here."""
    import_demo(central_settings, tmp_path / "export")
    with sessions() as session, session.begin():
        for user, role, region, office in ACCOUNTS:
            create_account(session, username=user, password=PASSWORD, role=role,
                           region=region, display_name=user.title(), now=now_utc(),
                           office=office)


def key_of(settings: CentralSettings) -> bytes:
    assert settings.privacy_key_file is not None
    return privacy_key(settings.privacy_key_file)


def string_cells(session: Any, needle: str) -> dict[str, int]:
    """table → rows whose text columns contain ``needle`` (a scan of the whole schema)."""
    out = {}
    for table in Base.metadata.sorted_tables:
        cols = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not cols:
            continue
        n = session.scalar(select(func.count()).select_from(table).where(
            or_(*[c.contains(needle) for c in cols])))
        if n:
            out[table.name] = int(n)
    return out


def stations(api: Any, tmp_path: Path) -> dict[str, StationKey]:
    keys = {n: StationKey.generate(tmp_path / n / "station.key") for n in ("zap", "c2", "as")}
    enroll_key(api, keys["zap"], school=ZAPOPAN)
    enroll_key(api, keys["c2"], school=None, drse=CENTRO_2, block=False)
    enroll_key(api, keys["as"], school=None, drse=ALTOS_SUR, block=False)
    return keys


def orders(api: Any, key: StationKey, after: int = 0,
           path: str = "/api/v1/privacy-orders") -> dict[str, Any]:
    answer = signed(api, key, "GET", path, params={"after": after})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_cancellation_erases_on_central_and_reaches_only_the_schools_stations(
        api: Any, roster: None, sessions: Any, central_settings: CentralSettings,
        tmp_path: Path) -> None:
    keys = stations(api, tmp_path)
    child, other = students_of(ZAPOPAN)[:2]
    curp = child["curp"]
    issue_cards(api, keys["zap"], [(1_000_000, curp), (1_000_001, other["curp"])], ZAPOPAN)
    photo = b"\xff\xd8\xff\xe0" + b"foto de prueba " * 50
    photo_hash = hashlib.sha256(photo).hexdigest()
    put = signed(api, keys["zap"], "PUT", f"/api/v1/sync/photos/{photo_hash}",
                 params={"curp": curp}, raw=photo)
    assert put.status_code == 200, put.text
    store = PhotoStore(central_settings.photos_dir)
    assert store.has(photo_hash)

    # Who may see the student: Control Escolar of the DRSE yes; Planeación and another DRSE no,
    # and their refusal shows nothing of the child.
    for user, words in (("plan", "las atiende Control Escolar"),
                        ("beto", "no es de las escuelas de su DRSE")):
        csrf = signed_in(api, user)
        refused = api.post("/staff/privacidad/alumno", data={"csrf": csrf, "curp": curp})
        assert refused.status_code == 403 and words in refused.text, (user, refused.text)
        assert child["primer_apellido"] not in refused.text and curp not in refused.text
        api.post("/staff/salir", data={"csrf": csrf})
        api.cookies.clear()
    csrf = signed_in(api, "cesc")
    shown = api.post("/staff/privacidad/alumno", data={"csrf": csrf, "curp": curp})
    assert shown.status_code == 200 and child["primer_apellido"] in shown.text
    assert "1000000" in shown.text
    exported = api.post("/staff/privacidad/alumno/exportar",
                        data={"csrf": csrf, "curp": curp, "formato": "json"})
    assert exported.status_code == 200
    tables = exported.json()["tablas"]
    assert [c["folio"] for c in tables["cards"]] == [1_000_000]
    assert tables["photos"][0]["hash"] == photo_hash
    assert len(tables["station_events"]) == 1 and tables["students"][0]["curp"] == curp

    done = api.post("/staff/privacidad/alumno/cancelar", data={
        "csrf": csrf, "curp": curp, "folio": "ARCO-7/2026", "recibida": date.today().isoformat(),
        "fundamento": "Art. 46 LGPDPPSO, cancelación solicitada por la madre", "confirmo": "si"})
    assert done.status_code == 200, done.text
    assert "Se cancelaron los datos del alumno (solicitud ARCO-7/2026)" in done.text
    assert "ARCO-7/2026" in done.text and "Cancelación" in done.text

    digest = student_digest(key_of(central_settings), curp)
    with sessions() as session:
        assert session.get(Student, curp) is None
        card = session.scalar(select(Card).where(Card.folio == 1_000_000))
        assert card is not None and card.curp == digest and card.status == "active"
        assert session.scalar(select(func.count()).select_from(Card)) == 2  # audit balances
        assert session.get(Photo, photo_hash) is None
        erasure = session.get(PrivacyErasure, digest)
        assert erasure is not None and erasure.cause == "cancelacion"
        assert erasure.photo_hash is None and erasure.erased_by == "cesc"
        assert json.loads(erasure.summary)["cards"] == {"con_huella": 1}
        assert digest in session.scalar(select(StationEvent.payload))
        request = session.scalar(select(PrivacyRequest))
        assert request is not None and request.kind == "cancelacion"
        assert request.student == digest and request.answered_on == date.today()
        # The CURP is nowhere but in the order the stations still need.
        assert string_cells(session, curp) == {"privacy_orders": 1}
    assert not store.has(photo_hash)

    # The school's station and its DRSE's station get the order; another DRSE's gets none.
    page = orders(api, keys["zap"])
    assert [(o["kind"], o["curp"], o["cct"]) for o in page["orders"]] == [
        ("cancelacion", curp, ZAPOPAN)]
    assert "ARCO-7/2026" in page["orders"][0]["reason"] and page["more"] is False
    assert orders(api, keys["zap"], page["cursor"])["orders"] == []
    assert orders(api, keys["c2"], path="/api/v1/sync/privacy-orders")["orders"] == \
        page["orders"]
    assert orders(api, keys["as"])["orders"] == []
    # Roster and photo pulls no longer carry the child.
    pulled = signed(api, keys["zap"], "GET", "/api/v1/sync/roster").json()
    curps = {s["curp"] for s in pulled["students"]}
    assert curp not in curps and other["curp"] in curps
    assert signed(api, keys["zap"], "GET",
                  f"/api/v1/sync/photos/{photo_hash}").status_code in (403, 404)
    again = api.post("/staff/privacidad/alumno", data={"csrf": csrf, "curp": curp})
    assert again.status_code == 404 and "ya se borraron" in again.text

    # The station printed once more before it applied the order: the CURP does not come back.
    late = {"seq": 2, "prev_seq": 1, "at": "2026-09-02T10:00:00+00:00", "kind": "sheet_issued",
            "payload": {"sheet": 2, "cct": ZAPOPAN, "issued_on": "2026-09-02",
                        "key_id": keys["zap"].key_id.hex(), "reprint_of": None,
                        "cancelled": [], "cards": [{"folio": 1_000_002, "curp": curp}]}}
    pushed = signed(api, keys["zap"], "POST", "/api/v1/sync/events", body={"events": [late]})
    assert pushed.status_code == 200 and pushed.json()["refused"] == [], pushed.text
    with sessions() as session:
        assert session.scalar(select(Card.curp).where(Card.folio == 1_000_002)) == digest
        assert string_cells(session, curp) == {"privacy_orders": 1}

    # SCEJAL still lists the child: the next import leaves them out.
    from central.cli import main as central_cli

    escuelas, alumnos = write_demo_export(tmp_path / "again", students=30)
    env = {"CENTRAL_DATA_DIR": str(central_settings.data_dir),
           "CENTRAL_DATABASE_URL": central_settings.database_url}
    out = CliRunner().invoke(central_cli, ["import-roster", str(escuelas), str(alumnos)],
                             env=env)
    assert out.exit_code == 0, out.output
    assert "No se importaron 1 alumno cuyos datos se cancelaron" in out.output
    with sessions() as session:
        assert session.get(Student, curp) is None and session.get(Student, other["curp"])


def test_rectification_changes_the_name_and_orders_the_stations(
        api: Any, roster: None, sessions: Any, tmp_path: Path) -> None:
    keys = stations(api, tmp_path)
    child = students_of(ZAPOPAN)[2]
    first = signed(api, keys["zap"], "GET", "/api/v1/sync/roster").json()
    csrf = signed_in(api, "ana")
    bad = api.post("/staff/privacidad/alumno/rectificar", data={
        "csrf": csrf, "curp": child["curp"], "campo": "nombre", "valor": "J0SÉ 123",
        "folio": "ARCO-8/2026", "recibida": date.today().isoformat(),
        "fundamento": "Art. 45 LGPDPPSO"})
    assert bad.status_code == 422 and "sólo letras" in bad.text
    done = api.post("/staff/privacidad/alumno/rectificar", data={
        "csrf": csrf, "curp": child["curp"], "campo": "nombre", "valor": "josé maría",
        "folio": "ARCO-8/2026", "recibida": date.today().isoformat(),
        "fundamento": "Art. 45 LGPDPPSO, acta de nacimiento"})
    assert done.status_code == 200, done.text
    assert "Se rectificó nombre(s) (solicitud ARCO-8/2026)" in done.text
    page = orders(api, keys["zap"])
    assert [(o["kind"], o["fields"]) for o in page["orders"]] == [
        ("rectificacion", {"nombre": "JOSÉ MARÍA"})]
    later = signed(api, keys["zap"], "GET", "/api/v1/sync/roster",
                   params={"cursor": first["cursor"]}).json()
    assert [(s["curp"], s["nombre"]) for s in later["students"]] == [
        (child["curp"], "JOSÉ MARÍA")]
    with sessions() as session:
        row = session.scalar(select(PrivacyRequest))
        assert row is not None and json.loads(row.detail) == {
            "campo": "nombre", "anterior": child["nombre"], "nuevo": "JOSÉ MARÍA"}


# --- the export against the schema ------------------------------------------------------------

def _value(col: Any, n: int) -> Any:
    t = col.type
    if isinstance(t, Boolean):
        return False
    if isinstance(t, Integer | BigInteger):
        return n
    if isinstance(t, DateTime):
        return now_utc()
    if isinstance(t, Date):
        return date(2026, 9, 1)
    if isinstance(t, LargeBinary):
        return b"x" * (t.length or 8)
    if isinstance(t, String | Text):
        return f"v{n}"[: t.length or 40] if not col.name.endswith("cct") else ZAPOPAN
    raise AssertionError(f"no synthetic value for {col}")


class Rows:
    """Synthetic rows for any table: parents made first for required foreign keys."""

    def __init__(self, session: Any, curp: str) -> None:
        self.session, self.curp, self.n = session, curp, 1000

    def key_of(self, table: Table, column: str) -> Any:
        found = self.session.execute(select(table.c[column]).limit(1)).scalar()
        return found if found is not None else self.make(table)[column]

    def make(self, table: Table) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for col in table.columns:
            self.n += 1
            if col.primary_key and isinstance(col.type, Integer) and col.autoincrement is True:
                continue
            fks = list(col.foreign_keys)
            refers_student = (fks and fks[0].column.table.name == "students") \
                or col.name == "curp" or col.name.endswith("_curp")
            if refers_student:
                row[col.name] = self.curp
            elif fks:
                if col.nullable:
                    row[col.name] = None
                else:
                    row[col.name] = self.key_of(fks[0].column.table, fks[0].column.name)
            elif col.nullable and not col.primary_key:
                row[col.name] = None
            else:
                row[col.name] = _value(col, self.n)
        result = self.session.execute(insert(table).values(row))
        pk = result.inserted_primary_key
        for col, value in zip(table.primary_key.columns, pk or (), strict=False):
            row[col.name] = value
        return row


def student_tables() -> set[str]:
    """Read from the schema, independently of the export: every table with a column that
    refers to students (foreign key) or is named like a CURP, or holds the digest."""
    out = set()
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            if any(fk.column.table.name == "students" for fk in col.foreign_keys) \
                    or "curp" in col.name or col.name == "student":
                out.add(table.name)
    return out


def test_the_export_holds_every_table_that_refers_to_the_student(
        api: Any, roster: None, sessions: Any, central_settings: CentralSettings,
        tmp_path: Path) -> None:
    stations(api, tmp_path)
    child = students_of(ZAPOPAN)[3]
    key = key_of(central_settings)
    digest = student_digest(key, child["curp"])
    wanted = student_tables()
    assert {"cards", "holograms", "access_records", "double_uses"} <= wanted  # it reads
    with sessions() as session, session.begin():
        rows = Rows(session, child["curp"])
        for table in Base.metadata.sorted_tables:
            if table.name not in wanted or table.name == "students":
                continue
            row = rows.make(table)
            if "student" in table.c:
                session.execute(update(table).where(
                    table.c.student == row["student"]).values(student=digest))
    with sessions() as session:
        held = string_cells(session, child["curp"])
        data = export_student(session, key=key, curp=child["curp"], now=now_utc())
    tables = data["tablas"]
    missing = sorted(wanted - set(tables))
    assert missing == [], f"the ARCO export forgets tables: {missing}"
    empty = sorted(t for t in wanted if not tables[t])
    assert empty == [], f"the ARCO export has no rows of {empty}"
    # Every table where the CURP is written anywhere is in the export, with its rows.
    short = {t: n for t, n in held.items() if len(tables.get(t, [])) < n}
    assert short == {}, short
    assert all(r["student"] == digest for t in ("access_records", "privacy_requests")
               for r in tables[t])


# --- the access record ------------------------------------------------------------------------

def test_each_read_leaves_one_access_record_the_state_office_reads_and_downloads(
        api: Any, roster: None, sessions: Any, central_settings: CentralSettings,
        tmp_path: Path) -> None:
    keys = stations(api, tmp_path)
    child = students_of(ZAPOPAN)[4]
    issue_cards(api, keys["zap"], [(1_000_000, child["curp"])], ZAPOPAN)
    digest = student_digest(key_of(central_settings), child["curp"])
    csrf = signed_in(api, "cesc")
    for _ in range(3):
        assert api.post("/staff/privacidad/alumno",
                        data={"csrf": csrf, "curp": child["curp"]}).status_code == 200
    with sessions() as session:
        card_id = session.scalar(select(Card.id))
    assert api.get(f"/staff/credenciales/{card_id}").status_code == 200
    assert api.get("/staff/accesos").status_code == 403
    with sessions() as session:
        rows = list(session.scalars(select(AccessRecord).order_by(AccessRecord.id)))
    assert [(r.staff, r.role, r.student, r.cct, r.what) for r in rows] == [
        ("cesc", "drse/control_escolar", digest, ZAPOPAN, "ficha del alumno (ARCO)")] * 3 + [
        ("cesc", "drse/control_escolar", digest, ZAPOPAN, "credencial folio 1000000")]
    assert all(r.ip == "testclient" for r in rows)

    api.cookies.clear()
    csrf = signed_in(api, "ana")
    listed = api.post("/staff/accesos", data={"csrf": csrf, "curp": child["curp"]}).text
    name = f"{child['nombre']} {child['primer_apellido']}"
    assert listed.count(name) == 4 and listed.count("ficha del alumno (ARCO)") == 3
    none = api.post("/staff/accesos", data={"csrf": csrf, "personal": "cesc",
                                            "desde": "2020-01-01", "hasta": "2020-12-31"})
    assert "No hay accesos con esos filtros" in none.text
    got = api.post("/staff/accesos/descargar", data={"csrf": csrf, "personal": "cesc"})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    lines = got.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("fecha y hora") and len(lines) == 5
    assert all(digest in line and child["curp"] not in line for line in lines[1:])


# --- retention --------------------------------------------------------------------------------

def test_retention_purge_dry_run_then_erases_only_whom_the_period_ran_out_for(
        roster: None, sessions: Any, central_settings: CentralSettings) -> None:
    from central.cli import main as central_cli

    now = now_utc()
    old = now - timedelta(days=central_settings.privacy_retention_days + 1)
    left, finished, recent, stays = (s["curp"] for s in students_of(ZAPOPAN)[:4])
    with sessions() as session, session.begin():
        session.execute(update(Student).values(updated_at=now))
        session.execute(update(Student).where(Student.curp == left)
                        .values(estatus="BAJA", updated_at=old))
        session.execute(update(Student).where(Student.curp == finished)
                        .values(ciclo="2019-2020", updated_at=old))
        session.execute(update(Student).where(Student.curp == recent)
                        .values(estatus="BAJA", updated_at=now - timedelta(days=3)))
        session.execute(update(Student).where(Student.curp == stays).values(updated_at=old))
        session.add(AccessRecord(at=old - timedelta(days=400), staff="ana", role="estatal",
                                 student="#" + "0" * 17, cct=ZAPOPAN, what="x", ip="1.2.3.4"))
    env = {"CENTRAL_DATA_DIR": str(central_settings.data_dir),
           "CENTRAL_DATABASE_URL": central_settings.database_url}
    dry = CliRunner().invoke(central_cli, ["privacy", "purge", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "Se borrarían los datos personales de 2 alumnos" in dry.output
    assert f"{ZAPOPAN}: 2 alumnos" in dry.output and "1 registros de acceso" in dry.output
    assert left not in dry.output and finished not in dry.output
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(PrivacyErasure)) == 0
    report = purge(sessions, settings=central_settings, key=key_of(central_settings),
                   store=PhotoStore(central_settings.photos_dir), now=now, dry_run=False)
    assert (report.students, report.access_records) == (2, 1)
    with sessions() as session:
        assert {s for s in (left, finished, recent, stays) if session.get(Student, s)} == {
            recent, stays}
        causes = set(session.scalars(select(PrivacyErasure.cause)))
        assert causes == {"retencion"}
        assert session.scalar(select(func.count()).select_from(PrivacyOrderRecord)) == 0
    again = CliRunner().invoke(central_cli, ["privacy", "purge", "--json"], env=env)
    assert json.loads(again.output)["students"] == 0


def test_privacy_settings_are_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs/central.md").read_text("utf-8")
    for name in ("privacy_retention_days", "access_log_retention_days", "privacy_order_days",
                 "privacy_key_file"):
        assert f"`CENTRAL_{name.upper()}`" in doc, name
    assert privacy_arco.can_answer("drse", "control_escolar")
    assert not privacy_arco.can_answer("drse", "planeacion")
    assert not privacy_arco.can_answer("dgti", None)


"""The retention purge killed mid-way (a real ``central privacy purge`` process, SIGKILL at
random points once it has started erasing) leaves every student either whole or erased —
never half — and the next run finishes the photo files the killed one left behind."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from plugin_central import import_demo
from plugin_logs import collect_log
from sqlalchemy import func, select, update

from central.crud.photos import link_photo, store_photo
from central.crud.privacy_digest import privacy_key, student_digest
from central.crud.stations import now_utc
from central.models import Card, Photo, PrivacyErasure, Station, Student
from central.settings import CentralSettings
from foundation.photostore import PhotoStore
from foundation.sqldb import make_engine, make_sessionmaker

STUDENTS = 200


@pytest.mark.parametrize("central_db_url", ["sqlite"], indirect=True)
def test_purge_killed_at_random_points_leaves_nothing_half_deleted(
        central_settings: CentralSettings, tmp_path: Path) -> None:
    import_demo(central_settings, tmp_path / "export", students=STUDENTS)
    engine = make_engine(central_settings.database_url)
    sessions = make_sessionmaker(engine)
    store = PhotoStore(central_settings.photos_dir)
    now = now_utc()
    with sessions() as session, session.begin():
        curps = list(session.scalars(select(Student.curp).order_by(Student.curp)))
        session.add(Station(id="EST-00001", name="Pruebas", kind="escuela", school_cct=None,
                            drse=None, key_id="00" * 8, public_key=b"k" * 32, enrolled_at=now,
                            applied_through=0))
        session.flush()
        photos = {}
        for i, curp in enumerate(curps):
            data = b"\xff\xd8\xff\xe0" + curp.encode() * 40
            photos[curp] = store_photo(session, store=store, data=data, source="scejal",
                                       now=now)
            link_photo(session, curp=curp, photo_hash=photos[curp], now=now)
            session.add(Card(station_id="EST-00001", key_id="00" * 8, folio=1_000_000 + i,
                             curp=curp, cct="14DPR9901D", issued_on=date(2026, 9, 1),
                             issued_at="2026-09-01T10:00:00", sheet=1 + i // 8, event_seq=1,
                             status="active", updated_at=now))
        session.execute(update(Student).values(
            estatus="BAJA", updated_at=now - timedelta(days=400)))
    assert central_settings.privacy_key_file is not None
    key = privacy_key(central_settings.privacy_key_file)
    digests = {c: student_digest(key, c) for c in curps}
    env = {**os.environ, "CENTRAL_DATA_DIR": str(central_settings.data_dir),
           "CENTRAL_DATABASE_URL": central_settings.database_url}
    command = [str(Path(sys.executable).parent / "central"), "privacy", "purge", "--batch", "1"]
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    log = tmp_path / "purge.log"

    database = central_settings.database_url.split("///", 1)[1]

    def erased() -> int:
        # A plain read-only connection: central's sessions begin IMMEDIATE (they would queue
        # behind the purge's writes and only ever see it finished).
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
        try:
            return int(conn.execute("SELECT count(*) FROM privacy_erasures").fetchone()[0])
        finally:
            conn.close()

    def consistent(final: bool) -> int:
        with sessions() as session:
            present = set(session.scalars(select(Student.curp)))
            gone = set(session.scalars(select(PrivacyErasure.student)))
            markers = set(session.scalars(select(PrivacyErasure.photo_hash)
                                          .where(PrivacyErasure.photo_hash.is_not(None))))
            card_owner = {f: c for f, c in session.execute(select(Card.folio, Card.curp))}
            photo_rows = set(session.scalars(select(Photo.hash)))
        assert len(card_owner) == len(curps), f"seed {seed}: a card went missing"
        for i, curp in enumerate(curps):
            whole, erased_ = curp in present, digests[curp] in gone
            assert whole != erased_, f"seed {seed}: student {i} is half erased"
            owner = card_owner[1_000_000 + i]
            assert owner == (curp if whole else digests[curp]), f"seed {seed}: card {i}"
            h = photos[curp]
            if whole:
                assert h in photo_rows and store.has(h), f"seed {seed}: photo of {i} lost"
            else:
                assert h not in photo_rows, f"seed {seed}: photo row of erased {i} stays"
                assert not store.has(h) or (h in markers and not final), \
                    f"seed {seed}: photo file of erased {i} without a marker"
        return len(gone)

    kills, midway = 0, []
    for _ in range(2):
        before = erased()
        if before == len(curps):
            break
        with open(log, "ab") as out:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            # The kill point is drawn in students erased, not in seconds: an idle machine
            # erases the 200 in a fraction of a second, a loaded one takes many times longer.
            target = before + rng.randint(1, max(1, (len(curps) - before) // 2))
            deadline = time.monotonic() + 120  # a loaded machine starts Python slowly
            while erased() < target and process.poll() is None:
                assert time.monotonic() < deadline, "the purge did not reach its kill point"
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.003))
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait(10)
        midway.append(consistent(final=False))
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert final.returncode == 0, final.stdout + final.stderr
    collect_log(log)
    assert consistent(final=True) == len(curps)
    assert kills >= 1 and any(0 < n < len(curps) for n in midway), \
        f"seed {seed}: the purge was never killed mid-way ({midway})"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Photo)) == 0
    assert not any(p.is_file() for p in central_settings.photos_dir.rglob("*.jpg"))
    engine.dispose()

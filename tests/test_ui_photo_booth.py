"""Issue 16's photo booth, sheet review and USB copy, driven by touch in the real kiosk.

One kiosk process at 800×480 on a private Xvfb (``kiosk_pilot.scenarios_booth``): the camera
is a video of a student posing with a magenta mark to one side (to tell a mirror from the
camera's own picture), two printed sheets wait for review, and a real FAT image is mounted as
the USB stick under a folder the station watches. No CUPS: the sheets were made beforehand.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import require_part
from PIL import Image
from plugin_ui import USERS, collect, launch_autopilot
from usb_sticks import FatStick, make_fat_image

SIZE = "800x480"
MAGENTA_AT = (515, 560, 430, 480)  # x0, x1, y0, y1 in the 1280×720 camera frame


def _posing_with_mark(out: Path) -> Path:
    from plugin_camera import pose, write_video

    def marked(frame: np.ndarray) -> np.ndarray:
        x0, x1, y0, y1 = MAGENTA_AT
        frame = frame.copy()
        frame[y0:y1, x0:x1] = (255, 0, 255)  # BGR magenta, left of the face (camera's view)
        return frame

    still = [marked(pose(centre=(0.5 + 0.002 * np.sin(i), 0.42))) for i in range(4)]
    frames = [marked(pose(face_share=0.12))] * 8 + [still[i % 4] for i in range(75)]
    return write_video(out, frames)


def _prepare(folder: Path) -> dict[str, Any]:
    from plugin_station import prepare_station

    from station.context import open_station, update_settings
    from station.services import accounts
    from station.services.issuance import Issuer, select_students
    from station.store import sheet_records

    cct, curps = prepare_station(folder, students=20)
    station = open_station(folder)
    try:
        name, role, pin = USERS["operator"]
        user = accounts.add_user(station, name, role, pin)
        school, students = select_students(station, cct, curps[:10])
        sheets = Issuer(station, printer="pdf").produce(school, students)
        with station.db.write() as conn:
            for sheet in sheets:
                sheet_records.mark_sent(conn, sheet.sheet_id, printer="Credenciales",
                                        job_id=sheet.sheet_id)
            conn.execute("UPDATE students SET photo_hash = NULL WHERE curp = ?", (curps[-1],))
        (folder / "camera").mkdir()
        video = _posing_with_mark(folder / "camera" / "alumno-con-marca.avi")
        update_settings(station, {"camera.device": str(video), "station.id": "ESC-PRUEBA-02"})
    finally:
        station.close()
    config = {"cct": cct, "no_photo": curps[-1], "camera_desk": str(video),
              "sheets": [s.sheet_id for s in sheets],
              "users": {"operator": {"id": user.id, "name": name, "pin": pin}}}
    (folder / "autopilot.json").write_text(json.dumps(config), "utf-8")
    return config


@pytest.fixture(scope="module")
def booth(kiosk_env: dict[str, str], screens_dir: Path,
          tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    require_part(os.geteuid() == 0, "root, to mount the USB stick image")
    base = tmp_path_factory.mktemp("booth")
    data = base / "station"
    config = _prepare(data)
    media = base / "media"
    stick = FatStick(make_fat_image(base / "stick.img", 4096, "PRUEBA"),
                     media / "operador" / "PRUEBA")
    require_part(stick.mount(), "mounting a FAT image as the USB stick: "
                 + " | ".join(stick.log))
    try:
        env = dict(kiosk_env, STATION_MEDIA_ROOTS=str(media))
        out = screens_dir / f"booth-{SIZE}"
        report = collect(*launch_autopilot(data, SIZE, out, "booth", env), timeout_s=240)
        stick.unmount()
        assert stick.mount()  # the stick again, as a computer at the DRSE would read it
        copied = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                  for p in stick.point.iterdir() if p.name.startswith("reporte")}
    finally:
        stick.unmount()
    return {"report": report, "data": data, "config": config, "copied": copied}


def test_the_booth_tour_completes_without_overflow(booth: dict[str, Any]) -> None:
    report = booth["report"]
    assert report["ok"], f"{report['error']}\n{report['steps'][-8:]}\n{report['stderr_tail']}"
    assert report["returncode"] == 0 and report["failures"] == []
    assert report["overflow"] == [] and report["small_targets"] == []
    # The same check does catch text drawn across the face oval.
    caught = report["data"]["booth"]["overlap_caught"]
    assert [c["over"] for c in caught] == ["óvalo de la cara"]
    assert caught[0]["text"].startswith("Cámara desconectada")


def _magenta(pixels: np.ndarray) -> np.ndarray:
    r, g, b = (pixels[..., i].astype(int) for i in range(3))
    return (r > 170) & (b > 170) & (g < 90)


def test_the_preview_is_a_mirror_and_the_photo_is_not(booth: dict[str, Any]) -> None:
    booth_data = booth["report"]["data"]["booth"]
    assert booth_data["mirror"] is True
    x, y, w, h = booth_data["preview_rect"]
    shot = booth["report"]["shots"]["b2-foto-cuenta-detenida"]["path"]
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"))
    top = pixels.shape[0] - (y + h)  # window y grows upwards, the PNG's rows downwards
    preview = pixels[round(top):round(top + h), round(x):round(x + w)]
    _ys, xs = np.nonzero(_magenta(preview))
    assert xs.size > 20, "the mark is not on the preview"
    # In the camera's frame the mark is left of the middle; on the mirror, right of it.
    assert MAGENTA_AT[1] < 640 and xs.mean() > w / 2
    with sqlite3.connect(booth["data"] / "ledger.sqlite3") as conn:
        digest = conn.execute("SELECT photo_hash FROM students WHERE curp = ?",
                              (booth["config"]["no_photo"],)).fetchone()[0]
    stored = next((booth["data"] / "photos").rglob(f"{digest}.*"))
    with Image.open(stored) as photo:
        saved = np.asarray(photo.convert("RGB"))
    _ys, xs = np.nonzero(_magenta(saved))
    assert xs.size > 20, "the mark is not in the stored photo"
    assert xs.mean() < saved.shape[1] / 2  # as the camera saw it: not mirrored


def test_the_countdown_counts_3_2_1_on_the_clock_and_a_tap_stops_it(
        booth: dict[str, Any]) -> None:
    data = booth["report"]["data"]["booth"]
    assert data["hint_over_picture"] is True
    assert data["hint_while_counting"] == "¡No te muevas!"
    assert data["after_tap"] == {"count": "", "hint": "Cuenta detenida", "paused": True,
                                 "counting": None}
    counts = data["counts"]
    tap = next(i for i, (v, _t) in enumerate(counts) if v == "tap")
    shown = [(v, t) for v, t in counts[tap + 1:] if v]
    runs = [shown[i:i + 3] for i in range(len(shown) - 2)
            if [v for v, _t in shown[i:i + 3]] == ["3", "2", "1"]]
    assert runs, counts
    last = runs[-1]
    steps = [b[1] - a[1] for a, b in itertools.pairwise(last)]
    assert all(0.9 <= s <= 3.0 for s in steps), steps  # one number a second
    # A tick per number and the shutter; no sound device under Xvfb is not a failure.
    sounds = data["sounds"]
    assert sounds[-1] == "shutter" and sounds.count("tick") >= 4
    assert set(data["audible"]) == {"tick", "shutter"}


def test_review_numbers_as_the_preview_waits_for_the_picture_and_undoes(
        booth: dict[str, Any]) -> None:
    data = booth["report"]["data"]["booth"]
    first = data["first"]
    assert first == {"number": "Hoja 1 de 2", "good_disabled": True, "picture": None,
                     "enabled_with_picture": True}
    assert data["second"] == {"number": "Hoja 2 de 2", "undo": True}
    assert data["after_undo"]["number"] == "Hoja 1 de 2" and not data["after_undo"]["undo"]
    assert data["undo_expired"] is True
    assert data["summary"].startswith("Revisión terminada: 2 bien")
    sheets = booth["config"]["sheets"]
    with sqlite3.connect(booth["data"] / "ledger.sqlite3") as conn:
        states = [r[0] for r in conn.execute(
            f"SELECT state FROM sheets WHERE id IN ({','.join('?' * len(sheets))})", sheets)]
        kinds = [(r[0], json.loads(r[1]).get("sheet")) for r in conn.execute(
            "SELECT kind, payload FROM events WHERE kind LIKE 'sheet_confirm%' ORDER BY seq")]
    assert states == ["confirmed", "confirmed"]
    first_id = data["after_undo"]["sheet"]
    assert kinds == [("sheet_confirmed", first_id), ("sheet_confirmation_undone", first_id),
                     ("sheet_confirmed", first_id),
                     ("sheet_confirmed", next(s for s in sheets if s != first_id))]


def test_the_problem_report_is_on_the_usb_stick(booth: dict[str, Any]) -> None:
    message = booth["report"]["data"]["booth"]["usb_message"]
    assert "memoria USB «PRUEBA»" in message and "Ya puede retirar" in message
    [report] = sorted((booth["data"] / "reports").glob("reporte-*.zip"))
    assert booth["copied"] == {report.name: hashlib.sha256(report.read_bytes()).hexdigest()}

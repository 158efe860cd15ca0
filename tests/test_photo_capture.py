"""Taking a student's photo end to end: a video file as the camera, the real detector and rules,
the photo stored and linked in the real ledger, through the service and ``station photo``."""

from __future__ import annotations

import json
import shutil
import stat
from io import BytesIO
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from plugin_camera import paste_second_face, pose, write_video

from foundation.errors import NotFound, RuleViolation
from station.camera.face import FaceAnalyzer
from station.camera.frames import Frame
from station.camera.resilient import ResilientCamera
from station.camera.video_file import VideoFileCamera
from station.cli import main
from station.core.photo_rules import Phase
from station.services.photo_capture import PhotoSession, run_capture, store_photo
from station.services.station import Station
from station.store import ledger

GOOD = "Listo, no te muevas."


@pytest.fixture(scope="module")
def analyzer() -> FaceAnalyzer:
    return FaceAnalyzer()


def events(station: Station, kind: str) -> list[dict[str, object]]:
    with station.db.read() as conn:
        rows = conn.execute("SELECT payload FROM events WHERE kind = ?", (kind,)).fetchall()
    return [json.loads(r[0]) for r in rows]


def test_auto_capture_after_the_hints(prepared_station: tuple[Station, str, list[str]],
                                      posing_video: Path, analyzer: FaceAnalyzer) -> None:
    station, _cct, curps = prepared_station
    session = PhotoSession(hold_s=1.0, analyzer=analyzer)
    camera = ResilientCamera(lambda: VideoFileCamera(posing_video))
    hints: list[str] = []

    def feedback(fb: object) -> None:
        hint = fb.hint_es  # type: ignore[attr-defined]
        if not hints or hints[-1] != hint:
            hints.append(hint)

    photo = run_capture(camera, session, on_feedback=feedback)
    camera.close()
    assert photo is not None
    assert hints == ["Acércate un poco a la cámara.", "Muévete un poco hacia tu izquierda.",
                     GOOD]
    # Captured after holding 1 s of good frames (they start at frame 16, 15 frames/s).
    assert 16 <= photo.frame_index <= 16 + 16
    with Image.open(BytesIO(photo.jpeg)) as im:
        assert im.format == "JPEG" and im.size == (448, 598)
    before = events(station, "photo_linked")
    digest = store_photo(station, curps[0], photo)
    with station.db.read() as conn:
        assert ledger.photo_hashes(conn, [curps[0]]) == {curps[0]: digest}
    assert events(station, "photo_linked")[len(before):] == [
        {"curp": curps[0], "photo_hash": digest}]
    path = station.photos.path(digest)
    assert path.read_bytes() == photo.jpeg
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # a minor's photo


def test_the_sharpest_frame_of_the_countdown_is_kept(analyzer: FaceAnalyzer) -> None:
    session = PhotoSession(hold_s=1.0, analyzer=analyzer)
    sharp = pose()
    soft = cv2.GaussianBlur(sharp, (0, 0), 0.6)  # still passes, but less sharp
    feedback = []
    for i in range(20):
        image = sharp if i == 7 else soft
        feedback.append(session.feed(Frame(image, i / 15, i)))
        if session.captured:
            break
    assert [f.problems for f in feedback] == [()] * len(feedback)  # all frames pass
    assert feedback[-1].phase is Phase.CAPTURE and session.captured is not None
    assert session.captured.frame_index == 7
    assert feedback[7].sharpness > max(f.sharpness for f in feedback if f is not feedback[7])


def test_someone_stepping_in_during_the_countdown_stops_it(analyzer: FaceAnalyzer) -> None:
    session = PhotoSession(hold_s=1.0, analyzer=analyzer)
    alone, with_friend = pose(), paste_second_face(pose())
    hints = []
    for i in range(70):  # alone for 0.6 s, a friend leans in for 2 s, then alone again
        image = with_friend if 9 <= i < 39 else alone
        hints.append(session.feed(Frame(image, i / 15, i)).hint_es)
        if session.captured:
            break
    assert "Solo debe aparecer una persona en la foto." in hints[9:16]  # seen within 5 frames
    assert session.captured is not None
    assert len(hints) - 1 >= 39 + 14  # taken 1 s after the friend left, not before
    assert session.captured.frame_index >= 39  # and from a frame without the friend


def test_manual_capture_refuses_a_bad_frame_and_takes_a_good_one(
        analyzer: FaceAnalyzer) -> None:
    session = PhotoSession(auto=False, analyzer=analyzer)
    with pytest.raises(RuleViolation, match="ninguna imagen"):
        session.take()
    session.feed(Frame(pose(face_share=0.12), 0.0, 0))
    with pytest.raises(RuleViolation, match="Acércate"):
        session.take()
    for i in range(1, 40):  # auto is off: holding still takes no photo by itself
        session.feed(Frame(pose(), i / 15, i))
    assert session.captured is None
    photo = session.take()
    assert photo.frame_index == 39 and session.captured is photo


def test_background_flattening_gives_a_plain_light_background(analyzer: FaceAnalyzer) -> None:
    session = PhotoSession(auto=False, analyzer=analyzer, flatten=True)
    session.feed(Frame(pose(), 0.0, 0))
    photo = session.take()
    plain = np.asarray(Image.open(BytesIO(photo.jpeg)).convert("RGB")).astype(np.int16)
    session = PhotoSession(auto=False, analyzer=analyzer)
    session.feed(Frame(pose(), 0.0, 0))
    original = np.asarray(Image.open(BytesIO(session.take().jpeg)).convert("RGB"))
    assert photo.background_flattened
    corner = plain[:60, :60].reshape(-1, 3)
    assert np.abs(corner - 240).max() < 12  # the top corners are now the plain grey
    assert original[:60, :60].std() > plain[:60, :60].std()
    # The face itself is untouched (the middle of the photo).
    middle = (slice(200, 300), slice(174, 274))
    assert np.abs(plain[middle] - original[middle].astype(np.int16)).mean() < 4


def test_storing_for_an_unknown_student_changes_nothing(
        prepared_station: tuple[Station, str, list[str]], analyzer: FaceAnalyzer) -> None:
    station, _cct, _curps = prepared_station
    session = PhotoSession(auto=False, analyzer=analyzer)
    session.feed(Frame(pose(), 0.0, 0))
    photo = session.take()
    files_before = sorted(station.photos.root.rglob("*"))
    seq_before = events(station, "photo_linked")
    with pytest.raises(NotFound, match="no está en la plantilla"):
        store_photo(station, "XXXX000000HJCXXX00", photo)
    assert sorted(station.photos.root.rglob("*")) == files_before
    assert events(station, "photo_linked") == seq_before


def test_camera_unplugged_during_the_session_is_reported_and_the_photo_still_taken(
        tmp_path: Path, analyzer: FaceAnalyzer) -> None:
    long_video = write_video(tmp_path / "larga.avi", [pose(face_share=0.12)] * 60)
    good_video = write_video(tmp_path / "buena.avi", [pose()] * 30)
    live = tmp_path / "camara.avi"
    shutil.copy(long_video, live)
    camera = ResilientCamera(lambda: VideoFileCamera(live), retry_s=0.05)
    session = PhotoSession(hold_s=1.0, analyzer=analyzer)
    seen: list[str] = []
    frames = 0

    def feedback(_fb: object) -> None:
        nonlocal frames
        frames += 1
        if frames == 5:  # unplugged: the file is cut short, then a good one plugged in
            with live.open("r+b") as fh:
                fh.truncate(live.stat().st_size // 4)

    def event(ev: object) -> None:
        seen.append(ev.kind)  # type: ignore[attr-defined]
        if ev.kind == "lost":  # type: ignore[attr-defined]
            shutil.copy(good_video, live)

    photo = run_capture(camera, session, on_feedback=feedback, on_event=event,
                        max_seconds=30)
    camera.close()
    assert seen == ["lost", "reconnected"]
    assert photo is not None


def test_photo_capture_command(prepared_station: tuple[Station, str, list[str]],
                               posing_video: Path) -> None:
    station, _cct, curps = prepared_station
    station.close()
    runner = CliRunner()
    base = ["--data", str(station.data_dir), "photo", "capture"]
    result = runner.invoke(main, [*base, "--curp", curps[1].lower(), "--camera",
                                  str(posing_video)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  Acércate un poco a la cámara." in lines and f"  {GOOD}" in lines
    assert "Foto guardada (448×598 px)" in result.output
    result = runner.invoke(main, [*base, "--curp", curps[2], "--camera", str(posing_video),
                                  "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["stored"] and answer["photo"]["width"] == 448
    assert [h["hint"] for h in answer["hints"]][-1] == GOOD
    assert curps[2] not in result.output  # no CURP echoed back
    from station.services.station import open_station

    again = open_station(station.data_dir)
    try:
        with again.db.read() as conn:
            linked = ledger.photo_hashes(conn, [curps[2]])[curps[2]]
        assert linked == answer["photo_hash"] and again.photos.has(linked)
    finally:
        again.close()


def test_photo_capture_command_manual_and_failures(
        prepared_station: tuple[Station, str, list[str]], posing_video: Path,
        tmp_path: Path) -> None:
    station, _cct, curps = prepared_station
    station.close()
    runner = CliRunner()
    base = ["--data", str(station.data_dir), "photo", "capture"]
    still = tmp_path / "foto.jpg"
    cv2.imwrite(str(still), pose())
    result = runner.invoke(main, [*base, "--curp", curps[3], "--camera", str(still),
                                  "--manual", "--max-seconds", "20"], input="\n")
    assert result.exit_code == 0, result.output
    assert "Presione Enter" in result.output and "Foto guardada" in result.output
    result = runner.invoke(main, [*base, "--curp", "XXXX000000HJCXXX00", "--camera",
                                  str(posing_video)])
    assert result.exit_code == 1 and "no está en la plantilla" in result.output
    far = write_video(tmp_path / "lejos.avi", [pose(face_share=0.12)] * 10)
    result = runner.invoke(main, [*base, "--curp", curps[3], "--camera", str(far)])
    assert result.exit_code == 1
    assert "No se tomó la foto" in result.output and "Acércate" in result.output
    result = runner.invoke(main, [*base, "--curp", curps[3], "--camera",
                                  str(tmp_path / "no-hay.avi")])
    assert result.exit_code == 1 and "no existe" in result.output

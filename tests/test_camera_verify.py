"""Verifying cards shown to a camera: cards this station really issued, printed to PDF, rasterised,
photographed by the simulated camera into a video file, read back: one verdict per showing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from plugin_camera import qr_corpus, write_video

from foundation.card_templates import load_sheet_layout, load_template
from station.camera.resilient import ResilientCamera
from station.camera.video_file import VideoFileCamera
from station.cli import main
from station.services.camera_verify import verify_stream
from station.services.issuance import Issuer, select_students
from station.services.station import Station
from station.store.sheet_records import spoil

PX_PER_MM = 300 / 25.4


def issued_cards(station: Station, cct: str, curps: list[str], tmp: Path) -> list[np.ndarray]:
    """Issue cards for ``curps`` (print to PDF) and return each card as printed, 300 dpi."""
    school, students = select_students(station, cct, curps)
    sheet = Issuer(station, printer="pdf").produce(school, students)[0]
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", str(sheet.pdf),
                    str(tmp / "sheet")], check=True)
    page = cv2.imread(str(tmp / "sheet.png"), cv2.IMREAD_COLOR)
    layout, template = load_sheet_layout(), load_template()
    w, h = round(template.width_mm * PX_PER_MM), round(template.height_mm * PX_PER_MM)
    cards = []
    for pos in range(len(curps)):
        x, y = (round(v * PX_PER_MM) for v in layout.card_origin(pos))
        cards.append(page[y:y + h, x:x + w].copy())
    return cards


def showing(card: np.ndarray | None, frames: int, seed: int) -> list[np.ndarray]:
    """``frames`` camera frames of ``card`` held up (moving a little), or of an empty room."""
    corpus = qr_corpus()
    rng = np.random.default_rng(seed)
    room = corpus.background(rng, corpus.FRAME)
    if card is None:
        return [room] * frames
    return [corpus.photograph(card, room, px_per_mm=3.0 / 0.354, roll=float(rng.uniform(-8, 8)),
                              centre=(0.5 + 0.01 * i, 0.5))[0] for i in range(frames)]


@pytest.fixture
def cards_video(prepared_station: tuple[Station, str, list[str]],
                tmp_path: Path) -> tuple[Station, Path, list[int]]:
    """15 frames/s: 1 s empty, card A 3 s, 3 s empty, card A again 1 s, card B 1 s."""
    station, cct, curps = prepared_station
    a, b = issued_cards(station, cct, curps[:2], tmp_path)
    frames = (showing(None, 15, 1) + showing(a, 45, 2) + showing(None, 45, 3)
              + showing(a, 15, 4) + showing(b, 15, 5))
    with station.db.read() as conn:
        folios = [r[0] for r in conn.execute("SELECT folio FROM cards ORDER BY folio")]
    return station, write_video(tmp_path / "mostrador.avi", frames), folios


def test_one_verdict_per_showing(cards_video: tuple[Station, Path, list[int]]) -> None:
    station, video, folios = cards_video
    camera = ResilientCamera(lambda: VideoFileCamera(video))
    scans = list(verify_stream(station, camera))
    camera.close()
    assert [s.verification.verdict.value for s in scans] == ["valid"] * 3
    assert [s.verification.claims.folio for s in scans  # type: ignore[union-attr]
            ] == [folios[0], folios[0], folios[1]]
    assert scans[0].t == pytest.approx(1.0, abs=0.2)  # the first frame that shows card A
    assert scans[1].t == pytest.approx(7.0, abs=0.2)  # shown again after 3 s away
    assert scans[2].t == pytest.approx(8.0, abs=0.2)
    assert all(300 < s.position[0] < 980 for s in scans)


def test_a_revoked_card_says_so(cards_video: tuple[Station, Path, list[int]]) -> None:
    station, video, _folios = cards_video
    with station.db.write() as conn:
        sheet_id = conn.execute("SELECT id FROM sheets").fetchone()[0]
        spoil(conn, sheet_id, reason="atasco de papel")
    camera = ResilientCamera(lambda: VideoFileCamera(video))
    scans = list(verify_stream(station, camera))
    camera.close()
    assert {s.verification.verdict.value for s in scans} == {"revoked"}
    assert "atasco de papel" in scans[0].verification.reason_es


def test_verify_camera_command(cards_video: tuple[Station, Path, list[int]]) -> None:
    station, video, folios = cards_video
    station.close()
    runner = CliRunner()
    base = ["--data", str(station.data_dir), "verify"]
    result = runner.invoke(main, [*base, "--camera", str(video), "--json"])
    assert result.exit_code == 0, result.output
    scans = json.loads(result.output)
    assert [(s["verdict"], s["folio"]) for s in scans] == [
        ("valid", folios[0]), ("valid", folios[0]), ("valid", folios[1])]
    result = runner.invoke(main, [*base, "--camera", str(video)])
    assert result.exit_code == 0
    assert result.output.count("Credencial válida") == 3
    result = runner.invoke(main, [*base, "--camera", str(video), "--max-seconds", "0"])
    assert result.exit_code == 1 and "No se leyó ninguna credencial" in result.output


def test_verify_needs_an_image_or_the_camera(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--data", str(tmp_path / "st"), "verify"])
    assert result.exit_code == 2 and "IMAGEN o --camera" in result.output
    empty = write_video(tmp_path / "vacio.avi", [np.full((240, 320, 3), 90, np.uint8)] * 5)
    result = runner.invoke(main, ["--data", str(tmp_path / "st"), "verify", "--camera",
                                  str(empty), "--json"])
    assert result.exit_code == 1 and json.loads(result.output) == []

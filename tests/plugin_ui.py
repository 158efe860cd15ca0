"""Fixtures for the kiosk's UI tests: a private X server, kiosk data, the autopilot in a process.

Kivy allows one app (and one window size) per process, so each resolution runs the real
kiosk in its own process (``python -m kiosk_pilot.autopilot``) on a private Xvfb display; the
autopilot drives every flow by touch events and writes a JSON report and screenshots; the
tests then check the report against the ledger, the virtual printer and the PNG files.

Registered from conftest.py with ``pytest_plugins = [..., "plugin_ui"]``. Also used by
``bench/bench_kiosk.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIZES = ("800x480", "1280x800")
USERS = {
    "operator": ("Ana Ramírez", "operator", "4826"),
    "director": ("Mtro. Luis Herrera", "director", "7391"),
    "admin": ("Lic. Sofía Navarro (DRSE)", "admin", "5173"),
}


def start_xvfb(size: str = "1280x800") -> tuple[subprocess.Popen[bytes], str]:
    """A private X server; Xvfb picks a free display and tells it through ``-displayfd``."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    return proc, f":{number}"


def kivy_env(display: str, home: Path) -> dict[str, str]:
    """Environment for a kiosk process: the display, and Kivy's files kept under ``home``."""
    for sub in ("kivy", "cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update({"DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(home / "kivy"),
                "XDG_CACHE_HOME": str(home / "cache"), "KIVY_WINDOW": "sdl2",
                "KIVY_NO_FILELOG": "1"})
    env.pop("STATION_SCREEN_INCHES", None)
    # On a machine busier than its cores, the autopilot's time limits stretch with the load
    # (they bound a hang; every step still waits for the state it needs).
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    env.setdefault("KIOSK_PILOT_PATIENCE", f"{max(1.0, min(load, 10.0)):.1f}")
    # The autopilot and its scenarios live with the tests (``kiosk_pilot``), not in the station.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "tests"),
                                                    env.get("PYTHONPATH")) if p)
    return env


def card_image(sheet_pdf: Path, position: int = 0, dpi: int = 200) -> Any:
    """The card at ``position`` of a print file, as a BGR array (rasterized with pdftoppm)."""
    import cv2
    import numpy as np

    from foundation.card_templates import load_sheet_layout
    from station.services.preview import rasterize_pdf

    folder = sheet_pdf.parent / "raster"
    folder.mkdir(exist_ok=True)
    png = rasterize_pdf(sheet_pdf, dpi=dpi, folder=folder)
    page = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    layout = load_sheet_layout()
    x, y = layout.card_origin(position)
    px = dpi / 25.4
    return page[round(y * px):round((y + layout.card_h) * px),
                round(x * px):round((x + layout.card_w) * px)]


def card_video(card: Any, out: Path, *, blank_frames: int = 15, card_frames: int = 45) -> Path:
    """A webcam-like video: a desk, then the card held in front of the camera."""
    import cv2
    import numpy as np

    width, height = 960, 720
    desk = np.full((height, width, 3), (150, 160, 170), np.uint8)
    scale = 0.8 * width / card.shape[1]
    small = cv2.resize(card, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    framed = desk.copy()
    y0 = (height - small.shape[0]) // 2
    x0 = (width - small.shape[1]) // 2
    framed[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"MJPG"), 15, (width, height))
    for _ in range(blank_frames):
        writer.write(desk)
    for _ in range(card_frames):
        writer.write(framed)
    writer.release()
    return out


def posing_video(out: Path, *, size: tuple[int, int] = (1280, 720)) -> Path:
    """A student standing too far, then to one side, then still in the middle (a real face
    photo, scikit-image's astronaut, posed by ``plugin_camera.pose``): 6 s at 15 frames/s,
    the still part long enough for the kiosk's 3-2-1 countdown."""
    import numpy as np
    from plugin_camera import pose, write_video

    frames = [pose(size, face_share=0.12)] * 8 + [pose(size, centre=(0.25, 0.42))] * 8
    still = [pose(size, centre=(0.5 + 0.002 * np.sin(i), 0.42)) for i in range(8)]
    frames += [still[i % 8] for i in range(75)]  # a few poses, repeated: quicker to make
    return write_video(out, frames)


def add_paused_queue(printer: Any, name: str = "Oficina") -> str:
    """A second queue on the virtual printer's cupsd, paused (``cupsdisable``): the printer
    list must show both, each with its state in words."""
    import time

    from station.printer.virtual_printer import _binary

    def admin(*command: str) -> None:
        subprocess.run([_binary(command[0]), "-h", printer.cups_server, *command[1:]],
                       stdin=subprocess.DEVNULL, capture_output=True, check=True, timeout=30)

    admin("lpadmin", "-p", name, "-E", "-v", printer.printer_uri, "-m", "everywhere",
          "-D", "Impresora de la oficina")
    # cupsd finishes the queue (its PPD) a moment after lpadmin returns, enabling it then:
    # pause it only after that, or the pause is undone.
    ppd = printer.workdir / "cups" / "root" / "ppd" / f"{name}.ppd"
    deadline = time.monotonic() + 30
    while not ppd.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    admin("cupsdisable", "-r", "Pausa de prueba", name)
    return name


def prepare_kiosk_data(folder: Path, *, students: int = 30,
                       printer: Any = None) -> dict[str, Any]:
    """A station with a school, three users, one valid and one spoiled card, camera files.

    Returns the autopilot's config (also written to ``folder/autopilot.json``).
    """
    import cv2
    from plugin_station import prepare_station

    from station.context import open_station, update_settings
    from station.services import accounts, print_tasks
    from station.services.issuance import Issuer, select_students

    cct, curps = prepare_station(folder, students=students)
    station = open_station(folder)
    try:
        users = {}
        for key, (name, role, pin) in USERS.items():
            user = accounts.add_user(station, name, role, pin)
            users[key] = {"id": user.id, "name": user.name, "pin": pin}
        # One card already issued (to verify) and one spoiled sheet (a card that is no good).
        issuer = Issuer(station, printer="pdf")
        school, first = select_students(station, cct, curps[:1])
        valid = issuer.produce(school, first)[0]
        print_tasks.confirm_sheets(station, [valid.sheet_id])
        school, second = select_students(station, cct, curps[1:2])
        spoiled = issuer.produce(school, second)[0]
        print_tasks.spoil_sheet(station, spoiled.sheet_id, "atasco de papel")
        camera_dir = folder / "camera"
        camera_dir.mkdir()
        video = card_video(card_image(valid.pdf), camera_dir / "tarjeta-valida.avi")
        revoked = camera_dir / "tarjeta-danada.png"
        cv2.imwrite(str(revoked), card_image(spoiled.pdf))
        posing = posing_video(camera_dir / "alumno-posando.avi")
        # Nobody and no card in front of it: the camera that gets unplugged mid-session.
        desk = card_video(card_image(valid.pdf), camera_dir / "escritorio.avi",
                          blank_frames=45, card_frames=0)
        no_photo = curps[-1]
        with station.db.write() as conn:  # a student whose photo never arrived
            conn.execute("UPDATE students SET photo_hash = NULL WHERE curp = ?", (no_photo,))
        changes: dict[str, Any] = {"camera.device": str(video), "station.id": "ESC-PRUEBA-01"}
        if printer is not None:
            changes.update({"printer.queue": printer.queue,
                            "printer.cups_server": printer.cups_server})
            add_paused_queue(printer)
        update_settings(station, changes)
    finally:
        station.close()
    config = {"cct": cct, "users": users, "valid_folio": valid.folios[0],
              "spoiled_folio": spoiled.folios[0], "camera_valid": str(video),
              "camera_revoked": str(revoked), "camera_posing": str(posing),
              "camera_desk": str(desk), "printer_queue": printer.queue if printer else None,
              "no_photo": no_photo,
              "printer_documents": str(printer.documents_dir) if printer else None}
    (folder / "autopilot.json").write_text(json.dumps(config, ensure_ascii=False), "utf-8")
    return config


def launch_autopilot(data: Path, size: str, out: Path, scenarios: str,
                     env: dict[str, str]) -> tuple[subprocess.Popen[str], Path]:
    """Start the kiosk with the autopilot in its own process (see :func:`collect`)."""
    report = out / "report.json"
    out.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)
    command = [sys.executable, "-m", "kiosk_pilot.autopilot", "--data", str(data), "--size",
               size, "--out", str(out), "--report", str(report), "--scenario", scenarios,
               "--config", str(data / "autopilot.json")]
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    return proc, report


def collect(proc: subprocess.Popen[str], report: Path, *, timeout_s: float = 240
            ) -> dict[str, Any]:
    """Wait for a kiosk started by :func:`launch_autopilot`; its report, with the exit status."""
    try:
        _out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    if not report.exists():
        raise AssertionError(f"the kiosk ended without a report (status {proc.returncode}):\n"
                             f"{err[-4000:]}")
    result: dict[str, Any] = json.loads(report.read_text("utf-8"))
    result["returncode"] = proc.returncode
    result["stderr_tail"] = err[-3000:]
    return result


def run_autopilot(data: Path, size: str, out: Path, scenarios: str, env: dict[str, str],
                  *, timeout_s: float = 240) -> dict[str, Any]:
    """Run the kiosk with the autopilot and wait for its report."""
    return collect(*launch_autopilot(data, size, out, scenarios, env), timeout_s=timeout_s)


def missing_ui_parts() -> list[str]:
    return [tool for tool in ("Xvfb", "pdftoppm") if shutil.which(tool) is None]


@pytest.fixture(scope="session")
def xvfb_display() -> Iterator[str]:
    from conftest import require_part

    missing = missing_ui_parts()
    require_part(not missing, "kiosk UI tests: " + ", ".join(missing))
    proc, display = start_xvfb()
    try:
        yield display
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def kiosk_env(xvfb_display: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return kivy_env(xvfb_display, tmp_path_factory.mktemp("kivy"))


@pytest.fixture(scope="session")
def screens_dir() -> Path:
    """``artifacts/screens`` in the checkout (gitignored): the screenshots stay for people."""
    folder = ROOT / "artifacts" / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder

"""``station`` subcommands for the camera (issue 5): camera list/test, photo capture, and the
camera half of ``station verify --camera``.

    station camera list                       # every camera, tried, with size and frame rate
    station camera test [DEVICE]              # one camera for a few seconds, or why none works
    station photo capture --curp CURP [--camera DEVICE] [--manual] [--flatten-background]
    station verify --camera [DEVICE] [--max-seconds N]
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any

import click

from station.cli_common import emit, friendly_errors, json_option
from station.cli_common import open_ctx_station as _station

if TYPE_CHECKING:
    from station.camera.resilient import ResilientCamera


def register(main: click.Group) -> None:
    """Add this module's commands to the ``station`` group."""
    main.add_command(camera_group)
    main.add_command(photo_group)


def _camera_settings(ctx: click.Context, device: str | None) -> tuple[str, int, int]:
    settings = _station(ctx).settings
    return (device or settings["camera.device"], int(settings["camera.width"]),
            int(settings["camera.height"]))


def open_resilient(device: str, width: int, height: int) -> ResilientCamera:
    """The camera, opened once now (so a wrong setting fails at once, in words) and then
    reopened by itself whenever it is lost."""
    from station.camera.factory import open_camera
    from station.camera.resilient import ResilientCamera

    first = open_camera(device, width, height)
    opened = [first]

    def opener() -> Any:
        return opened.pop() if opened else open_camera(device, width, height)

    return ResilientCamera(opener)


# --- station camera ---------------------------------------------------------------------------

@click.group("camera")
def camera_group() -> None:
    """See which cameras work, and why not."""


def _findings_text(findings: list[Any]) -> str:
    return "\n".join(f"- {f.message_es}\n  Qué hacer: {f.way_out_es}"
                     + (f"\n  En la terminal: {f.command}" if f.command else "")
                     for f in findings)


@camera_group.command("list")
@click.option("--seconds", default=1.0, show_default=True, help="Seconds to try each camera.")
@json_option
@click.pass_context
@friendly_errors
def camera_list_cmd(ctx: click.Context, seconds: float, as_json: bool) -> None:
    """Every camera of this machine, tried: size and frame rate, or what is wrong."""
    from station.camera.factory import list_cameras

    _device, width, height = _camera_settings(ctx, None)
    checks, findings = list_cameras(width, height, seconds=seconds)
    lines = [c.describe_es() for c in checks] or ["No se encontró ninguna cámara."]
    if findings:
        lines += ["", "Lo que se encontró:", _findings_text(findings)]
    emit(as_json, {"cameras": [c.to_json() for c in checks],
                   "findings": [{"code": f.code, "problem": f.message_es,
                                 "way_out": f.way_out_es, "command": f.command}
                                for f in findings]},
         "\n".join(lines))
    if not any(c.works for c in checks):
        sys.exit(1)


@camera_group.command("test")
@click.argument("device", required=False)
@click.option("--seconds", default=3.0, show_default=True, help="Seconds to read frames.")
@json_option
@click.pass_context
@friendly_errors
def camera_test_cmd(ctx: click.Context, device: str | None, seconds: float,
                    as_json: bool) -> None:
    """Read frames from DEVICE (default: the camera.device setting) and measure them."""
    from station.camera.diagnose import gather_facts
    from station.camera.factory import check_camera, parse_device
    from station.core.camera_faults import diagnose

    device, width, height = _camera_settings(ctx, device)
    check = check_camera(device, width, height, seconds=seconds)
    findings = []
    if not check.works and parse_device(device).kind in ("auto", "v4l2", "picamera2"):
        findings = diagnose(gather_facts())
    text = check.describe_es()
    if findings:
        text += "\n\nLo que se encontró:\n" + _findings_text(findings)
    emit(as_json, {**check.to_json(), "findings": [
        {"code": f.code, "problem": f.message_es, "way_out": f.way_out_es,
         "command": f.command} for f in findings]},
         text)
    if not check.works:
        sys.exit(1)


# --- station photo ---------------------------------------------------------------------------

@click.group("photo")
def photo_group() -> None:
    """Take students' ID photos with the camera."""


class _EnterPresses:
    """Counts Enter presses on stdin in a background thread (manual capture)."""

    def __init__(self) -> None:
        self._presses = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._run, name="enter", daemon=True).start()

    def _run(self) -> None:
        for _line in sys.stdin:
            with self._lock:
                self._presses += 1

    def take(self) -> bool:
        with self._lock:
            if self._presses:
                self._presses -= 1
                return True
        return False


@photo_group.command("capture")
@click.option("--curp", required=True, help="The student's CURP.")
@click.option("--camera", "device", help="Camera: index, /dev/videoN, picamera2, or a video "
              "or photo file (default: the camera.device setting).")
@click.option("--auto/--manual", default=True, show_default=True,
              help="Take the photo by itself when every check holds, or on Enter.")
@click.option("--flatten-background", is_flag=True,
              help="Replace the background with plain light grey (slower; may clip hair).")
@click.option("--max-seconds", default=120.0, show_default=True,
              help="Give up after this many seconds.")
@json_option
@click.pass_context
@friendly_errors
def photo_capture_cmd(ctx: click.Context, curp: str, device: str | None, auto: bool,
                      flatten_background: bool, max_seconds: float, as_json: bool) -> None:
    """Take, check and store a student's ID photo, with hints while the student poses."""
    from foundation.errors import RuleViolation
    from station.services.photo_capture import (
        PhotoSession,
        check_student,
        run_capture,
        store_photo,
    )

    station = _station(ctx)
    curp = curp.strip().upper()
    check_student(station, curp)
    device, width, height = _camera_settings(ctx, device)
    camera = open_resilient(device, width, height)
    session = PhotoSession(hold_s=float(station.settings["camera.auto_capture_s"]), auto=auto,
                           flatten=flatten_background)
    hints: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []

    def say(text: str) -> None:
        if not as_json:
            click.echo(text)

    def feedback(fb: Any) -> None:
        if not hints or hints[-1]["hint"] != fb.hint_es:
            hints.append({"t": round(fb.t, 2), "hint": fb.hint_es,
                          "sharpness": round(fb.sharpness, 1),
                          "face_brightness": round(fb.face_brightness)})
            say(f"  {fb.hint_es}")

    def event(ev: Any) -> None:
        events.append({"kind": ev.kind, "message": ev.message_es})
        say(f"  [cámara] {ev.message_es}")

    def refused(exc: RuleViolation) -> None:
        say(f"  {exc.user_message()}")

    presses = None if auto else _EnterPresses()
    say(f"Cámara: {camera.info.describe_es() if camera.info else device}")
    say("La foto se toma sola cuando todo esté bien." if auto else
        "Presione Enter para tomar la foto cuando todo esté bien.")
    try:
        photo = run_capture(camera, session, on_feedback=feedback, on_event=event,
                            on_refused=refused,
                            take_requested=presses.take if presses else lambda: False,
                            max_seconds=max_seconds)
    finally:
        camera.close()
    if photo is None:
        last = hints[-1]["hint"] if hints else "no llegó ninguna imagen de la cámara"
        raise RuleViolation(f"No se tomó la foto. Lo último que se vio: {last}",
                            way_out="Vuelva a intentar con buena luz, de frente a la cámara.")
    digest = store_photo(station, curp, photo)
    emit(as_json, {"stored": True, "photo_hash": digest, "photo": photo.to_json(),
                   "hints": hints, "camera_events": events},
         f"Foto guardada ({photo.width}×{photo.height} px) y asignada al alumno.")


# --- station verify --camera ------------------------------------------------------------------

def verify_with_camera(ctx: click.Context, device: str, max_seconds: float | None,
                       as_json: bool) -> None:
    """The loop behind ``station verify --camera``: one line per card shown, until Ctrl-C,
    ``--max-seconds`` or the end of a video file."""
    from station.services.camera_verify import verify_stream

    station = _station(ctx)
    device, width, height = _camera_settings(ctx, device or None)
    camera = open_resilient(device, width, height)
    scans: list[dict[str, Any]] = []
    if not as_json:
        click.echo(f"Cámara: {camera.info.describe_es() if camera.info else device}. "
                   "Muestre la credencial a la cámara (Ctrl-C para terminar).")

    def event(ev: Any) -> None:
        if not as_json:
            click.echo(f"[cámara] {ev.message_es}")

    try:
        for scan in verify_stream(station, camera, on_event=event, max_seconds=max_seconds):
            scans.append(scan.to_json())
            if not as_json:
                click.echo(scan.verification.reason_es)
    except KeyboardInterrupt:
        pass
    finally:
        camera.close()
    if as_json:
        emit(True, scans, "")
    elif not scans:
        click.echo("No se leyó ninguna credencial. Acerque la credencial, evite reflejos y "
                   "vuelva a intentar.")
    if not scans:
        sys.exit(1)

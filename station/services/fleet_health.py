"""What a fleet operator needs to see of each station, sent with every sync.

Disk space, under-voltage and throttling (a Raspberry Pi on a weak power supply corrupts its
SD card and prints slowly), the printer reachable, a camera present, the version that runs
and the updater's state. Central shows it per station on «Estaciones» with a warning state
(``central/crud/station_health.py``). No student data: counts and states only.

Throttling comes from ``vcgencmd get_throttled`` where Raspberry Pi's tools are installed,
else from the firmware's sysfs file (Raspberry Pi kernels), else from the ``rpi_volt``
hwmon alarm (Debian's kernel on a Pi); a machine with none of them says "no aplica".

>>> throttle_warnings(0x50005)  # doctest: +NORMALIZE_WHITESPACE
['bajo voltaje ahora', 'procesador frenado ahora', 'bajo voltaje desde el arranque',
 'procesador frenado desde el arranque']
>>> throttle_warnings(0)
[]
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from station import __version__
from station.context import Station

HEALTH_PATH = "/api/v1/sync/health"
LOW_DISK_BYTES = 1 << 30
"""Below 1 GiB free an update (4 × the bundle) and a day of photos no longer fit."""
FIRMWARE_THROTTLED = Path("/sys/devices/platform/soc/soc:firmware/get_throttled")
HWMON = Path("/sys/class/hwmon")
V4L2_SYSFS = Path("/sys/class/video4linux")

_THROTTLE_BITS = {0: "bajo voltaje ahora", 2: "procesador frenado ahora",
                  3: "límite de temperatura ahora", 16: "bajo voltaje desde el arranque",
                  18: "procesador frenado desde el arranque"}


def throttle_warnings(value: int) -> list[str]:
    """The bits of ``get_throttled`` an operator must act on, in words."""
    return [text for bit, text in sorted(_THROTTLE_BITS.items()) if value & (1 << bit)]


def read_throttled(run: Callable[[list[str]], str] | None = None) -> dict[str, Any]:
    """``{"source": ..., "value": int | None, "warnings": [...]}``."""
    if shutil.which("vcgencmd"):
        try:
            out = (run or _run)(["vcgencmd", "get_throttled"])
            value = int(out.strip().split("=", 1)[1], 16)
            return {"source": "vcgencmd", "value": value, "warnings": throttle_warnings(value)}
        except (OSError, ValueError, IndexError, subprocess.SubprocessError):
            pass
    try:
        value = int(FIRMWARE_THROTTLED.read_text().strip(), 16)
        return {"source": "sysfs", "value": value, "warnings": throttle_warnings(value)}
    except (OSError, ValueError):
        pass
    for hwmon in sorted(HWMON.glob("hwmon*")):
        try:
            if (hwmon / "name").read_text().strip() != "rpi_volt":
                continue
            alarm = (hwmon / "in0_lcrit_alarm").read_text().strip() == "1"
        except OSError:
            continue
        return {"source": "hwmon", "value": int(alarm),
                "warnings": ["bajo voltaje ahora"] if alarm else []}
    return {"source": "no aplica", "value": None, "warnings": []}


def _run(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, timeout=5, check=True).stdout


def camera_present(device: str, *, sysfs: Path = V4L2_SYSFS) -> bool:
    """A V4L2 device for ``camera.device`` (``auto``: any). Asked of sysfs, not /dev: the
    sync unit that sends this runs with PrivateDevices=yes and sees no /dev/video*.

    >>> camera_present("auto", sysfs=Path("/nonexistent"))
    False
    """
    if device in ("", "auto"):
        return any(sysfs.glob("video*"))
    if device.isdigit():
        return (sysfs / f"video{device}").exists()
    if device.startswith("/dev/"):
        return (sysfs / Path(device).name).exists() or Path(device).exists()
    return True  # a video file or URL (tests, a network camera): nothing to look for


def _printer(station: Station) -> dict[str, Any]:
    from foundation.errors import DomainError
    from station.services.print_tasks import printer_status
    from station.services.printer_check import not_ready_reason

    if not station.settings["printer.queue"]:
        return {"ok": False, "message": "no hay impresora configurada"}
    try:
        status = printer_status(station)
    except DomainError as error:
        return {"ok": False, "message": error.user_message()[:300]}
    reason = not_ready_reason(status.queue, status)
    return {"ok": reason is None, "message": (reason or status.message_es)[:300]}


def gather(station: Station, *,
           printer: Callable[[Station], dict[str, Any]] = _printer) -> dict[str, Any]:
    """This station's health now (what :data:`HEALTH_PATH` receives)."""
    from station.services.software import software_status

    disk = shutil.disk_usage(station.data_dir)
    throttled = read_throttled()
    printer_state = printer(station)
    camera = camera_present(str(station.settings["camera.device"]))
    try:
        software = software_status(station)
    except Exception as exc:  # the report must go out even when the status file is odd
        software = {"error": type(exc).__name__}
    last = software.get("last") or {}
    update_state = str(last.get("result") or "sin actualizaciones")
    warnings: list[str] = []
    if disk.free < LOW_DISK_BYTES:
        warnings.append(f"poco espacio en disco ({disk.free // 2**20} MB libres)")
    warnings += throttled["warnings"]
    if not printer_state["ok"]:
        warnings.append(f"impresora: {printer_state['message']}")
    if not camera:
        warnings.append("no se encontró la cámara")
    if update_state in ("failed", "rolled_back", "refused"):
        warnings.append(f"actualización {update_state}: {str(last.get('reason', ''))[:200]}")
    return {
        "version": __version__,
        "disk_free_mb": disk.free // 2**20,
        "disk_total_mb": disk.total // 2**20,
        "throttled": throttled,
        "printer_ok": bool(printer_state["ok"]),
        "printer_message": printer_state["message"],
        "camera_present": camera,
        "update_state": update_state,
        "update_version": str(last.get("version") or ""),
        "warnings": warnings,
    }


def send(station: Station, client: Any) -> dict[str, Any]:
    """Gather and send (signed, with the station's key); raises SyncError like any step."""
    body = gather(station)
    client.post_json(HEALTH_PATH, body)
    return body

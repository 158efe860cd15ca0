"""Release slots: install a verified bundle into ``releases/<version>/venv``, run the new
version's self-check, switch ``current``, restart the services, prune old slots.

The slot is built in place (a venv cannot be moved: its scripts name their own path) and is
complete only once ``.complete`` exists; a half-built slot is deleted and rebuilt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foundation.releases.bundle import load_release_keys, verify_bundle
from foundation.releases.manifest import Manifest
from station.core.releases import slots_to_remove
from station.update.layout import Layout

PIP_TIMEOUT_S = 1800
SELFTEST_TIMEOUT_S = 300
UNITS = ("station-kiosk.service",)
SYNC_UNIT = "station-sync.service"


class InstallFailed(Exception):
    """Installing or checking the new release failed; ``reason`` is Spanish."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Installer:
    """How slots are built.

    On the appliance the venv sees the system's packages (``python3-picamera2`` and the
    libcamera bindings exist only as Debian packages) but pip installs every dependency
    from the wheelhouse anyway (``--ignore-installed``), so Debian's older copies are
    shadowed. ``inherit_site`` (tests) instead adds one site-packages folder to the venv:
    a bundle with only the project wheel then uses the test venv's dependencies.
    """

    python: str = sys.executable
    inherit_site: Path | None = None
    system_site_packages: bool = True

    def _run(self, argv: Sequence[str], what: str, timeout: int) -> None:
        try:
            done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise InstallFailed(f"{what}: {type(exc).__name__}") from exc
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise InstallFailed(f"{what} falló: {' '.join(tail)[:400]}")

    def install(self, layout: Layout, bundle: Path, manifest: Manifest) -> Path:
        slot = layout.slot(manifest.version)
        if (slot / ".complete").exists():
            return slot
        if slot.exists():
            shutil.rmtree(slot)
        slot.mkdir(parents=True)
        try:
            wheels = slot / "wheels"
            # Verified again while extracting: only checked bytes reach pip.
            verify_bundle(bundle, load_release_keys(layout.keys_dir), extract_to=wheels)
            base = getattr(sys, "_base_executable", None) or self.python
            system = self.system_site_packages and self.inherit_site is None
            self._run([base, "-m", "venv", *(["--system-site-packages"] if system else []),
                       str(slot / "venv")], "crear el entorno", 600)
            if self.inherit_site is not None:
                site = next((slot / "venv" / "lib").glob("python3*/site-packages"))
                (site / "_station_inherit.pth").write_text(f"{self.inherit_site}\n")
            project = wheels / Path(manifest.project_wheel).name
            python = str(slot / "venv" / "bin" / "python")
            # pip byte-compiles file by file on one core; compileall -j0 uses every core (a
            # Pi 4 has four). Still before ``.complete``: a cut mid-compile rebuilds the slot.
            self._run([python, "-m", "pip", "install", "-q", "--no-compile",
                       "--no-index", "--no-cache-dir", "--disable-pip-version-check",
                       *(["--ignore-installed"] if system else []),
                       "--find-links", str(wheels), f"{project}[station]"],
                      "instalar las ruedas", PIP_TIMEOUT_S)
            compile_slot(python, slot / "venv")
            (slot / "manifest.json").write_text(json.dumps(manifest.to_json(), indent=2))
            (slot / ".complete").write_text(manifest.version)
        except BaseException:
            shutil.rmtree(slot, ignore_errors=True)
            raise
        shutil.rmtree(slot / "wheels", ignore_errors=True)
        return slot


def compile_slot(python: str, venv: Path) -> None:
    """Byte-compile the slot's packages on every core, as pip would have one by one.

    Not fatal, as in pip: a package may ship a file that does not compile (a template, a
    Python 2 example); that file is compiled when imported, or never. Only a compile run
    that could not start or did not end fails the slot."""
    try:
        subprocess.run([python, "-m", "compileall", "-q", "-q", "-j0", str(venv / "lib")],
                       capture_output=True, timeout=PIP_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallFailed(f"compilar el programa: {type(exc).__name__}") from exc


def _as_data_owner(layout: Layout) -> dict[str, Any]:
    """Run the new program as the data folder's owner (root must not create ledger files),
    on its own code: a ``PYTHONPATH`` of the caller (a developer's checkout) would put other
    code before the slot's and test that instead."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if os.geteuid() != 0:
        return {"env": env}
    info = layout.data_dir.stat()
    return {"user": info.st_uid, "group": info.st_gid, "extra_groups": [], "env": env}


def run_selftest(layout: Layout, version: str) -> dict[str, Any]:
    """The new version's own ``station selftest --json``; raises InstallFailed when it fails."""
    argv = [str(layout.station_bin(version)), "--data", str(layout.data_dir), "selftest",
            "--json"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=SELFTEST_TIMEOUT_S,
                              cwd=tempfile.gettempdir(), **_as_data_owner(layout))
        answer = json.loads(done.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        raise InstallFailed(f"la autoprueba de la versión {version} no respondió "
                            f"({type(exc).__name__})") from exc
    if done.returncode != 0 or not answer.get("ok"):
        bad = [f"{c['check']}: {c['detail']}" for c in answer.get("checks", []) if not c["ok"]]
        raise InstallFailed(f"la autoprueba de la versión {version} falló: "
                            + ("; ".join(bad) or answer.get("error", "sin detalle")))
    return answer


def under_systemd() -> bool:
    return Path("/run/systemd/system").is_dir() and shutil.which("systemctl") is not None


def restart_services(layout: Layout, version: str) -> str:
    """Restart what runs the station; without systemd, start the new version's health check
    directly (what the units' ExecStartPost does). Returns what was done, in Spanish."""
    if under_systemd():
        for unit in UNITS:
            subprocess.run(["systemctl", "restart", unit], check=False, timeout=120)
        subprocess.run(["systemctl", "start", "--no-block", SYNC_UNIT], check=False,
                       timeout=60)
        return "servicios reiniciados con systemd"
    subprocess.run([str(layout.station_bin(version)), "--data", str(layout.data_dir),
                    "update", "confirm-health", "--by", "updater"], check=False,
                   capture_output=True, timeout=SELFTEST_TIMEOUT_S, cwd=tempfile.gettempdir(),
                   **_as_data_owner(layout))
    return ("sin systemd: no se reiniciaron servicios; se arrancó la nueva versión para "
            "confirmar que funciona")


def prune(layout: Layout) -> list[str]:
    """Delete slots beyond the current and previous ones (keep the last 2 releases)."""
    gone = slots_to_remove(layout.slots(), current=layout.link_version(layout.current),
                           previous=layout.link_version(layout.previous))
    for version in gone:
        shutil.rmtree(layout.slot(version), ignore_errors=True)
    return gone

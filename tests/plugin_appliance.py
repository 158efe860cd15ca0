"""The appliance's root file system, built once per test run with the recipe the README
recommends (image-build/build.sh --rootfs, mmdebstrap from Debian's archive), for the boot
test (tests/test_appliance_boot.py).

Cached under the run's basetemp (never between runs: a fresh clone builds it again). The
package set is the test list (image-build/debian/packages-test); the first release's
wheelhouse is made from this venv's installed packages (tests/wheelhouse_from_venv.py), so
the build downloads Debian packages only. Test-only configuration is laid over the recipe's
root afterwards and named as such: Xvfb for the kiosk's display, timers that fire seconds
after boot instead of minutes/nightly, the station enrolled with the test's central.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import require_part
from plugin_fleet import ROOT, _build_wheel
from wheelhouse_from_venv import build_wheelhouse

from foundation.credential.keys import StationKey
from foundation.releases.bundle import public_key_line, sign_bundle

TOOLS = ("mmdebstrap", "systemd-nspawn", "nsenter", "setpriv", "mkfs.ext4", "mkfs.vfat",
         "mcopy", "sfdisk")

DISPLAY = os.environ.get("APPLIANCE_DISPLAY", "57")
"""The test Xvfb's display number (two runs side by side need two)."""

TEST_UNITS = {
    "xvfb.service": """\
# Test only: the kiosk's display (a Raspberry Pi draws through KMS; a container has none).
[Unit]
Description=Pantalla virtual de la prueba
[Service]
ExecStartPre=/bin/mkdir -p /var/lib/xvfb
# Display :57 (APPLIANCE_DISPLAY), not :0: the kiosk (PrivateTmp=yes) reaches Xvfb by its
# abstract socket, which lives in the network namespace the container shares with the host,
# where other test runs' Xvfb :0 may already listen.
ExecStart=/usr/bin/Xvfb :{display} -screen 0 800x480x24 -fbdir /var/lib/xvfb -nolisten tcp
""",
    "station-kiosk.service.d/test.conf": """\
[Unit]
Requires=xvfb.service
After=xvfb.service
[Service]
Environment=SDL_VIDEODRIVER=x11 DISPLAY=:{display}
""",
    "station-sync.timer.d/test.conf": """\
[Timer]
# One empty assignment resets every trigger of the timer (OnCalendar too).
OnBootSec=
OnBootSec=4s
OnUnitActiveSec=20s
RandomizedDelaySec=0
AccuracySec=1s
""",
    "station-update.timer.d/test.conf": """\
[Timer]
OnCalendar=
OnBootSec=10s
# Again 8 s after each run ends (nightly on a station): the boot test publishes releases to
# one running machine, which the timer then installs as it would at night.
OnUnitInactiveSec=8s
RandomizedDelaySec=0
AccuracySec=1s
""",
}


@dataclass
class ApplianceKit:
    folder: Path
    root: Path
    wheelhouse: Path
    key: StationKey
    pub: Path
    build_s: float
    timings: dict[str, float] = field(default_factory=dict)

    def bundle(self, version: str, *, broken_health: bool = False) -> Path:
        """A signed release with the whole wheelhouse (the station installs offline)."""
        out = self.folder / f"release-{version}.tar"
        if out.exists():
            return out
        return _sign(self.folder, self.wheelhouse, self.key, version, out,
                     broken_health=broken_health)


RELEASES = (("0.2.0", False), ("0.4.0", True))
"""The releases the boot test publishes (version, broken health): signed while the root
builds, whose first minutes wait on Debian's mirror."""


def _sign(folder: Path, wheelhouse: Path, key: StationKey, version: str, out: Path, *,
          broken_health: bool = False) -> Path:
    wheel = _build_wheel(folder / f"w-{version}", version, broken_health=broken_health)
    house = folder / f"house-{version}"
    shutil.rmtree(house, ignore_errors=True)
    # Hard links, not copies: the 355 MB wheelhouse is only read to be packed.
    shutil.copytree(wheelhouse, house, copy_function=os.link)
    shutil.copy(wheel, house)
    sign_bundle(house, key=key, out=out, min_upgrade_from="0.1.0")
    shutil.rmtree(house)
    return out


def _missing_tools() -> list[str]:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if os.geteuid() != 0:
        missing.append("root (mmdebstrap --mode=root, systemd-nspawn)")
    return missing


@pytest.fixture(scope="session")
def appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApplianceKit]:
    missing = _missing_tools()
    require_part(not missing, "appliance boot test: " + ", ".join(missing)
                 + " (scripts/setup.sh --test installs them)")
    # APPLIANCE_REUSE=<folder>: a developer's shortcut to keep one built root across runs
    # while working on the tests (never set in CI: a run builds its own root).
    reuse = os.environ.get("APPLIANCE_REUSE")
    folder = Path(reuse) if reuse else tmp_path_factory.mktemp("appliance")
    folder.mkdir(parents=True, exist_ok=True)
    key_file, pub = folder / "release.key", folder / "release.pub"
    key = StationKey.load(key_file) if key_file.exists() else StationKey.generate(key_file)
    pub.write_text(public_key_line(key.public_bytes(), "pruebas"))
    wheelhouse, root = folder / "wheelhouse", folder / "root"
    if not wheelhouse.is_dir():
        build_wheelhouse(wheelhouse)
    build_s = 0.0
    if not (root / "opt/station/current").is_symlink():
        shutil.rmtree(root, ignore_errors=True)
        build_s = _build_root(folder, wheelhouse, key, pub, root)
    for name, text in TEST_UNITS.items():
        path = root / "etc/systemd/system" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("{display}", DISPLAY))
    kit = ApplianceKit(folder, root, wheelhouse, key, pub, build_s)
    kit.timings["root_build_s"] = round(build_s, 1)  # build.sh + the bundles signed meanwhile
    said = re.search(r"raíz lista en (\d+) s", (folder / "build.log").read_text(
        "utf-8", "replace")) if build_s else None
    if said:
        kit.timings["build_sh_s"] = float(said.group(1))
    yield kit
    # What docs/PERFORMANCE.md reports, measured by this run.
    (folder / "timings.json").write_text(json.dumps(kit.timings, indent=2))


def _build_root(folder: Path, wheelhouse: Path, key: StationKey, pub: Path, root: Path
                ) -> float:
    """image-build/build.sh --rootfs with the test package list; seconds it took."""
    bundle = _sign(folder, wheelhouse, key, "0.1.0", folder / "first.tar")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    env |= {"PYTHON": sys.executable, "PYTHONPATH": str(ROOT)}
    t0 = time.monotonic()
    with open(folder / "build.log", "wb") as log:
        build = subprocess.Popen([str(ROOT / "image-build/build.sh"), "--arch", "amd64",
                                  "--rootfs", "--packages",
                                  str(ROOT / "image-build/debian/packages-test"),
                                  str(bundle), str(pub), str(root)],
                                 stdout=log, stderr=subprocess.STDOUT, env=env,
                                 start_new_session=True)
        try:
            for version, broken in RELEASES:
                _sign(folder, wheelhouse, key, version, folder / f"release-{version}.tar",
                      broken_health=broken)
            build.wait(timeout=1500)
        finally:
            if build.poll() is None:  # mmdebstrap and its apt/dpkg children too
                os.killpg(build.pid, signal.SIGKILL)
                build.wait()
    build_s = time.monotonic() - t0
    assert build.returncode == 0, (folder / "build.log").read_text("utf-8", "replace")[-3000:]
    bundle.unlink()
    return build_s

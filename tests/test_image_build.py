"""The appliance image recipes (image-build/: the Debian/mmdebstrap one the README
recommends, and the pi-gen stage for Raspberry Pi OS) are consistent with the repo, and the
install script produces the expected tree when run against a temporary root folder (DESTDIR
style) with a real signed bundle (tests/plugin_fleet.py). The Debian recipe is also built and
booted for real by tests/test_appliance_boot.py."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_fleet import ReleaseKit

ROOT = Path(__file__).resolve().parents[1]
IMAGE = ROOT / "image-build"
STAGE = IMAGE / "stage-credencial"
SCRIPTS = sorted(IMAGE.rglob("*.sh"))
DEBIAN_UNITS = {"cups.service"}
SETUP = IMAGE / "files/station-setup.sh"
BUILD_ONLY = {"gcc", "python3-dev", "libcups2-dev"}
"""Needed to build pycups from source; the Debian recipe installs the bundle's built wheel."""


def _package_list(path: Path) -> set[str]:
    return {w for line in path.read_text("utf-8").splitlines()
            for w in line.split("#", 1)[0].split()}


def test_scripts_parse_with_bash_n() -> None:
    assert len(SCRIPTS) >= 5
    for script in SCRIPTS:
        done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, f"{script}: {done.stderr}"
        assert script.stat().st_mode & 0o111, f"{script} is not executable"


def test_packages_cover_the_runtime_list_of_setup_sh() -> None:
    setup = (ROOT / "scripts/setup.sh").read_text("utf-8")
    runtime = re.search(r"runtime_debs=\(([^)]*)\)", setup, re.S)
    assert runtime
    wanted = set(runtime.group(1).split())
    packages = set((STAGE / "00-packages/00-packages").read_text("utf-8").split())
    assert wanted - packages == set()
    assert {"cups", "cage"} <= packages
    debian = _package_list(IMAGE / "debian/packages")
    assert wanted - BUILD_ONLY - debian == set()
    assert {"cups", "cage", "systemd-sysv", "locales"} <= debian
    assert {"linux-image-arm64", "raspi-firmware"} <= _package_list(
        IMAGE / "debian/packages-arm64")
    # The boot test's root: what the station runs with, and no kernel.
    test = _package_list(IMAGE / "debian/packages-test")
    assert {"python3-venv", "libcups2", "systemd-sysv"} <= test
    assert not any(p.startswith("linux-image") for p in test)


def test_config_is_raspberry_pi_os_lite_bookworm_arm64_without_ssh() -> None:
    config = dict(line.split("=", 1) for line in (IMAGE / "config").read_text("utf-8")
                  .splitlines() if "=" in line and not line.startswith("#"))
    assert config["RELEASE"] == "bookworm" and config["ARCH"] == "arm64"
    assert config["ENABLE_SSH"] == "0" and config["FIRST_USER_NAME"] == "credencial"
    assert shlex.split(config["STAGE_LIST"])[0].split() == ["stage0", "stage1", "stage2",
                                                              "stage-credencial"]


def test_enabled_units_and_installed_files_exist() -> None:
    chroot = SETUP.read_text("utf-8")
    # Both recipes run the same in-root setup.
    assert "station-setup.sh" in (STAGE / "01-station/01-run-chroot.sh").read_text("utf-8")
    assert "files/station-setup.sh" in (IMAGE / "debian/customize.sh").read_text("utf-8")
    enabled = [u for line in chroot.splitlines() if line.startswith("systemctl enable")
               for u in line.split()[2:]]
    installed = {p.name for p in (ROOT / "systemd").iterdir()} | {
        p.name for p in (IMAGE / "files").glob("*.service")}
    assert set(enabled) - DEBIAN_UNITS <= installed
    assert {"station-kiosk.service", "station-update.timer", "station-sync.timer"} <= set(enabled)
    # The kiosk's touch setup replaces the tty1 prompt; it stays installed for a keyboard.
    assert "station-firstboot.service" not in enabled
    assert "usermod -a -G video,lpadmin credencial" in chroot
    install = (IMAGE / "install-station.sh").read_text("utf-8")
    for ref in re.findall(r'"\$repo/([^"$]+)', install):
        assert list(ROOT.glob(ref)), ref


def _install(dest: Path, bundle: Path, key: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(IMAGE / "install-station.sh"), str(dest), str(bundle), str(key)],
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable})


def test_install_script_builds_the_tree(tmp_path: Path, release_kit: ReleaseKit) -> None:
    bundle = release_kit.bundle("0.2.0", tmp_path / "b" / "first.tar")
    dest = tmp_path / "rootfs"
    (dest / "boot/firmware").mkdir(parents=True)
    (dest / "boot/firmware/ssh").write_text("")
    done = _install(dest, bundle, release_kit.pub)
    assert done.returncode == 0, done.stderr
    assert "paquete 0.2.0 verificado" in done.stdout
    opt = dest / "opt/station"
    assert (opt / "release-keys/estado.pub").read_bytes() == release_kit.pub.read_bytes()
    first = opt / "bundles/first"
    manifest = json.loads((first / "manifest.json").read_text("utf-8"))
    assert (first / "VERSION").read_text().strip() == "0.2.0" == manifest["version"]
    assert (first / "wheels" / (first / "PROJECT_WHEEL").read_text().strip()).is_file()
    units = {p.name for p in (dest / "etc/systemd/system").iterdir()}
    assert units == {p.name for p in (ROOT / "systemd").iterdir()} | {
        "station-firstboot.service"}
    assert (dest / "usr/local/sbin/station-firstboot").stat().st_mode & 0o111
    assert (dest / "var/lib/station").stat().st_mode & 0o777 == 0o700
    assert not (dest / "boot/firmware/ssh").exists()


def test_install_script_refuses_a_bundle_the_image_would_not_trust(
        tmp_path: Path, release_kit: ReleaseKit) -> None:
    bundle = release_kit.bundle("0.2.0", tmp_path / "b" / "x.tar", key=release_kit.stranger)
    dest = tmp_path / "rootfs"
    done = _install(dest, bundle, release_kit.pub)
    assert done.returncode != 0
    assert "paquete rechazado" in done.stderr and "no reconoce" in done.stderr
    assert not dest.exists()


@pytest.mark.parametrize("name", ["README.md"])
def test_readme_has_the_build_commands(name: str) -> None:
    readme = (IMAGE / name).read_text("utf-8")
    for words in ("image-build/build.sh", "central release sign", "central release keygen",
                  "mmdebstrap", "dd ", "does not come back", "station update rollback"):
        assert words in readme, words


def test_build_script_refuses_missing_arguments_in_spanish() -> None:
    done = subprocess.run([str(IMAGE / "build.sh"), "--arch", "amd64"], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2 and "uso:" in done.stderr

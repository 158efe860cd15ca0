"""A central server installs without the station's hardware stack.

A fresh venv gets ``pip install '.[central]'`` from this checkout (the way a server is set
up); central's app must import there, and Kivy, OpenCV, pycups, numpy and zxing must not be
installed at all. This is the test that catches a central module reaching into a station
module that needs the kiosk (the architecture test checks the arrows; this one the wheel's
declared dependencies).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STATION_ONLY = ("kivy", "cv2", "cups", "numpy", "zxingcpp", "requests")


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.slow
def test_central_extra_installs_and_imports_without_station_hardware(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], 120)
    assert made.returncode == 0, made.stderr
    python = str(venv / "bin" / "python")
    # A copy of the checkout: setuptools' in-tree build would leave build/ in the worktree.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("foundation", "station", "central", "conalep"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    installed = _run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                      "--no-compile", f"{src}[central]"], 600)
    assert installed.returncode == 0, installed.stderr[-3000:]
    probe = ("import importlib.util, json\n"
             "import central.api.app, central.cli, central.cli_releases\n"
             f"print(json.dumps({{m: importlib.util.find_spec(m) is not None "
             f"for m in {STATION_ONLY!r}}}))\n")
    checked = _run([python, "-c", probe], 120)
    assert checked.returncode == 0, checked.stderr[-3000:]
    found = checked.stdout.strip().splitlines()[-1]
    assert found == "{" + ", ".join(f'"{m}": false' for m in STATION_ONLY) + "}", found

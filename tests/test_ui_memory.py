"""Back home, the kiosk lets go of the screens of the task just finished.

The real kiosk under Xvfb, driven by the autopilot with the scenario of
``tests/kiosk_memory_driver.py``: it searches the roster, verifies a card from a video-file
camera, goes home through the top bar (verdict → verify → home), and reports what is still
alive after a garbage collection. Kivy's screen transition used to keep the last screen left
(``screen_out``) alive until the next switch (see ``KioskApp._settle_home``), and Kivy's
RecycleView kept the roster's rows in a process-wide cache
(``station.ui.memory.release_recycled_views``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from plugin_ui import ROOT, collect, prepare_kiosk_data


def test_verify_screen_is_collected_back_home(kiosk_env: dict[str, str],
                                               tmp_path: Path) -> None:
    data = tmp_path / "station"
    prepare_kiosk_data(data)
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.json"
    command = [sys.executable, str(ROOT / "tests" / "kiosk_memory_driver.py"), "--data",
               str(data), "--size", "800x480", "--out", str(out), "--report", str(report),
               "--scenario", "verify_released", "--config", str(data / "autopilot.json")]
    proc = subprocess.Popen(command, env=kiosk_env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    result = collect(proc, report, timeout_s=120)
    assert result["ok"], (result["error"], result["stderr_tail"])
    assert result["failures"] == []
    assert result["steps"][-2:] == ["tap bar_back", "tap bar_back"]  # verify was left last
    assert result["data"]["verify_collected"] is True
    assert result["data"]["screens_alive"] == ["HomeScreen"]
    assert result["data"]["roster_rows_alive"] == 0

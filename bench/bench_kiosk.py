"""Kiosk benchmark: start to the home screen, memory after a 200-card session, live preview rate.

Every number comes from the real kiosk in its own process on a private Xvfb display, driven by
the autopilot (``kiosk_pilot.scenarios``: ``startup``, ``session200``, ``preview_fps``), with a
private CUPS and virtual printer, and video files as the camera. Side by side, the obvious
baseline of each: a bare Kivy app with one label (start time, memory), and the camera's own
rate with the photo checks but no screen (preview).

    .venv/bin/python bench/bench_kiosk.py [--runs 5] [--size 800x480] [--skip-session]
        [--session-runs 3] [--only-session] [--only-preview] [--base <checkout>] [--parallel N]
        [--maxfps 30]

The memory of the 200-card session is measured before and after the kiosk's own memory
work (``STATION_KIOSK_MEMORY_BASELINE=1`` switches it off), interleaved in the same run.
With ``--base`` (a git worktree of the previous code, e.g. ``git worktree add --detach
/tmp/base main``) the session and the preview run once with this checkout and once with that
one, alternating, each kiosk in its own process importing its own checkout's code.

The preview also reports the processor time of the kiosk's threads (screen, camera, llvmpipe,
the rest) and of Xvfb per shown frame, and the window's redraws per second. It runs at the
kiosk's own frame cap (``--maxfps 30``, as ``launch.configure_kivy`` deploys it), not the
autopilot's 60, unless ``--maxfps 0``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _machine import cpu_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
# Kivy is imported in this process too (machine description, camera checks): keep it from
# reading our arguments and from writing into the home folder.
os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="bench-kivy-"))
os.environ["KIVY_NO_FILELOG"] = "1"

from plugin_ui import (  # noqa: E402
    collect,
    kivy_env,
    prepare_kiosk_data,
    run_autopilot,
    start_xvfb,
)

BARE_APP = """
import os, sys, time, json
from station.ui.launch import configure_kivy
configure_kivy({w}, {h})
from kivy.app import App
from kivy.clock import Clock
from kivy.uix.label import Label

class Bare(App):
    def build(self):
        return Label(text="Credenciales escolares")
    def on_start(self):
        Clock.schedule_once(self.done, 0)
    def done(self, _dt):
        rss = [l for l in open("/proc/self/status") if l.startswith("VmRSS")][0]
        print(json.dumps({{"home": time.time(), "rss_mb": int(rss.split()[1]) / 1024}}))
        self.stop()

Bare().run()
"""


def machine() -> str:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    model = cpu_model()
    mem = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal")) / 2**20
    import kivy

    return (f"{platform.system()} {platform.release()} {platform.machine()}, {model}, "
            f"{os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}, "
            f"Kivy {kivy.__version__}, Mesa llvmpipe under Xvfb (no GPU)")


def median(values: list[float]) -> float:
    return statistics.median(values)


def bare_app(size: str, env: dict[str, str]) -> dict[str, float]:
    w, h = size.split("x")
    script = Path(env["KIVY_HOME"]) / "bare_app.py"  # Kivy's App wants a source file
    script.write_text(BARE_APP.format(w=w, h=h), "utf-8")
    t0 = time.time()
    out = subprocess.run([sys.executable, str(script)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    return {"start_s": answer["home"] - t0, "rss_mb": answer["rss_mb"]}


def bench_startup(base: Path, size: str, env: dict[str, str], runs: int) -> None:
    data = base / "startup"
    prepare_kiosk_data(data, students=30)
    kiosk, bare, rss_home = [], [], []
    for i in range(runs):
        t0 = time.time()
        report = run_autopilot(data, size, base / f"startup-{i}", "startup", env)
        kiosk.append(report["timings"]["home_shown_epoch"] - t0)
        rss_home.append(report["data"]["rss_at_home"]["VmRSS"])
        b = bare_app(size, env)
        bare.append(b["start_s"])
    k, b = median(kiosk), median(bare)
    print(f"\n## Start to home screen ({size}, {runs} runs, process start → first frame)")
    print("| what | median | min – max |")
    print("|---|---|---|")
    print(f"| kiosk (station opened, home screen) | **{k:.2f} s** | {min(kiosk):.2f} – "
          f"{max(kiosk):.2f} s |")
    print(f"| bare Kivy app, one label | {b:.2f} s | {min(bare):.2f} – {max(bare):.2f} s |")
    print(f"| **ratio kiosk / bare Kivy** | **{k / b:.2f}×** | |")
    print(f"RSS at the home screen: {median(rss_home):.0f} MiB")


def unit_environment(checkout: Path) -> dict[str, str]:
    """The process-wide settings the checkout's systemd unit gives the kiosk (``PYTHON*``,
    ``MALLOC*``): the kiosk is measured as it is deployed, not as a bare ``python``."""
    unit = checkout / "systemd" / "station-kiosk.service"
    found: dict[str, str] = {}
    for line in unit.read_text("utf-8").splitlines() if unit.exists() else []:
        if line.startswith("Environment="):
            key, _, value = line.removeprefix("Environment=").partition("=")
            if key.startswith(("PYTHON", "MALLOC")):
                found[key] = value
    return found


def run_checkout(checkout: Path, data: Path, size: str, out: Path, scenario: str,
                 env: dict[str, str], *, timeout_s: float = 240) -> dict[str, Any]:
    """The autopilot's kiosk importing ``checkout``'s code, with the environment of that
    checkout's systemd unit. The autopilot and its scenarios (the measuring instrument) are
    this checkout's for both sides: run from ``checkout`` (first on the path, so its
    ``station`` is the one imported), with this checkout's ``tests`` after it."""
    report = out / "report.json"
    out.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)
    run_env = dict(env)
    run_env.update(unit_environment(checkout))
    run_env["PYTHONPATH"] = os.pathsep.join((str(checkout), str(ROOT / "tests")))
    command = [sys.executable, "-m", "kiosk_pilot.autopilot", "--data", str(data), "--size",
               size, "--out", str(out), "--report", str(report), "--scenario", scenario,
               "--config", str(data / "autopilot.json")]
    proc = subprocess.Popen(command, env=run_env, cwd=checkout, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    return collect(proc, report, timeout_s=timeout_s)


def _session_run(template: Path, base: Path, name: str, size: str, env: dict[str, str],
                 *, baseline: bool, base_checkout: Path | None = None) -> dict[str, object]:
    """One 200-card session on a fresh copy of the prepared station."""
    import shutil

    data = base / name
    shutil.copytree(template, data)
    run_env = dict(env)
    run_env.pop("STATION_KIOSK_MEMORY_BASELINE", None)
    if baseline and base_checkout is not None:  # the previous code, in its own checkout
        report = run_checkout(base_checkout, data, size, base / f"{name}-out", "session200",
                              run_env, timeout_s=1800)
    else:
        if baseline:  # as before issue 6's memory work: screens kept, Kivy caches left
            run_env["STATION_KIOSK_MEMORY_BASELINE"] = "1"
        report = run_checkout(ROOT, data, size, base / f"{name}-out", "session200", run_env,
                              timeout_s=1800)
    assert report["ok"], report["error"]
    shutil.rmtree(data, ignore_errors=True)
    return dict(report["data"])


def bench_session(base: Path, size: str, env: dict[str, str], runs: int,
                  base_checkout: Path | None = None, parallel: int = 1) -> None:
    from station.context import open_station, update_settings
    from station.printer.virtual_printer import VirtualPrinter

    results: dict[bool, list[dict[str, object]]] = {True: [], False: []}
    with VirtualPrinter(base / "printer") as printer:
        template = base / "session-template"
        prepare_kiosk_data(template, students=600, printer=printer)
        station = open_station(template)
        update_settings(station, {"printer.job_timeout_s": 120.0})
        station.close()
        # Interleaved, so both see the same machine load; with ``parallel`` > 1 that many
        # sessions run at once (pairs side by side: memory does not depend on the pace).
        order = [(i, baseline) for i in range(runs) for baseline in (True, False)]

        def one(item: tuple[int, bool]) -> tuple[bool, dict[str, object]]:
            i, baseline = item
            found = _session_run(template, base, f"session-{i}-{'before' if baseline else 'after'}",
                                 size, env, baseline=baseline, base_checkout=base_checkout)
            print(f"  session {i} {'before' if baseline else 'after'}: "
                  f"{found['rss_settled']['VmRSS']:.0f} MiB, load "  # type: ignore[index]
                  f"{os.getloadavg()[0]:.1f}", flush=True)
            return baseline, found

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=parallel) as pool:
            for baseline, found in pool.map(one, order):
                results[baseline].append(found)
    bare = median([bare_app(size, env)["rss_mb"] for _ in range(3)])

    def med(baseline: bool, key: str, field: str = "VmRSS") -> float:
        return median([float(d[key][field]) for d in results[baseline]])  # type: ignore[index]

    def spread(baseline: bool, key: str, field: str = "VmRSS") -> str:
        values = [float(d[key][field]) for d in results[baseline]]  # type: ignore[index]
        return f"{min(values):.0f} – {max(values):.0f}"

    last = results[False][-1]
    print(f"\n## Memory after a session of {last['cards']} cards ({last['sheets']} sheets, "
          f"{size}, {runs} runs each, interleaved)")
    print("Sign in, print every pending student through CUPS (virtual printer), review and "
          "confirm every sheet, search the roster, verify a card from the camera. *Before*: "
          + (f"the code of {base_checkout}" if base_checkout else
             "STATION_KIOSK_MEMORY_BASELINE=1 (screens of the finished task kept, Kivy's "
             "caches left)") + "; *after*: this checkout.")
    print("| what | before (median, min – max) | after (median, min – max) | after / before |")
    print("|---|---|---|---|")
    for label, key, field in (
            ("**RSS back at home, 1 s later** (goal ≤ 280 MiB)", "rss_settled", "VmRSS"),
            ("  of which anonymous (heap)", "rss_settled", "RssAnon"),
            ("  of which file-backed (libraries)", "rss_settled", "RssFile"),
            ("RSS the moment the session ends", "rss_after", "VmRSS"),
            ("peak RSS during the session (VmHWM)", "rss_after", "VmHWM"),
            ("RSS at the home screen, before the session", "rss_at_home", "VmRSS")):
        b, a = med(True, key, field), med(False, key, field)
        print(f"| {label} | {b:.0f} MiB ({spread(True, key, field)}) | **{a:.0f} MiB** "
              f"({spread(False, key, field)}) | {a / b:.2f}× |")
    print(f"| bare Kivy app, one label | {bare:.0f} MiB | | |")
    print(f"Session length (autopilot, llvmpipe): before "
          f"{median([float(d['session_s']) for d in results[True]]):.0f} s, after "  # type: ignore[arg-type]
          f"{median([float(d['session_s']) for d in results[False]]):.0f} s")  # type: ignore[arg-type]
    if all("cpu_s" in d for d in results[True] + results[False]):
        cpu_b = median([float(d["cpu_s"]) for d in results[True]])  # type: ignore[arg-type]
        cpu_a = median([float(d["cpu_s"]) for d in results[False]])  # type: ignore[arg-type]
        print(f"Processor time of the kiosk process (start + session): before {cpu_b:.1f} s, "
              f"after {cpu_a:.1f} s ({cpu_a / cpu_b:.2f}×)")
    print("Held back home — before: " + json.dumps(results[True][-1].get("held"))
          + "; after: " + json.dumps(last.get("held")))
    print("Largest file-backed parts of that RSS: "
          + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in last["rss_by_file"]))  # type: ignore[union-attr]


def camera_alone(video: Path, seconds: float = 5.0) -> float:
    """Frames per second the photo checks sustain on this video, with no screen at all."""
    from station.camera.video_file import VideoFileCamera
    from station.services.photo_capture import PhotoSession

    camera = VideoFileCamera(video, loop=True)
    session = PhotoSession(hold_s=1.0)
    frames, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < seconds:
        session.feed(camera.read())
        frames += 1
    camera.close()
    return frames / (time.monotonic() - t0)


def _cpu_text(cpu: dict[str, float]) -> str:
    return " ".join(f"{k} {v:.0f}" for k, v in cpu.items())


def _cpu_per_frame(cpu: list[dict[str, float]], shown: list[float]) -> str:
    """Median processor milliseconds per shown frame, by thread (and the X server)."""
    if not cpu or not cpu[0]:
        return "not measured"
    keys = list(cpu[0])
    per = {k: median([c.get(k, 0.0) / s for c, s in zip(cpu, shown, strict=True) if s])
           for k in keys}
    total = median([sum(c.values()) / s for c, s in zip(cpu, shown, strict=True) if s])
    return " + ".join(f"{k} {v:.1f}" for k, v in per.items()) + f" = **{total:.1f} ms**"


def bench_preview(base: Path, size: str, env: dict[str, str], runs: int,
                  base_checkout: Path | None = None) -> None:
    from plugin_camera import pose, write_video

    from station.context import open_station, update_settings

    video = write_video(base / "lejos.avi", [pose(face_share=0.12)] * 300, fps=30.0)
    data = base / "preview"
    prepare_kiosk_data(data, students=30)
    station = open_station(data)
    update_settings(station, {"camera.device": str(video)})
    station.close()
    shown, read, shown_base, read_base = [], [], [], []
    cpu: list[dict[str, float]] = []
    cpu_base: list[dict[str, float]] = []
    for i in range(runs):
        report = run_checkout(ROOT, data, size, base / f"preview-{i}", "preview_fps", env)
        assert report["ok"], report["error"]
        shown.append(report["data"]["preview_fps"])
        read.append(report["data"]["camera_fps"])
        cpu.append(report["data"].get("cpu_ms_per_s", {}))
        line = (f"  preview {i}: {shown[-1]:.1f} fps shown of {read[-1]:.1f} read, "
                f"{report['data'].get('redraw_fps')} redraws/s (cap "
                f"{report['data'].get('max_fps')}), cpu ms/s {_cpu_text(cpu[-1])}")
        if base_checkout is not None:
            report = run_checkout(base_checkout, data, size, base / f"preview-base-{i}",
                                  "preview_fps", env)
            assert report["ok"], report["error"]
            shown_base.append(report["data"]["preview_fps"])
            read_base.append(report["data"]["camera_fps"])
            cpu_base.append(report["data"].get("cpu_ms_per_s", {}))
            line += (f"; before {shown_base[-1]:.1f} of {read_base[-1]:.1f}, "
                     f"{report['data'].get('redraw_fps')} redraws/s (cap "
                     f"{report['data'].get('max_fps')}), cpu ms/s "
                     f"{_cpu_text(cpu_base[-1])}")
        print(f"{line}; load {os.getloadavg()[0]:.1f}", flush=True)
    alone = median([camera_alone(video) for _ in range(3)])
    cap = env.get("KIOSK_PILOT_MAXFPS", "the autopilot's")
    print(f"\n## Live photo preview ({size}, 1280×720 video file at 30 frames/s, "
          f"{runs} runs × 8 s, Kivy's frame cap {cap} on the way to the photo screen)")
    print("| what | median | min – max |")
    print("|---|---|---|")
    print(f"| frames shown on screen per second | **{median(shown):.1f}** | {min(shown):.1f} – "
          f"{max(shown):.1f} |")
    print(f"| frames read and checked by the photo service, with the screen | {median(read):.1f} "
          f"| {min(read):.1f} – {max(read):.1f} |")
    print(f"| photo checks alone, no screen, as fast as they go | {alone:.1f} | |")
    print(f"| **ratio shown / delivered by the camera** | **{median(shown) / median(read):.2f}×** "
          "| |")
    print(f"| ratio shown / checks alone | {median(shown) / alone:.2f}× | |")
    if shown_base:
        print(f"| before ({base_checkout}): frames shown per second | {median(shown_base):.1f} "
              f"| {min(shown_base):.1f} – {max(shown_base):.1f} |")
        print(f"| before: frames read by the photo service | {median(read_base):.1f} | "
              f"{min(read_base):.1f} – {max(read_base):.1f} |")
        print(f"| **ratio shown, after / before** | **{median(shown) / median(shown_base):.2f}×**"
              " | |")
    print(f"Processor time per shown frame, by thread (ms, median): {_cpu_per_frame(cpu, shown)}")
    if cpu_base:
        print(f"Before: {_cpu_per_frame(cpu_base, shown_base)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="800x480")
    parser.add_argument("--skip-session", action="store_true")
    parser.add_argument("--session-runs", type=int, default=3,
                        help="200-card sessions before and after (each, interleaved).")
    parser.add_argument("--only-session", action="store_true")
    parser.add_argument("--only-preview", action="store_true")
    parser.add_argument("--parallel", type=int, default=1,
                        help="sessions run at once (a loaded machine: memory, not speed)")
    parser.add_argument("--maxfps", type=int, default=30,
                        help="Kivy's frame cap on the way to the photo screen: the kiosk's own "
                             "30 (launch.configure_kivy), not the autopilot's 60 (0: leave it)")
    parser.add_argument("--base", type=Path, default=None,
                        help="a checkout of the previous code to measure beside this one")
    args = parser.parse_args()
    base_checkout = args.base.resolve() if args.base else None
    print(f"Machine: {machine()}")
    xvfb, display = start_xvfb()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as name:
            base = Path(name)
            env = kivy_env(display, base / "home")
            env["BENCH_XVFB_PID"] = str(xvfb.pid)  # the preview counts the X server's work
            if args.maxfps:
                env["KIOSK_PILOT_MAXFPS"] = str(args.maxfps)
            print(f"Load average at the start: {os.getloadavg()[0]:.1f}", flush=True)
            if not args.only_session and not args.only_preview:
                bench_startup(base, args.size, env, args.runs)
            if not args.only_session:
                bench_preview(base, args.size, env,
                              args.runs if args.only_preview else max(3, args.runs // 2),
                              base_checkout)
            if not args.skip_session and not args.only_preview:
                bench_session(base, args.size, env, args.session_runs, base_checkout,
                              args.parallel)
            print(f"Load average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        xvfb.terminate()


if __name__ == "__main__":
    main()

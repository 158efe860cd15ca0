"""Scenarios for ``bench/bench_kiosk.py``: start, a 200-card working session, the preview rate.

They measure the process they run in (``/proc/self/status``) and put the numbers in the
autopilot's report.
"""

from __future__ import annotations

import os
import time

from kiosk_pilot.autopilot import Pilot, Step
from kiosk_pilot.scenarios import _data, _screen, all_students, go_home, pick_school, sign_in
from station.ui.machine import State


def _rss_mb() -> dict[str, float]:
    """This process's resident memory now and at its peak (Linux /proc), in MiB."""
    found: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                found[key] = int(value.split()[0]) / 1024
    return found


def _rss_by_file(top: int = 6) -> list[tuple[str, float]]:
    """The mapped files that take the most resident memory (MiB), from /proc/self/smaps."""
    sizes: dict[str, float] = {}
    current = ""
    with open("/proc/self/smaps", encoding="utf-8", errors="replace") as smaps:
        for line in smaps:
            parts = line.split()
            if parts and "-" in parts[0] and len(parts) >= 5:
                current = parts[5] if len(parts) > 5 and parts[5].startswith("/") else ""
            elif parts and parts[0] == "Rss:" and current:
                name = current.rsplit("/", 1)[-1]
                sizes[name] = sizes.get(name, 0.0) + int(parts[1]) / 1024
    return sorted(((n, round(v, 1)) for n, v in sizes.items()), key=lambda x: -x[1])[:top]


def startup(pilot: Pilot) -> Step:
    """Nothing: the report's timings say when the home screen was up."""
    yield from pilot.at("home")
    _data(pilot)["rss_at_home"] = _rss_mb()


def session200(pilot: Pilot) -> Step:
    """A working session: sign in, print every pending student (200) through CUPS, review and
    confirm every sheet, browse the roster, verify a card; then the memory."""
    _data(pilot)["rss_at_home"] = _rss_mb()
    started = time.monotonic()
    yield from sign_in(pilot, "operator")
    yield from pilot.tap("tile_roster")
    yield from pick_school(pilot, "roster")
    _data(pilot)["cards"] = len(_screen(pilot, State.ROSTER)._ready())
    yield from pilot.tap("print_pending")
    yield from pilot.at("print_preview")
    yield from pilot.until(lambda: pilot.find("preview_print") is not None and
                           not pilot.find("preview_print").disabled, "vista previa", 120)
    for _ in range(3):
        yield from pilot.tap("preview_next")
    # No screen kept in a local: this generator lives to the end, and would keep it alive.
    yield from pilot.until(lambda: len(_screen(pilot, State.PRINT_PREVIEW).images) >= 3,
                           "imágenes", 60)
    _data(pilot)["rss_after_preview"] = _rss_mb()
    yield from pilot.tap("preview_print")
    yield from pilot.tap("confirm_print_yes")
    yield from pilot.at("print_review", timeout_s=900)
    _data(pilot)["sheets"] = len(_screen(pilot, State.PRINT_REVIEW).sheets)
    _data(pilot)["rss_after_printing"] = _rss_mb()
    while pilot.find("review_done") is None:
        current = pilot.text_of("review_sheet")
        yield from pilot.tap("review_good", timeout_s=60)
        yield from pilot.until(lambda c=current: pilot.text_of("review_sheet") != c or
                               pilot.find("review_done") is not None, "siguiente hoja", 60)
    yield from pilot.tap("review_finish")
    yield from pilot.at("home")
    _data(pilot)["rss_after_review"] = _rss_mb()
    yield from all_students(pilot)
    yield from pilot.tap("search")
    yield from pilot.type_text("GAR")
    yield from pilot.tap("key_done")
    yield from go_home(pilot)
    pilot.use_camera("valid")
    yield from pilot.tap("tile_verify")
    yield from pilot.at("verify_result", timeout_s=60)
    yield from go_home(pilot)
    yield from pilot.frames(10)
    _data(pilot)["session_s"] = round(time.monotonic() - started, 1)
    _data(pilot)["cpu_s"] = round(time.process_time(), 1)  # the process's, start included
    _data(pilot)["rss_after"] = _rss_mb()
    # Back home the app gives freed memory back (station.ui.memory) within half a second.
    yield from pilot.until(lambda: time.monotonic() - started > 0, "", 1)
    t0 = time.monotonic()
    yield from pilot.until(lambda: time.monotonic() - t0 > 1.0, "un segundo en inicio", 5)
    _data(pilot)["rss_settled"] = _rss_mb()
    _data(pilot)["rss_by_file"] = _rss_by_file()
    _data(pilot)["held"] = _held(pilot)


def _held(pilot: Pilot) -> dict[str, object]:
    """What the app still holds back home: screens built and alive, widgets, textures and
    their pixels, anonymous memory by kind, and (under PYTHONTRACEMALLOC) Python's share."""
    import gc
    import tracemalloc
    from collections import Counter

    from kivy.graphics.texture import Texture
    from kivy.uix.widget import Widget

    from station.ui.screens.base import KioskScreen

    gc.collect()
    objects = gc.get_objects()
    textures = [o for o in objects if isinstance(o, Texture)]
    proxies = ("WeakProxy", "weakproxy", "ProxyType")  # they pass isinstance for the widget
    real = [o for o in objects if type(o).__name__ not in proxies]
    widgets = Counter(type(o).__name__ for o in real if isinstance(o, Widget))
    screens_alive = sorted(str(o.state) for o in real if isinstance(o, KioskScreen))
    held: dict[str, object] = {
        "screens": sorted(str(s) for s in pilot.app.screens), "textures": len(textures),
        "texture_mib": round(sum(t.width * t.height * 4 for t in textures) / 2**20, 1),
        "anon_mib": _anon_by_kind(), "widgets": sum(widgets.values()),
        "widget_kinds": widgets.most_common(6), "screen_objects": screens_alive}
    if tracemalloc.is_tracing():  # PYTHONTRACEMALLOC=1: where Python's own memory is
        stats = tracemalloc.take_snapshot().statistics("lineno")
        held["python_mib"] = round(sum(s.size for s in stats) / 2**20, 1)
        held["python_top"] = [(str(s.traceback[0].filename).rsplit("site-packages/", 1)[-1],
                               round(s.size / 2**20, 1)) for s in stats[:12]]
    return held


def _anon_by_kind() -> dict[str, float]:
    """Resident anonymous memory (MiB) by kind of mapping: the C heap, other anonymous
    mappings (mmap'd allocations, Mesa/llvmpipe, Python arenas), thread stacks."""
    sizes: dict[str, float] = {}
    kind = ""
    with open("/proc/self/smaps", encoding="utf-8", errors="replace") as smaps:
        for line in smaps:
            parts = line.split()
            if parts and "-" in parts[0] and len(parts) >= 5:
                name = parts[5] if len(parts) > 5 else ""
                kind = ("heap" if name == "[heap]" else "stack" if name.startswith("[stack")
                        else "anonymous" if not name else "")
            elif parts and parts[0] == "Anonymous:" and kind:
                sizes[kind] = sizes.get(kind, 0.0) + int(parts[1]) / 1024
    return {k: round(v, 1) for k, v in sizes.items()}


def _cpu_s(stat_path: str) -> tuple[str, float]:
    """A process's or thread's name and processor time so far (user + system, seconds)."""
    with open(stat_path, encoding="ascii", errors="replace") as stat:
        text = stat.read()
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    return name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _threads_cpu(camera_tid: int | None) -> dict[str, float]:
    """Processor time so far of this process's threads, grouped: the screen's (main) thread,
    the camera thread, llvmpipe's rendering threads, the rest; and the X server's if the
    bench named it (``BENCH_XVFB_PID``)."""
    groups: dict[str, float] = {"main": 0.0, "camera": 0.0, "llvmpipe": 0.0, "other": 0.0}
    pid = os.getpid()
    for tid in os.listdir("/proc/self/task"):
        try:
            name, cpu = _cpu_s(f"/proc/self/task/{tid}/stat")
        except OSError:
            continue  # the thread ended meanwhile
        group = ("main" if int(tid) == pid else "camera" if int(tid) == camera_tid
                 else "llvmpipe" if name.startswith("llvmpipe") else "other")
        groups[group] += cpu
    xvfb = os.environ.get("BENCH_XVFB_PID")
    if xvfb:
        groups["xvfb"] = _cpu_s(f"/proc/{xvfb}/stat")[1]
    return groups


def preview_fps(pilot: Pilot) -> Step:
    """The live photo preview with a video-file camera: frames shown and read per second."""
    yield from sign_in(pilot, "operator")
    yield from pilot.tap("tile_roster")
    yield from pick_school(pilot, "roster")
    first = _screen(pilot, State.ROSTER).entries[0].curp
    yield from pilot.tap("filter_all")
    yield from pilot.tap_payload("row_open", lambda p: p == first, "alumno")
    yield from pilot.at("student")
    from kivy.clock import Clock

    cap = os.environ.get("KIOSK_PILOT_MAXFPS")
    if cap:  # the kiosk's own frame cap (launch.configure_kivy), not the autopilot's faster one
        Clock._max_fps = float(cap)
    yield from pilot.tap("student_photo_take")
    yield from pilot.at("photo")
    screen = _screen(pilot, State.PHOTO)
    yield from pilot.until(lambda: screen.feed is not None and screen.feed.frames_shown > 10,
                           "cámara", 30)
    feed = screen.feed
    camera_tid = feed._thread.native_id if feed._thread is not None else None
    cpu0 = _threads_cpu(camera_tid)
    shown, read, t0 = feed.frames_shown, feed.frames_read, time.monotonic()
    from kivy.core.window import Window

    flips = [0]

    def flipped(*_args: object) -> None:
        flips[0] += 1

    # Every redraw of the window, camera frame or not: each costs the renderer a whole window.
    Window.bind(on_flip=flipped)
    yield from pilot.until(lambda: time.monotonic() - t0 >= 8.0, "8 segundos", 20)
    elapsed = time.monotonic() - t0
    Window.unbind(on_flip=flipped)
    _data(pilot)["redraw_fps"] = round(flips[0] / elapsed, 1)
    cpu1 = _threads_cpu(camera_tid)
    # Processor time per second of preview, by thread: unlike frames per second, it does not
    # depend much on how busy the rest of the machine is.
    _data(pilot)["max_fps"] = Clock._max_fps  # as the screen left it while the camera ran
    _data(pilot)["cpu_ms_per_s"] = {k: round(1000 * (cpu1[k] - cpu0[k]) / elapsed, 1)
                                    for k in cpu1}
    _data(pilot)["preview_fps"] = round((feed.frames_shown - shown) / elapsed, 1)
    _data(pilot)["camera_fps"] = round((feed.frames_read - read) / elapsed, 1)
    _data(pilot)["hint"] = pilot.text_of("photo_hint")
    yield from pilot.tap("photo_cancel")
